package io.sparkdiffusion.jobs;

import io.sparkdiffusion.image.ImageFixtures;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkdiffusion.data.IdxImages;
import io.sparkdiffusion.data.IdxWriter;
import io.sparkdiffusion.data.PreparedManifest;
import io.sparkdiffusion.image.ImageShape;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PrepareJob on good corpora: labeled and unlabeled trees, every image format, idx files, duplicates. */
class PrepareJobTest extends SparkPrepareTest {

    @TempDir
    Path tmp;

    @Test
    void labeledTreeBecomesShardsWithManifestStatisticsAndSplit() throws Exception {
        // 3 classes, 8x8 RGB PNGs: stored as they are (no resize), so the statistics can be checked from the sources.
        Path in = tmp.resolve("in");
        Map<String, BufferedImage> sources = new HashMap<>();
        Map<String, Integer> labelOf = new HashMap<>();
        String[] classes = {"zebra", "ant", "moth"}; // labels follow the sorted names: ant 0, moth 1, zebra 2
        int seed = 0;
        for (String cls : classes) {
            for (int i = 0; i < 7; i++) {
                BufferedImage img = ImageFixtures.rgb(8, 8, seed++);
                Path file = in.resolve(cls).resolve(i % 2 == 0 ? "deeper/img" + i + ".png" : "img" + i + ".png");
                write(file, ImageFixtures.png(img));
                sources.put(uri(file), img);
                labelOf.put(uri(file), List.of("ant", "moth", "zebra").indexOf(cls));
            }
        }
        write(in.resolve("ant/readme.txt"), "not matched by the glob".getBytes(StandardCharsets.UTF_8));
        Path out = tmp.resolve("out");

        Run run = prepare(in, out, "prepare.size=8", "prepare.channels=3", "prepare.validation-fraction=0.3",
                "prepare.rows-per-shard=8");

        assertEquals(0, run.exitCode(), run.stderr());
        assertTrue(Files.exists(out.resolve("_SUCCESS")));
        assertEquals(List.of("_SUCCESS", "duplicates", "manifest.json", "rejects", "report.html", "shards"), listing(out));
        String report = Files.readString(out.resolve("report.html"));
        assertTrue(report.contains("<tr><td class=\"num\">2</td><td>zebra</td><td class=\"num\">7</td></tr>"),
                "the report's class table: label, name, images");
        assertTrue(report.contains("<tr><th>images kept</th><td>21</td></tr>"), "the report's counts");
        assertEquals(List.of("in", "out"), listing(tmp), "no staging directory left beside the output");
        PreparedManifest m = manifest(out);
        assertEquals(List.of("ant", "moth", "zebra"), m.classNames());
        assertEquals(Map.of("ant", 7L, "moth", 7L, "zebra", 7L), m.imagesPerClass());
        assertEquals(new ImageShape(3, 8, 8), m.shape());
        assertEquals(21, m.images());
        assertEquals(21, m.files());
        assertEquals(0, m.rejected());
        assertEquals(0, m.duplicates());
        assertEquals("class-folders", m.layout());
        assertEquals(3, m.shards().files(), "21 rows at 8 per shard");
        assertEquals(8, ((Number) m.parameters().get("size")).intValue());

        List<Row> rows = shardRows(out);
        assertEquals(21, rows.size());
        long[] sum = new long[3];
        long[] sumSq = new long[3];
        int validation = 0;
        for (Row row : rows) {
            String source = row.getAs("source");
            BufferedImage expected = sources.get(source);
            assertTrue(expected != null, "unexpected source " + source);
            assertEquals(labelOf.get(source).intValue(), (int) row.getAs("label"));
            assertEquals(sha256Hex(source).substring(0, 32), row.getAs("id"));
            assertEquals(8, (int) row.getAs("height"));
            assertEquals(8, (int) row.getAs("width"));
            assertEquals(3, (int) row.getAs("channels"));
            byte[] pixels = row.getAs("pixels");
            assertArrayEquals(chw(expected), pixels, source);
            boolean isValidation = Long.parseLong(sha256Hex(source).substring(0, 8), 16) < 0.3 * 4294967296.0;
            assertEquals(isValidation ? "validation" : "train", row.getAs("split"));
            validation += isValidation ? 1 : 0;
            for (int c = 0; c < 3; c++) {
                for (int i = c * 64; i < (c + 1) * 64; i++) {
                    int v = pixels[i] & 0xFF;
                    sum[c] += v;
                    sumSq[c] += (long) v * v;
                }
            }
        }
        assertEquals(validation, m.split().validation());
        assertEquals(21 - validation, m.split().train());
        long n = 21L * 64;
        for (int c = 0; c < 3; c++) {
            double mean = sum[c] / (double) n;
            double std = Math.sqrt(sumSq[c] / (double) n - mean * mean);
            assertEquals(mean / 255, m.pixelStatistics().mean()[c], 1e-9, "mean of channel " + c);
            assertEquals(std / 255, m.pixelStatistics().std()[c], 1e-9, "std of channel " + c);
        }
    }

    @Test
    void hiddenClassFoldersAreReportedInTheManifestAsSkipped() throws Exception {
        Path in = tmp.resolve("in");
        for (String folder : List.of("cats", "_drafts", ".cache")) {
            write(in.resolve(folder).resolve("a.png"), ImageFixtures.png(ImageFixtures.grey(8, 8, folder.length())));
        }
        Path out = tmp.resolve("out");

        Run run = prepare(in, out, "prepare.size=8", "prepare.validation-fraction=0");

        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals(List.of("cats"), manifest(out).classNames());
        assertEquals(1, manifest(out).images());
        JsonNode skipped = new ObjectMapper().readTree(out.resolve("manifest.json").toFile()).path("skippedFolders");
        assertEquals("[\".cache\",\"_drafts\"]", skipped.toString(), "skipped by name, sorted");
    }

    @Test
    void everyFormatSizeAndChannelCountEndsInOneShape() throws Exception {
        Path in = tmp.resolve("in");
        write(in.resolve("a/rgb.png"), ImageFixtures.png(ImageFixtures.rgb(40, 24, 1)));
        write(in.resolve("a/rgba.png"), ImageFixtures.rgbaPng(20, 20, 0x336699, 100));
        write(in.resolve("a/palette.png"), ImageFixtures.palettePng(16, 12));
        write(in.resolve("a/grey16.png"), ImageFixtures.grey16Png(9, 30, 77));
        write(in.resolve("b/grey.jpg"), ImageFixtures.jpeg(ImageFixtures.grey(32, 32, 3), false));
        write(in.resolve("b/progressive.jpeg"), ImageFixtures.jpeg(ImageFixtures.rgb(25, 17, 4), true));
        write(in.resolve("b/cmyk.jpg"), ImageFixtures.cmykJpeg(16, 16, 0, 255, 255, 0));
        write(in.resolve("b/pic.bmp"), ImageFixtures.bmp(ImageFixtures.rgb(11, 13, 5)));
        write(in.resolve("b/anim.gif"), ImageFixtures.gif(6, 6, 0x00FF00));
        Path out = tmp.resolve("out");

        Run run = prepare(in, out, "prepare.size=12", "prepare.channels=3", "prepare.max-reject-fraction=0");

        assertEquals(0, run.exitCode(), run.stderr());
        PreparedManifest m = manifest(out);
        assertEquals(9, m.images());
        assertEquals(0, m.rejected());
        for (Row row : shardRows(out)) {
            assertEquals(3 * 12 * 12, ((byte[]) row.getAs("pixels")).length, (String) row.getAs("source"));
        }
        // the CMYK JPEG is red, the GIF green, the half-transparent one lighter than its colour
        Map<String, byte[]> byName = new HashMap<>();
        shardRows(out).forEach(r -> byName.put(((String) r.getAs("source")).replaceAll(".*/", ""), r.getAs("pixels")));
        assertEquals(255, byName.get("cmyk.jpg")[0] & 0xFF, 3);
        assertEquals(0, byName.get("cmyk.jpg")[144] & 0xFF, 3);
        assertEquals(255, byName.get("anim.gif")[144] & 0xFF);
        assertTrue((byName.get("rgba.png")[0] & 0xFF) > 0x33, "alpha over white lightens");
    }

    @Test
    void unlabeledTreeHasNoClasses() throws Exception {
        Path in = tmp.resolve("in");
        write(in.resolve("top.png"), ImageFixtures.png(ImageFixtures.grey(10, 10, 1)));
        write(in.resolve("x/y/deep.png"), ImageFixtures.png(ImageFixtures.grey(10, 10, 2)));
        write(in.resolve("x/mid.png"), ImageFixtures.png(ImageFixtures.grey(10, 10, 3)));
        Path out = tmp.resolve("out");

        Run run = prepare(in, out, "prepare.layout=unlabeled", "prepare.size=5", "prepare.channels=1");

        assertEquals(0, run.exitCode(), run.stderr());
        PreparedManifest m = manifest(out);
        assertEquals(List.of(), m.classNames());
        assertEquals(3, m.images());
        assertEquals(new ImageShape(1, 5, 5), m.shape());
        for (Row row : shardRows(out)) {
            assertEquals(-1, (int) row.getAs("label"));
        }
    }

    @Test
    void idxFileWithLabels() throws Exception {
        int count = 30;
        byte[] pixels = new byte[count * 28 * 28];
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = i % 3;
            for (int j = 0; j < 28 * 28; j++) {
                pixels[i * 784 + j] = (byte) (i * 7 + j);
            }
        }
        Path dir = tmp.resolve("idx");
        Files.createDirectories(dir);
        ByteArrayOutputStream images = new ByteArrayOutputStream();
        IdxWriter.writeImages(new IdxImages(count, 28, 28, pixels), images, true);
        write(dir.resolve("train-images-idx3-ubyte.gz"), images.toByteArray());
        ByteArrayOutputStream labelBytes = new ByteArrayOutputStream();
        IdxWriter.writeLabels(labels, labelBytes, false);
        write(dir.resolve("train-labels-idx1-ubyte"), labelBytes.toByteArray());
        Path out = tmp.resolve("out");

        Run run = prepare(dir.resolve("train-images-idx3-ubyte.gz"), out, "prepare.layout=idx", "prepare.size=28",
                "prepare.channels=1", "prepare.labels=" + dir.resolve("train-labels-idx1-ubyte"),
                "prepare.class-names=[red, green, blue]");

        assertEquals(0, run.exitCode(), run.stderr());
        PreparedManifest m = manifest(out);
        assertEquals(List.of("red", "green", "blue"), m.classNames());
        assertEquals(Map.of("red", 10L, "green", 10L, "blue", 10L), m.imagesPerClass());
        List<Row> rows = shardRows(out);
        assertEquals(count, rows.size());
        for (Row row : rows) {
            String source = row.getAs("source");
            int index = Integer.parseInt(source.substring(source.indexOf('#') + 1));
            assertTrue(source.startsWith(uri(dir.resolve("train-images-idx3-ubyte.gz")) + "#"), source);
            assertEquals(labels[index], (int) row.getAs("label"));
            byte[] expected = java.util.Arrays.copyOfRange(pixels, index * 784, (index + 1) * 784);
            assertArrayEquals(expected, (byte[]) row.getAs("pixels"), source);
        }
    }

    @Test
    void exactDuplicatesAreDroppedKeepingTheFirstSource() throws Exception {
        Path in = tmp.resolve("in");
        BufferedImage picture = ImageFixtures.solid(8, 8, 0xFF405060, BufferedImage.TYPE_3BYTE_BGR);
        write(in.resolve("b/copy.png"), ImageFixtures.png(picture));
        write(in.resolve("a/original.png"), ImageFixtures.png(picture));
        write(in.resolve("a/same-as-bmp.bmp"), ImageFixtures.bmp(picture));
        for (int i = 0; i < 5; i++) {
            write(in.resolve("b/unique" + i + ".png"), ImageFixtures.png(ImageFixtures.rgb(8, 8, i)));
        }
        for (int attempt = 0; attempt < 2; attempt++) { // deterministic: the same choice every run
            Path out = tmp.resolve("out" + attempt);
            Run run = prepare(in, out, "prepare.size=8", "prepare.channels=3");
            assertEquals(0, run.exitCode(), run.stderr());
            PreparedManifest m = manifest(out);
            assertEquals(8, m.files());
            assertEquals(6, m.images());
            assertEquals(2, m.duplicates());
            List<String> kept = shardRows(out).stream().map(r -> (String) r.getAs("source")).toList();
            assertTrue(kept.contains(uri(in.resolve("a/original.png"))), kept.toString());
            List<Row> dups = jsonRows(out, "duplicates");
            assertEquals(List.of(uri(in.resolve("a/same-as-bmp.bmp")), uri(in.resolve("b/copy.png"))),
                    dups.stream().map(r -> (String) r.getAs("source")).toList());
            for (Row dup : dups) {
                assertEquals(uri(in.resolve("a/original.png")), dup.getAs("duplicate_of"));
            }
        }
    }

    /** The reference CHW bytes of an RGB image, straight from getRGB. */
    private static byte[] chw(BufferedImage img) {
        int h = img.getHeight();
        int w = img.getWidth();
        byte[] out = new byte[3 * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                out[y * w + x] = (byte) (rgb >> 16);
                out[h * w + y * w + x] = (byte) (rgb >> 8);
                out[2 * h * w + y * w + x] = (byte) rgb;
            }
        }
        return out;
    }

    private static String sha256Hex(String text) throws Exception {
        byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        StringBuilder s = new StringBuilder();
        for (byte b : d) {
            s.append(String.format("%02x", b));
        }
        return s.toString();
    }
}
