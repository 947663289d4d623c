package io.sparkdiffusion.jobs;

import io.sparkdiffusion.image.ImageFixtures;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.sparkdiffusion.data.PreparedManifest;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PrepareJob on bad corpora and bad settings: reasons for every bad file, exit codes, nothing half-written. */
class PrepareJobBadInputTest extends SparkPrepareTest {

    @TempDir
    Path tmp;

    /** 12 good images in two classes and 6 bad files; returns the bad files' names → expected reason start. */
    private Map<String, String> corpusWithBadFiles(Path in) throws Exception {
        for (int i = 0; i < 6; i++) {
            write(in.resolve("cats/good" + i + ".png"), ImageFixtures.png(ImageFixtures.rgb(10, 10, i)));
            write(in.resolve("dogs/good" + i + ".jpg"), ImageFixtures.jpeg(ImageFixtures.rgb(12, 9, 10 + i), false));
        }
        // a JPEG named .png: decoded by its content, kept
        write(in.resolve("dogs/really-a-jpeg.png"), ImageFixtures.jpeg(ImageFixtures.rgb(10, 10, 40), false));
        byte[] png = ImageFixtures.png(ImageFixtures.rgb(16, 16, 50));
        byte[] jpeg = ImageFixtures.jpeg(ImageFixtures.rgb(32, 32, 51), false);
        Map<String, String> bad = new TreeMap<>();
        write(in.resolve("cats/empty.png"), new byte[0]);
        bad.put("cats/empty.png", "empty file");
        write(in.resolve("cats/notes.png"), "shopping list: milk".getBytes(StandardCharsets.UTF_8));
        bad.put("cats/notes.png", "not an image");
        write(in.resolve("cats/cut.png"), Arrays.copyOf(png, png.length / 2));
        bad.put("cats/cut.png", "corrupt or truncated");
        write(in.resolve("dogs/cut.jpg"), Arrays.copyOf(jpeg, jpeg.length / 2));
        bad.put("dogs/cut.jpg", "corrupt");
        write(in.resolve("dogs/text-named.gif"), "GIF? no.".getBytes(StandardCharsets.UTF_8));
        bad.put("dogs/text-named.gif", "not an image");
        write(in.resolve("stray.png"), png);
        bad.put("stray.png", "not inside a class folder");
        return bad;
    }

    @Test
    void badFilesAreListedWithReasonsAndEveryGoodImageIsKept() throws Exception {
        Path in = tmp.resolve("in");
        Map<String, String> bad = corpusWithBadFiles(in);
        Path out = tmp.resolve("out");

        Run run = prepare(in, out, "prepare.size=8", "prepare.channels=3", "prepare.max-reject-fraction=0.5");

        assertEquals(0, run.exitCode(), run.stderr());
        PreparedManifest m = manifest(out);
        assertEquals(19, m.files());
        assertEquals(6, m.rejected());
        assertEquals(13, m.images());
        assertEquals(Map.of("cats", 6L, "dogs", 7L), m.imagesPerClass());
        List<Row> rejects = jsonRows(out, "rejects");
        assertEquals(bad.keySet().stream().map(f -> uri(in.resolve(f))).sorted().toList(),
                rejects.stream().map(r -> (String) r.getAs("source")).toList());
        for (Row reject : rejects) {
            String file = in.relativize(Path.of(((String) reject.getAs("source")).substring("file:".length()))).toString();
            String reason = reject.getAs("reason");
            assertTrue(reason.startsWith(bad.get(file)), file + ": " + reason);
        }
        assertTrue(shardRows(out).stream().anyMatch(r -> ((String) r.getAs("source")).endsWith("really-a-jpeg.png")));
    }

    @Test
    void tooManyRejectsFailsWithOneLineAndWritesNothing() throws Exception {
        Path in = tmp.resolve("in");
        corpusWithBadFiles(in);
        Path out = tmp.resolve("out");

        Run run = prepare(in, out, "prepare.size=8", "prepare.max-reject-fraction=0.2");

        assertEquals(2, run.exitCode(), run.stderr());
        assertEquals(1, run.stderrLines().size(), run.stderr());
        assertTrue(run.stderr().startsWith("prepare: 6 of 19 input files (31.6%) could not be used, more than "
                + "prepare.max-reject-fraction = 0.2; e.g. "), run.stderr());
        assertFalse(Files.exists(out));
        assertEquals(List.of("in"), listing(tmp), "no staging directory left behind");
    }

    @Test
    void rerunIsRefusedWithoutOverwriteAndReplacesWithIt() throws Exception {
        Path in = tmp.resolve("in");
        for (int i = 0; i < 4; i++) {
            write(in.resolve("c/" + i + ".png"), ImageFixtures.png(ImageFixtures.grey(8, 8, i)));
        }
        Path out = tmp.resolve("out");
        assertEquals(0, prepare(in, out, "prepare.size=8").exitCode());
        byte[] manifestBefore = Files.readAllBytes(out.resolve("manifest.json"));
        List<String> shardsBefore = listing(out.resolve("shards"));

        Run refused = prepare(in, out, "prepare.size=4");
        assertEquals(2, refused.exitCode(), refused.stderr());
        assertEquals(List.of("prepare: output " + uri(out) + " already exists; remove it, choose another prepare.output, "
                + "or set prepare.overwrite=true to replace it"), refused.stderrLines());
        assertArrayEquals(manifestBefore, Files.readAllBytes(out.resolve("manifest.json")));
        assertEquals(shardsBefore, listing(out.resolve("shards")));

        Run replaced = prepare(in, out, "prepare.size=4", "prepare.overwrite=true");
        assertEquals(0, replaced.exitCode(), replaced.stderr());
        assertEquals(4, manifest(out).shape().height());
        assertNotEquals(shardsBefore, listing(out.resolve("shards")));
        assertTrue(Files.exists(out.resolve("_SUCCESS")));
        assertEquals(List.of("in", "out"), listing(tmp));
    }

    @Test
    void badSettingsAndInputsExitTwoWithOneLineAndWriteNothing() throws Exception {
        Path in = tmp.resolve("in");
        write(in.resolve("c/a.png"), ImageFixtures.png(ImageFixtures.grey(8, 8, 0)));
        Path empty = tmp.resolve("empty");
        write(empty.resolve("c/readme.txt"), "no images here".getBytes(StandardCharsets.UTF_8));
        Path out = tmp.resolve("out");
        Map<String, Run> runs = new TreeMap<>();
        runs.put("missing input", prepare(tmp.resolve("nope"), out));
        runs.put("empty corpus", prepare(empty, out));
        runs.put("size 0", prepare(in, out, "prepare.size=0"));
        runs.put("channels 2", prepare(in, out, "prepare.channels=2"));
        runs.put("channels text", prepare(in, out, "prepare.channels=rgb"));
        runs.put("unknown key", prepare(in, out, "prepare.sise=8"));
        runs.put("bad layout", prepare(in, out, "prepare.layout=flat"));
        runs.put("idx on a directory", prepare(in, out, "prepare.layout=idx"));
        for (Map.Entry<String, Run> e : runs.entrySet()) {
            assertEquals(2, e.getValue().exitCode(), e.getKey() + ": " + e.getValue().stderr());
            assertEquals(1, e.getValue().stderrLines().size(), e.getKey() + ": " + e.getValue().stderr());
            assertTrue(e.getValue().stderr().startsWith("prepare: "), e.getKey());
        }
        assertTrue(runs.get("missing input").stderr().contains("does not exist"));
        assertTrue(runs.get("empty corpus").stderr().contains("no files matching prepare.glob"));
        assertTrue(runs.get("size 0").stderr().contains("'prepare.size'"));
        assertTrue(runs.get("channels 2").stderr().contains("'prepare.channels'"));
        assertTrue(runs.get("unknown key").stderr().contains("prepare.size"), "suggests the right key");
        assertEquals(List.of("empty", "in"), listing(tmp), "nothing written, no staging directory");
    }

    @Test
    void helpListsTheKeysWithDefaults() {
        java.io.PrintStream original = System.out;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = PrepareJob.run("--help");
        } finally {
            System.setOut(original);
        }
        String help = captured.toString(StandardCharsets.UTF_8);
        assertEquals(0, code);
        for (String key : List.of("prepare.input", "prepare.output", "prepare.size = 28", "prepare.channels = 1",
                "prepare.overwrite = false", "prepare.max-reject-fraction", "prepare.validation-fraction",
                "prepare.rows-per-shard", "prepare.layout", "prepare.spark-master")) {
            assertTrue(help.contains(key), key + " in\n" + help);
        }
    }
}
