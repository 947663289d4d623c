package io.sparkdiffusion.jobs;

import io.sparkdiffusion.data.PreparedManifest;
import io.sparkdiffusion.generate.FolderNames;
import io.sparkdiffusion.generate.GeneratedImages;
import io.sparkdiffusion.generate.OutputFormat;
import io.sparkdiffusion.generate.OutputLayout;
import io.sparkdiffusion.generate.Recipe;
import io.sparkdiffusion.generate.SamplePlan;
import io.sparkdiffusion.generate.UnitWriter;
import io.sparkdiffusion.image.ImageShape;
import io.sparkdiffusion.image.PngImages;
import org.apache.hadoop.conf.Configuration;
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
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static io.sparkdiffusion.jobs.GenerationFixtures.assertSameImages;
import static io.sparkdiffusion.jobs.GenerationFixtures.capturingStderr;
import static io.sparkdiffusion.jobs.GenerationFixtures.images;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SampleJobTest {
    /** Names that need sanitizing: an escape attempt, a slash, its collision, and a non-Latin name. */
    static final List<String> CLASSES = List.of("../x", "a/b", "a_b", "靴");

    @TempDir
    static Path tmp;
    static SparkSession spark;
    static Path conditionalRun;

    @BeforeAll
    static void startSpark() throws Exception {
        spark = SparkSession.builder().master("local[2]").appName("sample-test")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").getOrCreate();
        conditionalRun = GenerationFixtures.checkpoint(tmp.resolve("run"), CLASSES);
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    /** 3 + 2 + 0 + 4 guided DDIM-3 images in units of 2, batches of 2. */
    static int sample(Path output, String... sets) {
        List<String> all = new ArrayList<>(List.of("sample.run-dir=" + conditionalRun, "sample.output=" + output,
                "sample.per-class={\"../x\" = 3, \"a/b\" = 2, \"靴\" = 4}", "sample.steps=3", "sample.guidance=2",
                "sample.images-per-unit=2", "sample.batch-size=2", "sample.seed=11", "sample.progress-seconds=1"));
        all.addAll(List.of(sets));
        return SampleJob.run(GenerationFixtures.sets(all));
    }

    @Test
    void bitIdenticalAcrossPartitionCountsWithExactCountsPerSanitizedClass() throws Exception {
        Path one = tmp.resolve("one-partition");
        Path three = tmp.resolve("three-partitions");
        Path perUnit = tmp.resolve("task-per-unit");
        assertEquals(0, sample(one, "sample.partitions=1"));
        assertEquals(0, sample(three, "sample.partitions=3"));
        assertEquals(0, sample(perUnit));

        TreeMap<String, byte[]> expected = images(one);
        Map<String, Long> perFolder = expected.keySet().stream()
                .collect(Collectors.groupingBy(p -> p.substring(0, p.indexOf('/')), TreeMap::new, Collectors.counting()));
        assertEquals(Map.of("x", 3L, "a_b-1", 2L, "靴", 4L), perFolder, "sanitized folders, exact counts");
        for (Path other : List.of(three, perUnit)) {
            assertSameImages(expected, images(other), other.getFileName().toString());
        }
        assertEquals(1, PngImages.decode(expected.firstEntry().getValue()).channels());
        assertFalse(Arrays.equals(expected.get("x/00000000.png"), expected.get("x/00000001.png")));

        List<Row> rows = spark.read().parquet(one.resolve("samples.parquet").toString()).orderBy("id").collectAsList();
        assertEquals(9, rows.size());
        Row first = rows.get(0);
        assertEquals("00000000", first.getAs("id"));
        assertEquals("images/x/00000000.png", first.getAs("path"));
        assertEquals("../x", first.getAs("class_name"), "the real class name is kept in the manifest");
        assertEquals(0, (int) first.getAs("label"));
        assertEquals("dpm-solver++", first.getAs("sampler"), "the default sampler");
        assertEquals(2.0, (double) first.getAs("guidance"));
        assertEquals(40L, (long) first.getAs("checkpoint_step"));
        assertEquals("靴", rows.get(8).getAs("class_name"));
        assertEquals(3, (int) rows.get(8).getAs("label"));
        assertTrue(Files.exists(one.resolve("_SUCCESS")));
        assertFalse(Files.exists(one.resolve("_units")) || Files.exists(one.resolve("_tmp")));
        String report = Files.readString(one.resolve("report.html"));
        assertTrue(report.contains("<td>../x</td><td>images/x/</td><td class=\"num\">3</td>"), "per-class counts");
        assertTrue(report.contains("id=\"sample-grid\"><table class=\"rows\">"), "the grid");
        for (String name : List.of("../x", "a/b", "靴")) {
            assertTrue(report.contains("<tr><th>" + name + "</th><td><img src=\"data:image/png;base64,"),
                    "the grid's row of " + name + ", named and inline");
        }
    }

    /** The images of an output's Parquet shards, by their path in the PNG tree (without "images/"). */
    static TreeMap<String, byte[]> shardImages(SparkSession spark, Path output) {
        TreeMap<String, byte[]> out = new TreeMap<>();
        for (Row row : spark.read().parquet(output.resolve("shards").toString())
                .selectExpr("image.path", "image.bytes").collectAsList()) {
            String path = row.getString(0);
            assertTrue(out.put(path.substring("images/".length()), (byte[]) row.get(1)) == null, "twice: " + path);
        }
        return out;
    }

    @Test
    void shardsHoldThePngTreesImagesAndAKilledRunFinishesThemExactlyOnce() throws Exception {
        Path both = tmp.resolve("both");
        assertEquals(0, sample(both, "sample.output-format=both"));
        TreeMap<String, byte[]> expected = images(both);
        assertSameImages(expected, shardImages(spark, both), "shards against the PNG tree");
        List<Row> shardRows = spark.read().parquet(both.resolve("shards").toString()).drop("image").orderBy("id")
                .collectAsList();
        List<Row> manifest = spark.read().parquet(both.resolve("samples.parquet").toString()).drop("path")
                .orderBy("id").collectAsList();
        assertEquals(manifest, shardRows, "a shard row is the manifest's row with the image");

        // PrepareJob takes the shards as a corpus in the training data's classes and label numbers ("a_b", label 2,
        // has no image here, so its name comes from prepare.class-names)
        Path prepared = tmp.resolve("prepared-from-shards");
        List<String> prepare = List.of("--set", "prepare.layout=generated", "--set", "prepare.input=" + both, "--set",
                "prepare.output=" + prepared, "--set", "prepare.size=8", "--set", "prepare.validation-fraction=0");
        GenerationFixtures.Result unnamed = capturingStderr(() -> PrepareJob.run(prepare.toArray(String[]::new)));
        assertEquals(2, unnamed.code(), unnamed.stderr());
        assertTrue(unnamed.stderr().contains("label 2 has no image"), unnamed.stderr());
        List<String> named = new ArrayList<>(prepare);
        named.addAll(List.of("--set", "prepare.class-names=[\"../x\", \"a/b\", \"a_b\", \"靴\"]"));
        assertEquals(0, PrepareJob.run(named.toArray(String[]::new)));
        PreparedManifest manifestOfShards = PreparedManifest.read(Files.newInputStream(prepared.resolve("manifest.json")));
        assertEquals(CLASSES, manifestOfShards.classNames());
        assertEquals(9, manifestOfShards.images());
        assertEquals(Map.of("../x", 3L, "a/b", 2L, "a_b", 0L, "靴", 4L), manifestOfShards.imagesPerClass());
        assertEquals(List.of(0, 0, 0, 1, 1, 3, 3, 3, 3), spark.read().parquet(prepared.resolve("shards").toString())
                .select("label").orderBy("label").as(org.apache.spark.sql.Encoders.INT()).collectAsList());

        Path parquet = tmp.resolve("parquet");
        assertEquals(0, sample(parquet, "sample.output-format=parquet"));
        assertFalse(Files.exists(parquet.resolve("images")), "no PNG files");
        assertSameImages(expected, shardImages(spark, parquet), "parquet only");
        try (var files = Files.list(parquet.resolve("shards"))) {
            assertEquals(List.of("part-00000.parquet"), files.map(f -> f.getFileName().toString())
                    .filter(f -> !f.endsWith(".crc")).toList(), "9 small images: one shard");
        }
        assertFalse(Files.exists(parquet.resolve("_units")) || Files.exists(parquet.resolve("_tmp")));

        // What a kill leaves: units 0 and 3 committed (shard + marker), unit 1's shard without its marker, a
        // half-written merge in _tmp, and shards/ from a merge put in place just before the kill (no _SUCCESS)
        Path killed = tmp.resolve("killed-parquet");
        Files.createDirectories(killed.resolve("_units"));
        Files.copy(parquet.resolve("plan.json"), killed.resolve("plan.json"));
        OutputLayout layout = new OutputLayout(killed.toUri().toString(), FolderNames.forClasses(CLASSES));
        UnitWriter writer = new UnitWriter(layout, OutputFormat.PARQUET, new GeneratedImages(layout, CLASSES,
                new Recipe("ddim", 3, 0, 2, 1, 2), "ema", "elsewhere", 40, false), new Configuration());
        SamplePlan plan = new SamplePlan(11, new long[] {3, 2, 0, 4}, true, 2);
        for (int unit : new int[] {0, 3, 1}) {
            List<byte[]> pngs = plan.unit(unit).stream().map(i -> expected.get(layout.relativeImagePath(i)
                    .substring("images/".length()))).toList();
            writer.commit(unit, plan.unit(unit), pngs);
        }
        Files.delete(killed.resolve("_units/unit-0000001"));
        Files.createDirectories(killed.resolve("_tmp/shards-killed"));
        Files.write(killed.resolve("_tmp/shards-killed/part-00000.parquet"), new byte[] {'P', 'A', 'R'});
        Files.createDirectories(killed.resolve("shards"));
        Files.copy(Path.of(layout.unitShard(3).toUri()), killed.resolve("shards/part-00000.parquet"));

        GenerationFixtures.Result rerun = capturingStderr(() -> sample(killed, "sample.output-format=parquet"));
        assertEquals(0, rerun.code(), rerun.stderr());
        assertSameImages(expected, shardImages(spark, killed), "rerun: every image once");
        assertEquals(9, spark.read().parquet(killed.resolve("samples.parquet").toString()).count());
        assertTrue(Files.exists(killed.resolve("_SUCCESS")));
        assertFalse(Files.exists(killed.resolve("_units")) || Files.exists(killed.resolve("_tmp")));
    }

    @Test
    void aKilledRunIsFinishedByARerunWithoutDuplicatesOrGaps() throws Exception {
        Path complete = tmp.resolve("complete");
        assertEquals(0, sample(complete));
        TreeMap<String, byte[]> expected = images(complete);

        // What a kill leaves: units 0 and 3 committed (PNGs + markers), unit 1 with one PNG renamed into place but
        // no marker, a half-written temporary file of unit 2, no samples.parquet, no _SUCCESS.
        Path killed = tmp.resolve("killed");
        Files.createDirectories(killed.resolve("_units"));
        Files.copy(complete.resolve("plan.json"), killed.resolve("plan.json"));
        GenerationFixtures.copyImages(expected, List.of("x/00000000.png", "x/00000001.png", "a_b-1/00000003.png",
                "靴/00000006.png", "靴/00000007.png"), killed);
        Files.write(killed.resolve("_units/unit-0000000"), "2 images\n".getBytes());
        Files.write(killed.resolve("_units/unit-0000003"), "2 images\n".getBytes());
        Files.createDirectories(killed.resolve("_tmp/unit-2-attempt"));
        Files.write(killed.resolve("_tmp/unit-2-attempt/00000004.png"), Arrays.copyOf(expected.get("a_b-1/00000004.png"), 10));

        GenerationFixtures.Result rerun = capturingStderr(() -> sample(killed));
        assertEquals(0, rerun.code(), rerun.stderr());
        assertSameImages(expected, images(killed), "rerun");
        List<Row> rows = spark.read().parquet(killed.resolve("samples.parquet").toString()).collectAsList();
        assertEquals(9, rows.size());
        assertEquals(9, rows.stream().map(r -> (String) r.getAs("id")).distinct().count(), "no duplicate rows");
        assertTrue(Files.exists(killed.resolve("_SUCCESS")));
        assertFalse(Files.exists(killed.resolve("_tmp")), "temporary files of the killed run removed");

        // a complete output is left alone; another configuration is refused with a clear message
        assertEquals(0, sample(killed));
        GenerationFixtures.Result other = capturingStderr(() -> sample(killed, "sample.seed=12"));
        assertEquals(2, other.code());
        assertTrue(other.stderr().contains("differs in: seed"), other.stderr());
        assertEquals(1, other.stderr().strip().lines().count(), other.stderr());
    }

    @Test
    void unconditionalCheckpointsFillAFlatFolderFromAnExplicitCheckpoint() throws Exception {
        Path run = GenerationFixtures.checkpoint(tmp.resolve("unconditional-run"), List.of());
        Path output = tmp.resolve("unconditional");
        assertEquals(0, SampleJob.run(GenerationFixtures.sets(List.of(
                "sample.checkpoint=" + run.resolve("checkpoints/step-0000040"), "sample.output=" + output,
                "sample.count=5", "sample.sampler=dpm-solver++", "sample.steps=2", "sample.images-per-unit=3",
                "sample.weights=raw"))));
        assertEquals(List.of("00000000.png", "00000001.png", "00000002.png", "00000003.png", "00000004.png"),
                new ArrayList<>(images(output).keySet()));
        Row row = spark.read().parquet(output.resolve("samples.parquet").toString()).orderBy("id").first();
        assertEquals(-1, (int) row.getAs("label"));
        assertTrue(row.isNullAt(row.fieldIndex("class_name")));
        assertEquals("raw", row.getAs("weights"));
    }

    @Test
    void badInputExitsWith2AndOneLineBeforeWritingAnything() throws Exception {
        Path output = tmp.resolve("never");
        GenerationFixtures.Result unknown = capturingStderr(() -> sample(output,
                "sample.per-class={\"../x\" = 1, \"sock\" = 2}"));
        assertEquals(2, unknown.code());
        assertTrue(unknown.stderr().contains("unknown class 'sock'"), unknown.stderr());
        assertEquals(1, unknown.stderr().strip().lines().count(), unknown.stderr());

        GenerationFixtures.Result size = capturingStderr(() -> sample(output, "sample.image-size=16"));
        assertEquals(2, size.code());
        assertTrue(size.stderr().contains("makes 1x8x8 images"), size.stderr());

        Path inconsistent = GenerationFixtures.checkpoint(tmp.resolve("inconsistent"), CLASSES, new ImageShape(1, 16, 16));
        GenerationFixtures.Result shape = capturingStderr(() -> sample(output, "sample.run-dir=" + inconsistent));
        assertEquals(2, shape.code());
        assertTrue(shape.stderr().contains("trained on 1x16x16 images"), shape.stderr());

        GenerationFixtures.Result missing = capturingStderr(() -> sample(output, "sample.run-dir=" + tmp.resolve("nope")));
        assertEquals(2, missing.code());
        assertTrue(missing.stderr().contains("no complete checkpoint"), missing.stderr());

        GenerationFixtures.Result both = capturingStderr(() -> sample(output, "sample.count=4"));
        assertEquals(2, both.code());
        assertTrue(both.stderr().contains("not both"), both.stderr());
        assertFalse(Files.exists(output), "nothing written");
    }
}
