package io.sparkdiffusion.jobs;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * A PrepareJob test class whose tests share the local SparkSession of {@link PrepareJobTestSupport}: started before
 * the first, stopped after the last. Tests that must run without a session (settings refused before Spark starts)
 * extend PrepareJobTestSupport itself.
 */
abstract class SparkPrepareTest extends PrepareJobTestSupport {
    // Named apart from any subclass's own @BeforeAll/@AfterAll: a static method of the same name would hide these.
    @BeforeAll
    static void startSharedSpark() {
        startSpark();
    }

    @AfterAll
    static void stopSharedSpark() {
        stopSpark();
    }
}
