package io.sparkdiffusion.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import io.sparkdiffusion.data.IdxImages;
import io.sparkdiffusion.data.IdxWriter;
import io.sparkdiffusion.data.PreparedManifest;
import io.sparkdiffusion.image.ImageFixtures;
import io.sparkdiffusion.jobs.prepare.PrepareFileFixtures;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Which input files PrepareJob reads at all: regular files inside the root, up to a byte cap; the rest are rejects. */
class PrepareJobInputFilesTest extends SparkPrepareTest {
    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS) // before the fix the task blocked for ever opening the FIFO
    void fifoIsRejectedNotRead() throws Exception {
        Path in = goodImages(tmp.resolve("in"), 4);
        PrepareFileFixtures.mkfifo(in.resolve("cats/x.png"));

        Map<String, String> rejects = rejects(in, tmp.resolve("out"));

        assertEquals(List.of("cats/x.png"), List.copyOf(rejects.keySet()));
        assertTrue(rejects.get("cats/x.png").startsWith("not a regular file"), rejects.toString());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void symlinkOutsideRootIsRejected() throws Exception {
        Path in = goodImages(tmp.resolve("in"), 4);
        Path outside = goodImages(tmp.resolve("elsewhere"), 2); // elsewhere/cats/0.png, 1.png: valid, other pixels
        Files.write(outside.resolve("cats/0.png"), ImageFixtures.png(ImageFixtures.rgb(10, 10, 99)));
        Files.createSymbolicLink(in.resolve("cats/leak.png"), outside.resolve("cats/0.png"));
        Files.createSymbolicLink(in.resolve("dogs"), outside.resolve("cats")); // a linked class folder leading out
        Files.createSymbolicLink(in.resolve("cats/zero.png"), Path.of("/dev/zero"));
        // A link that stays inside the root is followed (a copy of cats/0.png: a duplicate, not a reject).
        Files.createSymbolicLink(in.resolve("cats/inside.png"), in.resolve("cats/0.png"));

        Map<String, String> rejects = rejects(in, tmp.resolve("out"));

        assertEquals(List.of("cats/leak.png", "cats/zero.png", "dogs/0.png", "dogs/1.png"), List.copyOf(rejects.keySet()));
        assertTrue(rejects.get("cats/leak.png").startsWith("a symbolic link leading outside the input root"), rejects.toString());
        assertTrue(rejects.get("cats/zero.png").startsWith("a symbolic link leading outside the input root"), rejects.toString());
        assertTrue(rejects.get("dogs/0.png").startsWith("outside the input root through a linked folder"), rejects.toString());
        PreparedManifest m = manifest(tmp.resolve("out"));
        assertEquals(4, m.images());
        assertEquals(1, m.duplicates());
    }

    @Test
    void oversizedFileIsRejectedByByteCap() throws Exception {
        Path in = goodImages(tmp.resolve("in"), 4);
        byte[] big = ImageFixtures.png(ImageFixtures.rgb(64, 64, 7));
        assertTrue(big.length > 2_000, "the fixture is over the cap: " + big.length);
        write(in.resolve("cats/big.png"), big);

        Map<String, String> rejects = rejects(in, tmp.resolve("out"), "prepare.max-file-bytes=2000");

        assertEquals(List.of("cats/big.png"), List.copyOf(rejects.keySet()));
        assertEquals("too large: " + big.length + " bytes, over prepare.max-file-bytes = 2000: not read",
                rejects.get("cats/big.png"));
    }

    @Test
    void sixteenBitImageOverTheDecodeCapIsARejectNotADeadExecutor() throws Exception {
        Path in = goodImages(tmp.resolve("in"), 4); // 10x10 RGB: ~800 bytes each to prepare at size 8
        write(in.resolve("cats/deep.png"), ImageFixtures.rgb16Png(40, 40, 10, 20, 30)); // 16-bit RGB: ~17 KB

        Map<String, String> rejects = rejects(in, tmp.resolve("out"), "prepare.max-decode-bytes=5000");

        assertEquals(List.of("cats/deep.png"), List.copyOf(rejects.keySet()));
        assertTrue(rejects.get("cats/deep.png").startsWith("too large to decode: 40x40 of this type takes ~"),
                rejects.toString());
    }

    @Test
    void idxImagesOverMaxPixelsAreRefused() throws Exception {
        Path idx = tmp.resolve("images-idx3-ubyte");
        java.io.ByteArrayOutputStream images = new java.io.ByteArrayOutputStream();
        IdxWriter.writeImages(new IdxImages(3, 10, 10, new byte[300]), images, false);
        write(idx, images.toByteArray());

        Run run = prepare(idx, tmp.resolve("out"), "prepare.layout=idx", "prepare.labels=none", "prepare.max-pixels=50");

        assertEquals(2, run.exitCode(), run.stderr());
        assertTrue(run.stderr().contains("are 10x10 = 100 pixels, over prepare.max-pixels = 50"), run.stderr());
        assertEquals(List.of(), listing(tmp).stream().filter(n -> n.contains("out")).toList());
    }

    /** {@code n} small distinct PNGs in {@code root/cats}. */
    private static Path goodImages(Path root, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            write(root.resolve("cats/" + i + ".png"), ImageFixtures.png(ImageFixtures.rgb(10, 10, i)));
        }
        return root;
    }

    /** Runs the job (rejects allowed) and returns its rejects/ as path under the root → reason. */
    private Map<String, String> rejects(Path in, Path out, String... sets) {
        String[] all = new String[sets.length + 2];
        all[0] = "prepare.size=8";
        all[1] = "prepare.max-reject-fraction=0.9";
        System.arraycopy(sets, 0, all, 2, sets.length);
        Run run = prepare(in, out, all);
        assertEquals(0, run.exitCode(), run.stderr());
        String root = uri(in) + "/";
        Map<String, String> rejects = new TreeMap<>();
        for (Row row : jsonRows(out, "rejects")) {
            String source = row.getAs("source");
            rejects.put(source.startsWith(root) ? source.substring(root.length()) : source, row.getAs("reason"));
        }
        return rejects;
    }
}
