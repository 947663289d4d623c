package io.sparkdiffusion.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import io.sparkdiffusion.data.LabeledImage;
import io.sparkdiffusion.data.PreparedColumns;
import io.sparkdiffusion.eval.ClassifierInfo;
import io.sparkdiffusion.data.PreparedManifest;
import io.sparkdiffusion.image.ImageFixtures;
import io.sparkdiffusion.jobs.io.PreparedShards;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** prepare.mode = incremental: versions that add, remove and change files, read as a full prepare of the same tree. */
class PrepareJobIncrementalTest extends SparkPrepareTest {
    private static final String[] TINY = {"prepare.size=4", "prepare.validation-fraction=0.3"};

    @TempDir
    Path tmp;

    @Test
    void versionsAddDeleteAndChangeFilesAndReadAsAFullPrepareOfTheSameTree() throws Exception {
        Path in = tmp.resolve("in");
        for (int i = 0; i < 6; i++) {
            image(in.resolve("a/" + i + ".png"), i);
            image(in.resolve("b/" + i + ".png"), 100 + i);
        }
        image(in.resolve("b/copy-of-a0.png"), 0); // a duplicate within version 1
        Path out = tmp.resolve("out");

        Printed first = incremental(in, out);
        assertEquals(0, first.exitCode(), first.stderr());
        PreparedManifest v1 = manifest(out);
        assertEquals(PreparedManifest.VERSIONED_FORMAT, v1.formatVersion());
        assertEquals(1, v1.version());
        assertEquals(12, v1.images());
        assertEquals(1, v1.duplicates());
        assertEquals(List.of("_SUCCESS", "duplicates", "files", "manifest.json", "rejects", "report.html", "shards"),
                listing(out));
        Map<Path, String> v1Files = contents(out);

        Printed again = incremental(in, out);
        assertEquals(0, again.exitCode(), again.stderr());
        assertEquals(1, again.stdoutLines().size(), again.stdout());
        assertTrue(again.stdout().startsWith("prepare: nothing new under "), again.stdout());
        assertTrue(again.stdout().contains("(13 files unchanged); nothing decoded, nothing written"), again.stdout());
        assertEquals(v1Files, contents(out), "nothing written");

        Files.delete(in.resolve("a/1.png"));                  // deleted
        Files.delete(in.resolve("a/0.png"));                  // deleted: its copy in b/ is now the first of its content
        image(in.resolve("b/2.png"), 777);                     // changed: other content, other size
        Files.setLastModifiedTime(in.resolve("b/3.png"), FileTime.fromMillis(1_000_000)); // changed: touched only
        image(in.resolve("a/new.png"), 50);                    // new
        image(in.resolve("0new/x.png"), 60);                   // new, in a new class folder (sorts first)
        image(in.resolve("b/zz-copy-of-b4.png"), 104);        // new, a copy of an image version 1 kept
        Printed second = incremental(in, out);

        assertEquals(0, second.exitCode(), second.stderr());
        assertTrue(second.stdout().startsWith("prepare: version 2 of "), second.stdout());
        assertTrue(second.stdout().contains(": 3 new, 2 changed, 2 deleted files (6 decoded); +5 images, -4;"),
                second.stdout());
        Map<Path, String> now = contents(out);
        v1Files.forEach((file, bytes) -> {
            String name = file.getFileName().toString();
            if (!name.contains("manifest.json") && !name.contains("report.html")) { // the current version's
                assertEquals(bytes, now.get(file), "version 1's " + file + " untouched");
            }
        });
        PreparedManifest v2 = manifest(out);
        assertEquals(2, v2.version());
        assertEquals(List.of("a", "b", "0new"), v2.classNames(), "classes keep their labels; a new one follows");
        List<String> removed = Files.readAllLines(out.resolve("versions/v0002/removed/part-00000.json"));
        assertEquals(5, removed.size(), String.join("\n", removed));
        assertTrue(removed.stream().anyMatch(l -> l.contains("a/1.png") && l.contains("\"deleted\"")), removed.toString());

        // The same tree prepared in full: the same images, labels (by class name), split, counts and statistics.
        Path full = tmp.resolve("full");
        assertEquals(0, prepare(in, full, TINY).exitCode());
        PreparedManifest f = manifest(full);
        assertEquals(new TreeMap<>(f.imagesPerClass()), new TreeMap<>(v2.imagesPerClass()));
        assertEquals(f.images(), v2.images());
        assertEquals(f.files(), v2.files());
        assertEquals(f.duplicates(), v2.duplicates());
        assertEquals(f.rejected(), v2.rejected());
        assertEquals(f.split(), v2.split());
        assertArrayEquals(f.pixelStatistics().mean(), v2.pixelStatistics().mean(), 1e-12);
        assertArrayEquals(f.pixelStatistics().std(), v2.pixelStatistics().std(), 1e-12);
        assertEquals(imagesByClassName(full, f), imagesByClassName(out, v2));
        assertEquals(13, read(out, PreparedColumns.BOTH_SPLITS).size());
        assertEquals(f.split().validation(), read(out, PreparedColumns.VALIDATION).size());
    }

    @Test
    void aRunKilledMidWayLeavesThePreviousVersionReadableAndTheNextRunClearsWhatItLeftBeforeItStarts() throws Exception {
        Path in = tmp.resolve("in");
        for (int i = 0; i < 4; i++) {
            image(in.resolve("a/" + i + ".png"), i);
        }
        Path out = tmp.resolve("out");
        assertEquals(0, incremental(in, out).exitCode());
        byte[] manifestV1 = Files.readAllBytes(out.resolve("manifest.json"));
        Map<String, String> rowsV1 = imagesByClassName(out, manifest(out));

        // What a killed version 2 may leave: a staging directory half written, and a version directory renamed into
        // place whose manifest was never written (here holding a copy of version 1's shards, so that a reader that
        // read it would see every image twice).
        Path staging = out.resolve("versions/.v0002.staging-killed/shards");
        Files.createDirectories(staging);
        Files.write(staging.resolve("part-00000.parquet"), new byte[]{'P', 'A', 'R'});
        Path orphan = out.resolve("versions/v0002/shards");
        Files.createDirectories(orphan);
        try (Stream<Path> shards = Files.list(out.resolve("shards"))) {
            for (Path shard : shards.filter(p -> p.toString().endsWith(".parquet")).toList()) {
                Files.copy(shard, orphan.resolve(shard.getFileName()));
            }
        }
        Files.createFile(out.resolve("versions/v0002/_SUCCESS"));
        assertEquals(rowsV1, imagesByClassName(out, manifest(out)), "version 1 read as it was");

        // A run that really fails mid-way: its shards are written, then too many files prove unusable.
        image(in.resolve("a/4.png"), 4);
        for (int i = 0; i < 3; i++) {
            write(in.resolve("a/broken" + i + ".png"), "not an image".getBytes(StandardCharsets.UTF_8));
        }
        Printed failed = incremental(in, out);
        assertEquals(2, failed.exitCode(), failed.stderr());
        assertEquals(List.of(), listing(out.resolve("versions")),
                "the failed run removed the killed run's leftovers before it began, and abandoned its own staging");
        assertArrayEquals(manifestV1, Files.readAllBytes(out.resolve("manifest.json")));
        assertEquals(rowsV1, imagesByClassName(out, PreparedManifest.readFrom(out.toString(), new Configuration())));

        for (int i = 0; i < 3; i++) {
            Files.delete(in.resolve("a/broken" + i + ".png"));
        }
        Printed next = incremental(in, out);
        assertEquals(0, next.exitCode(), next.stderr());
        assertTrue(next.stdout().contains(": 1 new, 0 changed, 0 deleted files (1 decoded); +1 images, -0;"),
                next.stdout());
        assertEquals(List.of("v0002"), listing(out.resolve("versions")), "only the version it committed");
        assertEquals(5, read(out, PreparedColumns.BOTH_SPLITS).size());
    }

    @Test
    void aVersionWhoseOnlyNewFileIsBrokenIsJudgedWithTheWholeTree() throws Exception {
        Path in = tmp.resolve("in");
        for (int i = 0; i < 12; i++) {
            image(in.resolve("a/" + i + ".png"), i);
        }
        Path out = tmp.resolve("out");
        assertEquals(0, incremental(in, out).exitCode());
        write(in.resolve("a/broken.png"), "not an image".getBytes(StandardCharsets.UTF_8));

        Printed run = incremental(in, out); // 1 of 13 files unusable: under max-reject-fraction = 0.1, as in full mode

        assertEquals(0, run.exitCode(), run.stderr());
        PreparedManifest m = manifest(out);
        assertEquals(1, m.rejected());
        assertEquals(13, m.files());
        assertEquals(12, m.images());
        assertEquals(List.of(uri(in.resolve("a/broken.png"))),
                jsonRows(out, "versions/v0002/rejects").stream().map(r -> r.<String>getAs("source")).toList());

        // the report of a later version still lists it: rejects stay in the directory of the version that found them
        image(in.resolve("a/12.png"), 12);
        assertEquals(0, incremental(in, out).exitCode());
        String report = Files.readString(out.resolve("report.html"));
        assertTrue(report.contains("Rejects (1)") && report.contains("a/broken.png"), "version 3's report");
    }

    @Test
    void aJobReadingAVersionedOutputSeesOnlyItsCurrentImages() throws Exception {
        Path in = tmp.resolve("in");
        for (int i = 0; i < 6; i++) {
            write(in.resolve("a/" + i + ".png"), ImageFixtures.png(ImageFixtures.grey(8, 8, i)));
            write(in.resolve("b/" + i + ".png"), ImageFixtures.png(ImageFixtures.grey(8, 8, 100 + i)));
        }
        Path out = tmp.resolve("out");
        String[] eight = {"--set", "prepare.input=" + in, "--set", "prepare.output=" + out, "--set",
                "prepare.mode=incremental", "--set", "prepare.size=8", "--set", "prepare.validation-fraction=0.3"};
        assertEquals(0, capturePrinted(() -> PrepareJob.run(eight)).exitCode());
        Files.delete(in.resolve("a/0.png"));
        Files.delete(in.resolve("b/0.png"));
        write(in.resolve("a/1.png"), ImageFixtures.png(ImageFixtures.grey(8, 8, 41)));
        write(in.resolve("b/new.png"), ImageFixtures.png(ImageFixtures.grey(8, 8, 42)));
        assertEquals(0, capturePrinted(() -> PrepareJob.run(eight)).exitCode());
        assertEquals(11, manifest(out).images()); // the shards hold 14 rows, 3 of them removed
        assertTrue(Files.readString(out.resolve("report.html")).contains("11 images prepared"), "version 2's report");

        // what a scheduled AugmentJob varies with augment.versions = newest: the changed a/1.png and the new b/new.png
        Map<Integer, Integer> newest = new TreeMap<>();
        for (Row r : PreparedShards.images(spark, out.toString(), manifest(out), PreparedColumns.BOTH_SPLITS, true)
                .collectAsList()) {
            LabeledImage image = PreparedShards.image(r);
            newest.put(image.label(), image.pixels()[0] & 0xFF);
        }
        assertEquals(Map.of(0, 41 * 29 & 0xFF, 1, 42 * 29 & 0xFF), newest, "label -> first pixel of version 2's rows");

        Path classifier = tmp.resolve("classifier");
        List<String> args = new java.util.ArrayList<>();
        for (String set : concat(EvaluateJobTest.RECIPE, List.of("evaluate.mode=train-classifier",
                "evaluate.data=" + out, "evaluate.classifier=" + classifier))) {
            args.add("--set");
            args.add(set);
        }
        Run trained = capture(() -> EvaluateJob.run(args.toArray(String[]::new)));

        assertEquals(0, trained.exitCode(), trained.stderr());
        ClassifierInfo info = ClassifierInfo.fromJson(Files.readAllBytes(classifier.resolve("classifier.json")));
        assertEquals(11, info.trainImages() + info.validationImages());
        assertEquals(manifest(out).split().validation(), info.validationImages());
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    @Test
    void incrementalModeRefusesAFullOutputAndChangedSettings() throws Exception {
        Path in = tmp.resolve("in");
        image(in.resolve("a/0.png"), 0);
        Path full = tmp.resolve("full");
        assertEquals(0, prepare(in, full, TINY).exitCode());
        Printed onFull = incremental(in, full);
        assertEquals(2, onFull.exitCode());
        assertTrue(onFull.stderr().contains("was prepared in full mode"), onFull.stderr());

        Path out = tmp.resolve("out");
        assertEquals(0, incremental(in, out).exitCode());
        image(in.resolve("a/1.png"), 1);
        Printed bigger = capturePrinted(() -> PrepareJob.run("--set", "prepare.input=" + in, "--set",
                "prepare.output=" + out, "--set", "prepare.mode=incremental", "--set", "prepare.size=8",
                "--set", "prepare.validation-fraction=0.3"));
        assertEquals(2, bigger.exitCode());
        assertTrue(bigger.stderr().contains("prepare.size (4 -> 8)"), bigger.stderr());
        assertFalse(Files.exists(out.resolve("versions")));
        assertNull(manifest(full).versions());
    }

    // --- helpers

    /** Exit code, stdout and stderr of one run. */
    record Printed(int exitCode, String stdout, String stderr) {
        List<String> stdoutLines() {
            return stdout.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    private static Printed incremental(Path in, Path out) {
        return capturePrinted(() -> PrepareJob.run("--set", "prepare.input=" + in, "--set", "prepare.output=" + out,
                "--set", "prepare.mode=incremental", "--set", TINY[0], "--set", TINY[1]));
    }

    private static Printed capturePrinted(java.util.function.IntSupplier job) {
        PrintStream original = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            Run run = capture(job);
            return new Printed(run.exitCode(), printed.toString(StandardCharsets.UTF_8), run.stderr());
        } finally {
            System.setOut(original);
        }
    }

    /** A tiny grey PNG whose content follows the seed (equal seeds, equal images). */
    private static void image(Path file, int seed) throws IOException {
        write(file, ImageFixtures.png(ImageFixtures.grey(4, 4, seed)));
    }

    private static List<Row> read(Path out, String split) throws IOException {
        return PreparedShards.images(spark, out.toString(), PreparedManifest.readFrom(out.toString(), new Configuration()),
                split).collectAsList();
    }

    /** id → "class name: pixels" of every image read through the manifest. */
    private static Map<String, String> imagesByClassName(Path out, PreparedManifest m) {
        Map<String, String> images = new TreeMap<>();
        for (Row r : PreparedShards.images(spark, out.toString(), m, PreparedColumns.BOTH_SPLITS).collectAsList()) {
            LabeledImage image = PreparedShards.image(r);
            String previous = images.put(image.id(), m.classNames().get(image.label()) + ": "
                    + java.util.Arrays.toString(image.pixels()));
            assertNull(previous, "one row per id");
        }
        return images;
    }

    /** Every file under a directory with its bytes (Base64) and modification time. */
    private static Map<Path, String> contents(Path dir) throws IOException {
        Map<Path, String> files = new HashMap<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                files.put(dir.relativize(p), Files.getLastModifiedTime(p) + " "
                        + java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(p)));
            }
        }
        return files;
    }
}
