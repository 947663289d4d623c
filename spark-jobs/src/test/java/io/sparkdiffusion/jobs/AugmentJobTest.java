package io.sparkdiffusion.jobs;

import io.sparkdiffusion.image.ImageShape;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

import static io.sparkdiffusion.jobs.GenerationFixtures.assertSameImages;
import static io.sparkdiffusion.jobs.GenerationFixtures.capturingStderr;
import static io.sparkdiffusion.jobs.GenerationFixtures.images;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AugmentJobTest {
    @TempDir
    static Path tmp;
    static SparkSession spark;
    static Path prepared;
    static Path run;

    @BeforeAll
    static void prepare() throws Exception {
        spark = SparkSession.builder().master("local[2]").appName("augment-test")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").getOrCreate();
        prepared = TrainJobFixtures.preparedCorpus(tmp); // 48 grey 8x8 images: 24 "bars", 24 "squares"
        run = GenerationFixtures.checkpoint(tmp.resolve("run"), List.of("bars", "squares"));
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    /** 2 variations of about half of the images (DDIM-4 at strength 0.5: 2 steps), 2 images per unit. */
    static int augment(Path output, String... sets) {
        List<String> all = new ArrayList<>(List.of("augment.data=" + prepared, "augment.run-dir=" + run,
                "augment.output=" + output, "augment.variations=2", "augment.fraction=0.5", "augment.strength=0.5",
                "augment.steps=4", "augment.guidance=2", "augment.images-per-unit=4", "augment.batch-size=4",
                "augment.seed=3", "augment.progress-seconds=1"));
        all.addAll(List.of(sets));
        return AugmentJob.run(GenerationFixtures.sets(all));
    }

    static Dataset<Row> shards() {
        return spark.read().parquet(prepared.resolve("shards").toString());
    }

    @Test
    void variationsKeepTheirLabelAndAreBitIdenticalAcrossPartitionCounts() throws Exception {
        Path one = tmp.resolve("one");
        Path three = tmp.resolve("three");
        assertEquals(0, augment(one, "augment.partitions=1"));
        assertEquals(0, augment(three, "augment.partitions=3", "augment.output-format=both"));
        TreeMap<String, byte[]> expected = images(one);
        assertSameImages(expected, images(three), "3 partitions");
        assertSameImages(expected, SampleJobTest.shardImages(spark, three), "the variations' shards");
        assertEquals(0.5, spark.read().parquet(three.resolve("shards").toString()).select("strength").distinct()
                .first().getDouble(0), "a shard records the strength");

        Dataset<Row> manifest = spark.read().parquet(one.resolve("samples.parquet").toString());
        long sources = manifest.select("source_id").distinct().count();
        assertTrue(sources > 12 && sources < 36, "about half of the 48 images selected: " + sources);
        assertEquals(2 * sources, manifest.count(), "two variations of each");
        assertEquals(2 * sources, expected.size());
        // every variation is filed under, and labeled with, its source's class
        Dataset<Row> joined = manifest.join(shards().withColumnRenamed("id", "source_id")
                .withColumnRenamed("label", "source_label"), "source_id");
        assertEquals(2 * sources, joined.count());
        for (Row row : joined.collectAsList()) {
            int label = row.getAs("label");
            assertEquals((int) row.getAs("source_label"), label);
            String folder = label == 0 ? "bars" : "squares";
            assertEquals(folder, row.getAs("class_name"));
            assertEquals("images/" + folder + "/" + row.getAs("id") + ".png", row.getAs("path"));
            assertTrue(((String) row.getAs("id")).startsWith((String) row.getAs("source_id")));
            assertEquals(0.5, (double) row.getAs("strength"));
        }
        assertFalse(Arrays.equals(expected.firstEntry().getValue(), expected.higherEntry(expected.firstKey()).getValue()),
                "two variations of one image differ");
        for (Path output : List.of(one, three)) { // from the PNG tree, and from the shards of "both"
            String report = Files.readString(output.resolve("report.html"));
            assertTrue(report.contains("<th>variations</th><td>" + 2 * sources + "</td>"), "the report's count");
            for (String name : List.of("bars", "squares")) {
                // a source and its 2 variations: 3 cells of 8 px and 2 px padding, enlarged 4 times
                assertTrue(report.matches("(?s).*<tr><th>" + name + " \\([0-9a-f]{8}…\\)</th><td><img src=\"data:image/png;"
                        + "base64,[A-Za-z0-9+/=]+\" width=\"128\".*"), "the grid's row of " + name);
            }
        }
    }

    @Test
    void aKilledRunIsFinishedByARerunWithoutDuplicatesOrGaps() throws Exception {
        Path complete = tmp.resolve("complete");
        assertEquals(0, augment(complete));
        TreeMap<String, byte[]> expected = images(complete);

        // a kill after some images were renamed into place, with a half-written one under _tmp and no markers
        Path killed = tmp.resolve("killed");
        Files.createDirectories(killed.resolve("_tmp/unit-3-attempt"));
        Files.copy(complete.resolve("plan.json"), killed.resolve("plan.json"));
        List<String> names = new ArrayList<>(expected.keySet());
        GenerationFixtures.copyImages(expected, names.subList(0, names.size() / 2), killed);
        Files.write(killed.resolve("_tmp/unit-3-attempt/x.png"), new byte[] {(byte) 0x89, 'P'});
        GenerationFixtures.Result rerun = capturingStderr(() -> augment(killed));
        assertEquals(0, rerun.code(), rerun.stderr());
        assertSameImages(expected, images(killed), "rerun");
        Dataset<Row> manifest = spark.read().parquet(killed.resolve("samples.parquet").toString());
        assertEquals(expected.size(), manifest.count());
        assertEquals(expected.size(), manifest.select("id").distinct().count());
        assertFalse(Files.exists(killed.resolve("_tmp")));

        GenerationFixtures.Result other = capturingStderr(() -> augment(killed, "augment.strength=0.7"));
        assertEquals(2, other.code());
        assertTrue(other.stderr().contains("differs in: strength"), other.stderr());
    }

    @Test
    void aCheckpointForOtherImagesOrOtherClassesIsRefused() throws Exception {
        Path output = tmp.resolve("never");
        Path big = GenerationFixtures.checkpoint(tmp.resolve("big"), List.of("bars", "squares"), 16,
                new ImageShape(1, 16, 16));
        GenerationFixtures.Result shape = capturingStderr(() -> augment(output, "augment.run-dir=" + big));
        assertEquals(2, shape.code());
        assertTrue(shape.stderr().contains("makes 1x16x16 images, but the images of"), shape.stderr());
        assertEquals(1, shape.stderr().strip().lines().count(), shape.stderr());

        Path otherClasses = GenerationFixtures.checkpoint(tmp.resolve("other-classes"), List.of("cats", "dogs"));
        GenerationFixtures.Result classes = capturingStderr(() -> augment(output, "augment.run-dir=" + otherClasses));
        assertEquals(2, classes.code());
        assertTrue(classes.stderr().contains("are not those of"), classes.stderr());

        GenerationFixtures.Result strength = capturingStderr(() -> augment(output, "augment.strength=0"));
        assertEquals(2, strength.code());
        assertFalse(Files.exists(output), "nothing written");
    }
}
