package io.sparkdiffusion.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class IdxReaderTest {

    /** 3 images of 2×4 whose pixel (i, y, x) is 10·i + 4·y + x, with a 255 at the very end. */
    private static byte[] imageFile() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(2051);
        out.writeInt(3);
        out.writeInt(2);
        out.writeInt(4);
        for (int i = 0; i < 3; i++) {
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 4; x++) {
                    out.writeByte(i == 2 && y == 1 && x == 3 ? 255 : 10 * i + 4 * y + x);
                }
            }
        }
        return bytes.toByteArray();
    }

    private static byte[] labelFile(int... labels) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(2049);
        out.writeInt(labels.length);
        for (int label : labels) {
            out.writeByte(label);
        }
        return bytes.toByteArray();
    }

    private static byte[] gzip(byte[] plain) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(plain);
        }
        return bytes.toByteArray();
    }

    private static InputStream in(byte[] b) {
        return new ByteArrayInputStream(b);
    }

    @Test
    void readsPlainImages() throws IOException {
        IdxImages images = IdxReader.readImages(in(imageFile()));
        assertEquals(3, images.count());
        assertEquals(2, images.height());
        assertEquals(4, images.width());
        assertEquals(0, images.pixel(0, 0, 0));
        assertEquals(7, images.pixel(0, 1, 3));
        assertEquals(16, images.pixel(1, 1, 2));
        assertEquals(255, images.pixel(2, 1, 3)); // unsigned
        assertEquals(16, images.image(1).get(0, 1, 2));
        assertEquals(1, images.image(1).channels());
    }

    @Test
    void gzipIsDetectedByContentNotName() throws IOException {
        assertEquals(IdxReader.readImages(in(imageFile())), IdxReader.readImages(in(gzip(imageFile()))));
        assertArrayEquals(new int[]{0, 9, 255}, IdxReader.readLabels(in(gzip(labelFile(0, 9, 255)))));
        assertArrayEquals(new int[]{3, 1}, IdxReader.readLabels(in(labelFile(3, 1))));
    }

    @Test
    void wrongMagicNamesTheProblem() {
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(in(labelFile(1, 2))));
        assertEquals("not an idx image file: magic number 0x00000801 (an idx label file), expected 0x00000803 (2051)",
                e.getMessage());
        IdxFormatException png = assertThrows(IdxFormatException.class,
                () -> IdxReader.readLabels(in(new byte[]{(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 0})));
        assertTrue(png.getMessage().startsWith("not an idx label file: magic number 0x89504E47"), png.getMessage());
    }

    @Test
    void truncatedFilesNameTheShortfall() throws IOException {
        byte[] full = imageFile();
        IdxFormatException data = assertThrows(IdxFormatException.class,
                () -> IdxReader.readImages(in(Arrays.copyOf(full, full.length - 5))));
        assertEquals("idx image file truncated: expected 24 pixel bytes for 3 images of 2x4, got 19", data.getMessage());

        IdxFormatException header = assertThrows(IdxFormatException.class,
                () -> IdxReader.readImages(in(Arrays.copyOf(full, 10))));
        assertEquals("idx file truncated: the header ends before byte 12", header.getMessage());

        assertThrows(IdxFormatException.class, () -> IdxReader.readImages(in(new byte[0])));

        byte[] labels = labelFile(1, 2, 3);
        IdxFormatException shortLabels = assertThrows(IdxFormatException.class,
                () -> IdxReader.readLabels(in(Arrays.copyOf(labels, labels.length - 1))));
        assertEquals("idx label file truncated: expected 3 labels, got 2", shortLabels.getMessage());

        byte[] zipped = gzip(full);
        IdxFormatException cutGzip = assertThrows(IdxFormatException.class,
                () -> IdxReader.readImages(in(Arrays.copyOf(zipped, zipped.length - 12))));
        assertTrue(cutGzip.getMessage().startsWith("idx file truncated"), cutGzip.getMessage());
    }

    @Test
    void impossibleHeaderIsRejected() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(2051);
        out.writeInt(1);
        out.writeInt(0);
        out.writeInt(28);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(in(bytes.toByteArray())));
        assertEquals("idx image file has an impossible shape 1x0x28", e.getMessage());
    }

    @Test
    void writerOutputReadsBack() throws IOException {
        IdxImages images = IdxReader.readImages(in(imageFile()));
        for (boolean gz : new boolean[]{false, true}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            IdxWriter.writeImages(images, out, gz);
            assertEquals(images, IdxReader.readImages(in(out.toByteArray())));
            ByteArrayOutputStream labels = new ByteArrayOutputStream();
            IdxWriter.writeLabels(new int[]{7, 0, 200}, labels, gz);
            assertArrayEquals(new int[]{7, 0, 200}, IdxReader.readLabels(in(labels.toByteArray())));
        }
        assertArrayEquals(imageFile(), written(images));
    }

    private static byte[] written(IdxImages images) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        IdxWriter.writeImages(images, out, false);
        return out.toByteArray();
    }

    @Test
    void readsFashionMnistTestSetWhenInstalled() throws IOException {
        Path dir = Path.of(FashionMnist.DEBIAN_DIR);
        Assumptions.assumeTrue(Files.isReadable(dir.resolve(FashionMnist.TEST_IMAGES)), "dataset-fashion-mnist not installed");
        LabeledImages test;
        try (InputStream images = Files.newInputStream(dir.resolve(FashionMnist.TEST_IMAGES));
             InputStream labels = Files.newInputStream(dir.resolve(FashionMnist.TEST_LABELS))) {
            test = FashionMnist.read(images, labels);
        }
        assertEquals(10000, test.count());
        assertEquals(new io.sparkdiffusion.image.ImageShape(1, 28, 28), test.shape());
        int[] counts = test.countsPerClass();
        assertEquals(10, counts.length);
        for (int c : counts) {
            assertEquals(1000, c); // the test split is balanced
        }
    }

    @Test
    void imageShapeWhosePixelCountOverflowsAnIntIsRefused() throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(header);
        out.writeInt(IdxReader.IMAGES_MAGIC);
        out.writeInt(1);
        out.writeInt(65_536); // 65,536 x 65,536 = 2^32 pixels: 0 as an int
        out.writeInt(65_536);

        IdxFormatException e = assertThrows(IdxFormatException.class,
                () -> new IdxImageStream(new ByteArrayInputStream(header.toByteArray())));
        assertTrue(e.getMessage().contains("65536x65536"), e.getMessage());
    }
}
