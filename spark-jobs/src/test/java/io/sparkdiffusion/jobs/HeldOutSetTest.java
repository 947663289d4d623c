package io.sparkdiffusion.jobs;

import io.sparkdiffusion.data.PreparedManifest;
import io.sparkdiffusion.train.TrainingBatchMaker;
import io.sparkdiffusion.image.ImageShape;
import io.sparkdiffusion.image.Pixels;
import io.sparkdiffusion.image.Uint8Image;
import io.sparkdiffusion.jobs.train.HeldOutSet;
import io.sparkdiffusion.jobs.train.TrainSettings;
import io.sparkdiffusion.model.UNetBuilder;
import io.sparkdiffusion.schedule.ScheduleSpec;
import io.sparkdiffusion.train.HeldOutLoss;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.learning.config.Adam;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeldOutSetTest {
    @TempDir
    static Path tmp;
    static SparkSession spark;
    static Path prepared;
    static PreparedManifest manifest;

    @BeforeAll
    static void prepareData() throws Exception {
        spark = SparkSession.builder().master("local[2]").appName("held-out-test")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").getOrCreate();
        prepared = TrainJobFixtures.preparedCorpus(tmp, 0.5);
        manifest = PreparedManifest.readFrom(prepared.toString(), new Configuration());
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @Test
    void theSameWeightsGiveTheSameLossWhateverThePartitioningAndItIsTheObjectivesMean() {
        ComputationGraph network = UNetBuilder.network(TrainJobTest.TINY_SPEC, new Adam(1e-3), 11);
        TrainingBatchMaker maker = new TrainingBatchMaker(TrainJobTest.TINY_SPEC, ScheduleSpec.linear(100), 0.1);
        // 70 images: two batches of HeldOutLoss.BATCH, the second short, if the split is that large
        TrainSettings.Validation settings = new TrainSettings.Validation(70, 1, 5);
        List<Double> losses = new ArrayList<>();
        for (int partitions : new int[] {1, 2, 3}) {
            HeldOutSet set = HeldOutSet.load(spark, prepared.toString(), manifest, settings, maker, partitions).orElseThrow();
            losses.add(set.evaluate(network, manifest.shape()));
            set.release();
        }
        assertEquals(losses.get(0), losses.get(1), "1 vs 2 partitions");
        assertEquals(losses.get(0), losses.get(2), "1 vs 3 partitions");

        // the same number computed in one JVM, straight from the definition
        List<Row> rows = spark.read().parquet(prepared.resolve("shards").toString())
                .filter(col("split").equalTo("validation")).select("id", "label", "pixels").orderBy("id")
                .collectAsList();
        int n = Math.min(70, rows.size());
        assertTrue(n > 10, "the fixture's validation split has " + rows.size() + " images");
        HeldOutLoss loss = new HeldOutLoss(maker, n, 5);
        double sum = 0;
        for (int start = 0; start < n; start += HeldOutLoss.BATCH) {
            int end = Math.min(n, start + HeldOutLoss.BATCH);
            List<Uint8Image> images = new ArrayList<>();
            int[] labels = new int[end - start];
            int[] positions = new int[end - start];
            for (int i = start; i < end; i++) {
                images.add(new Uint8Image(new ImageShape(1, 8, 8), (byte[]) rows.get(i).get(2)));
                labels[i - start] = rows.get(i).getInt(1);
                positions[i - start] = i;
            }
            sum += HeldOutLoss.sumOfImageLosses(network, loss.batch(Pixels.toBatch(images), labels, positions));
        }
        assertEquals(sum / n, losses.get(0), 1e-12);
    }

    @Test
    void trainJobLogsTheValidationLossAndDrawsIt() throws Exception {
        Path runDir = tmp.resolve("validated");
        assertEquals(0, TrainJobFixtures.train(prepared, runDir, "train.workers=2", "train.averaging-frequency=1",
                "train.epochs=2", "train.sample-every-epochs=0", "train.validation.every-rounds=2"));
        List<String> rows = Files.readAllLines(runDir.resolve("metrics.jsonl"));
        List<Double> validation = new ArrayList<>();
        for (String row : rows) {
            if (row.contains("\"val_loss\"")) {
                int at = row.indexOf("\"val_loss\":") + 11;
                int end = row.indexOf(',', at);
                validation.add(Double.parseDouble(row.substring(at, end < 0 ? row.indexOf('}', at) : end)));
            }
        }
        assertTrue(rows.get(0).contains("\"step\":0") && rows.get(0).contains("val_loss"), "a first value before training");
        assertTrue(rows.get(rows.size() - 1).contains("val_loss"), "a last value at the end");
        // one value before training, one after every second round, and one after the last round if that is odd;
        // the split is by a hash of the ids, so the number of rounds varies with the fixture's paths
        long rounds = rows.stream().filter(row -> row.contains("\"round_s\"")).count();
        assertTrue(rounds >= 4, rows.toString());
        assertEquals(1 + rounds / 2 + rounds % 2, validation.size(), rows.toString());
        assertTrue(validation.get(validation.size() - 1) < validation.get(0), "validation loss falls: " + validation);
        assertTrue(Files.size(runDir.resolve("loss.png")) > 0, "the loss curve is written");
        assertTrue(rows.get(1).contains("\"bytes_per_worker\"") && rows.get(1).contains("\"round_s\""), rows.get(1));
    }
}
