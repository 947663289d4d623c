package io.sparkdiffusion.jobs.session;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.sparkdiffusion.runtime.NativeRuntime;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NativeBuildPluginTest {

    @Test
    void sessionsAddThePluginOnceToTheUsersList() {
        String plugin = NativeBuildPlugin.class.getName();
        assertEquals(plugin, SparkSessions.withNativeBuildPlugin(""));
        assertEquals("com.example.Other," + plugin, SparkSessions.withNativeBuildPlugin("com.example.Other"));
        assertEquals("a.B, " + plugin, SparkSessions.withNativeBuildPlugin("a.B, " + plugin));
    }

    @Test
    void anExecutorLoadsTheBuildForItsCpuWithLayerHelpersEvenWhenATaskTouchesNd4jFirst() throws Exception {
        String sparkHome = System.getenv("SPARK_HOME");
        assertTrue(sparkHome != null, "surefire sets SPARK_HOME for local-cluster executors");
        Files.createDirectories(Path.of(sparkHome, "jars"));
        String expected = NativeRuntime.chooseNativeBuild(); // this test JVM's choice: the same CPU
        SparkSession spark = SparkSession.builder().master("local-cluster[1,1,1024]").appName("native-build-test")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.executor.extraClassPath", System.getProperty("java.class.path"))
                .config("spark.executorEnv.SPARK_SCALA_VERSION", "2.12")
                .config("spark.plugins", SparkSessions.withNativeBuildPlugin(""))
                .getOrCreate();
        try {
            List<String> loaded = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(List.of(1), 1)
                    .map(one -> {
                        Nd4j.create(2); // as DL4J's worker code would, without NativeRuntime.init()
                        return NativeRuntime.loadedExtension() + " layerHelpers=" + NativeRuntime.layerHelpersEnabled();
                    }).collect();
            assertEquals(List.of(expected + " layerHelpers=true"), loaded);
        } finally {
            spark.stop();
        }
    }
}
