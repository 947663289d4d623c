package io.sparkdiffusion.jobs;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SampleJob with {@code spark.speculation=true} on {@code local-cluster} (two executor JVMs), speculation as eager
 * as Spark allows, still has exactly the planned images, one manifest row each, and no leftovers: turning
 * speculation on does not change the output there.
 *
 * <p>It does not run a speculative attempt: Spark never starts a speculative copy on a host where an attempt of the
 * task runs, and local-cluster's executors share one host. Two attempts of one unit writing at once, and committing
 * it exactly once, are proved by UnitWriterTest.
 */
class SampleJobSpeculationEnabledCountsTest {
    @TempDir
    Path tmp;

    @Test
    void withSpeculationEnabledOnLocalClusterEveryClassHasExactlyItsPlannedImagesAndRows() throws Exception {
        String sparkHome = System.getenv("SPARK_HOME");
        assertTrue(sparkHome != null, "surefire sets SPARK_HOME for local-cluster executors");
        Files.createDirectories(Path.of(sparkHome, "jars"));
        SparkSession spark = SparkSession.builder().master("local-cluster[2,1,1024]").appName("sample-speculation-test")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.executor.extraClassPath", System.getProperty("java.class.path"))
                .config("spark.executorEnv.SPARK_SCALA_VERSION", "2.12")
                .config("spark.executorEnv.OMP_NUM_THREADS", "1")
                .config("spark.executor.extraJavaOptions", "-Dorg.bytedeco.javacpp.maxbytes=1g")
                .config("spark.scheduler.minRegisteredResourcesRatio", "1.0")
                .config("spark.speculation", "true")
                .config("spark.speculation.interval", "20ms")
                .config("spark.speculation.quantile", "0.01")
                .config("spark.speculation.multiplier", "1.0")
                .config("spark.speculation.minTaskRuntime", "1ms")
                .getOrCreate();
        AtomicInteger speculativeStarts = new AtomicInteger();
        spark.sparkContext().addSparkListener(new SparkListener() {
            @Override
            public void onTaskStart(SparkListenerTaskStart start) {
                if (start.taskInfo().speculative()) {
                    speculativeStarts.incrementAndGet();
                }
            }
        });
        try {
            Path run = GenerationFixtures.checkpoint(tmp.resolve("run"), List.of("a", "b", "c"));
            Path out = tmp.resolve("samples");
            int code = SampleJob.run(GenerationFixtures.sets(List.of("sample.run-dir=" + run, "sample.output=" + out,
                    "sample.per-class={a = 5, b = 3, c = 4}", "sample.steps=2", "sample.images-per-unit=1",
                    "sample.batch-size=1", "sample.partitions=12", "sample.seed=3")));
            assertEquals(0, code);

            Map<String, Long> perClass;
            try (var files = Files.walk(out.resolve("images"))) {
                perClass = files.filter(p -> p.toString().endsWith(".png"))
                        .collect(Collectors.groupingBy(p -> p.getParent().getFileName().toString(), TreeMap::new,
                                Collectors.counting()));
            }
            assertEquals(Map.of("a", 5L, "b", 3L, "c", 4L), perClass,
                    "exact counts (" + speculativeStarts.get() + " speculative attempts started)");
            List<Row> rows = spark.read().parquet(out.resolve("samples.parquet").toString()).collectAsList();
            assertEquals(12, rows.size());
            assertEquals(12, rows.stream().map(r -> (String) r.getAs("id")).distinct().count(), "no duplicate rows");
            assertTrue(Files.exists(out.resolve("_SUCCESS")));
            assertFalse(Files.exists(out.resolve("_tmp")) || Files.exists(out.resolve("_units")), "no leftovers");
        } finally {
            spark.stop();
        }
    }
}
