package io.sparkdiffusion.jobs;

import io.sparkdiffusion.image.ImageFixtures;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without a running session the job takes its master from spark-submit (the spark.master property) or from
 * prepare.spark-master, never from a default of its own, and stops the session it made.
 */
class PrepareJobSparkMasterTest extends PrepareJobTestSupport {

    @TempDir
    Path tmp;

    @BeforeEach
    void noSessionAndNoMaster() {
        SparkSession.getDefaultSession().foreach(s -> {
            s.stop();
            return null;
        });
        System.clearProperty("spark.master");
    }

    @Test
    void noMasterIsAConfigErrorAndTheKeySuppliesOne() throws Exception {
        Path in = tmp.resolve("in");
        write(in.resolve("c/a.png"), ImageFixtures.png(ImageFixtures.grey(8, 8, 0)));
        Path out = tmp.resolve("out");

        Run missing = prepare(in, out, "prepare.size=8");
        assertEquals(2, missing.exitCode(), missing.stderr());
        assertEquals(List.of("prepare: no Spark master: run through spark-submit, or set prepare.spark-master (e.g. local[*])"),
                missing.stderrLines());
        assertFalse(Files.exists(out));

        Run withKey = prepare(in, out, "prepare.size=8", "prepare.spark-master=local[1]",
                "prepare.validation-fraction=0");
        assertEquals(0, withKey.exitCode(), withKey.stderr());
        assertTrue(Files.exists(out.resolve("_SUCCESS")));
        assertTrue(SparkSession.getDefaultSession().isEmpty()
                || SparkSession.getDefaultSession().get().sparkContext().isStopped(), "the job stops the session it made");
    }
}
