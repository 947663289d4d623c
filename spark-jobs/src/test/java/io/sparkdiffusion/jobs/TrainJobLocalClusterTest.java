package io.sparkdiffusion.jobs;

import io.sparkdiffusion.checkpoint.CheckpointStore;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TrainJob with two executors in their own JVMs ({@code local-cluster[2,1,1024]}): everything a worker needs
 * (the custom layers, the batch maker, the iteration hook) must survive real serialization to another JVM.
 */
class TrainJobLocalClusterTest {
    @TempDir
    Path tmp;

    @Test
    void trainsAndResumesWithExecutorsInSeparateJvms() throws Exception {
        String sparkHome = System.getenv("SPARK_HOME");
        assertTrue(sparkHome != null, "surefire sets SPARK_HOME for local-cluster executors");
        Files.createDirectories(Path.of(sparkHome, "jars"));
        SparkSession spark = SparkSession.builder().master("local-cluster[2,1,1024]").appName("train-cluster-test")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.executor.extraClassPath", System.getProperty("java.class.path"))
                .config("spark.executorEnv.SPARK_SCALA_VERSION", "2.12")
                .config("spark.executorEnv.OMP_NUM_THREADS", "1")
                .config("spark.executor.extraJavaOptions", "-Dorg.bytedeco.javacpp.maxbytes=2g")
                .config("spark.scheduler.minRegisteredResourcesRatio", "1.0")
                .getOrCreate();
        try {
            Path prepared = TrainJobFixtures.preparedCorpus(tmp);
            Path runDir = tmp.resolve("run");
            assertEquals(0, TrainJobFixtures.train(prepared, runDir, "train.workers=2", "train.averaging-frequency=3",
                    "train.epochs=2", "train.sample-every-epochs=0"));
            CheckpointStore store = CheckpointStore.open(runDir.toUri(), new Configuration());
            assertEquals(12, store.latest().orElseThrow().step(), "2 epochs of 6 batches per worker");
            List<String> rows = Files.readAllLines(runDir.resolve("metrics.jsonl"));
            assertTrue(TrainJobFixtures.loss(rows.get(rows.size() - 1)) < TrainJobFixtures.loss(rows.get(0)),
                    "loss falls: " + rows);

            assertEquals(0, TrainJobFixtures.train(prepared, runDir, "train.workers=2", "train.averaging-frequency=3",
                    "train.epochs=3", "train.sample-every-epochs=0", "train.resume=true"));
            assertEquals(18, store.latest().orElseThrow().step());
        } finally {
            spark.stop();
        }
    }
}
