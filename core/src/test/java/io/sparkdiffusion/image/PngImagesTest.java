package io.sparkdiffusion.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class PngImagesTest {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @Test
    void grayscaleRoundTripsExactly() throws IOException {
        byte[] pixels = randomBytes(5 * 7, 1);
        byte[] png = PngImages.encode(pixels, 1, 5, 7);
        assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(png, 8));
        Uint8Image decoded = PngImages.decode(png);
        assertEquals(new ImageShape(1, 5, 7), decoded.shape());
        assertArrayEquals(pixels, decoded.pixels());
    }

    @Test
    void rgbRoundTripsExactlyWithChannelsInPlace() throws IOException {
        int h = 4;
        int w = 6;
        byte[] pixels = randomBytes(3 * h * w, 2);
        // Mark one pixel per channel so a channel swap (BGR!) would show.
        pixels[0] = (byte) 200;            // R at (0, 0)
        pixels[h * w] = (byte) 10;         // G at (0, 0)
        pixels[2 * h * w] = (byte) 99;     // B at (0, 0)
        Uint8Image decoded = PngImages.decode(PngImages.encode(pixels, 3, h, w));
        assertEquals(new ImageShape(3, h, w), decoded.shape());
        assertArrayEquals(pixels, decoded.pixels());
        assertEquals(200, decoded.get(0, 0, 0));
        assertEquals(10, decoded.get(1, 0, 0));
        assertEquals(99, decoded.get(2, 0, 0));
    }

    @Test
    void tensorIsQuantizedToBytes() throws IOException {
        INDArray chw = Nd4j.create(new float[]{-1f, 0f, 1f, 0.5f, -3f, 2f}, new long[]{1, 2, 3}, 'c');
        Uint8Image decoded = PngImages.decode(PngImages.encode(chw));
        assertArrayEquals(new byte[]{0, (byte) 128, (byte) 255, (byte) 191, 0, (byte) 255}, decoded.pixels());

        INDArray rgb = Nd4j.zeros(3, 2, 2).subi(1); // all −1 → black
        rgb.putScalar(new long[]{1, 1, 0}, 1.0);    // green at row 1, column 0
        Uint8Image color = PngImages.decode(PngImages.encode(rgb));
        assertEquals(255, color.get(1, 1, 0));
        assertEquals(0, color.get(0, 1, 0));
        assertEquals(0, color.get(1, 0, 0));
    }

    @Test
    void garbageIsAnIOException() {
        IOException e = assertThrows(IOException.class, () -> PngImages.decode(new byte[]{1, 2, 3, 4}));
        assertEquals("not a readable image (4 bytes)", e.getMessage());
    }

    @Test
    void wrongLengthOrChannelsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> PngImages.encode(new byte[5], 1, 2, 3));
        assertThrows(IllegalArgumentException.class, () -> PngImages.encode(new byte[8], 2, 2, 2));
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        b[0] = 0;
        b[n - 1] = (byte) 255;
        return b;
    }

    @Test
    void anImageOverThePixelLimitIsRefusedFromItsHeader() throws IOException {
        byte[] bomb = greyPngHeaderOnly(20_000, 20_000); // 400 million pixels in 70 bytes

        IOException e = assertThrows(IOException.class, () -> PngImages.decode(bomb));
        assertTrue(e.getMessage().startsWith("too large: 20000x20000 is over 16777216 pixels"), e.getMessage());
    }

    /** A valid PNG signature and header of an 8-bit grey image, then an empty compressed stream and the end. */
    private static byte[] greyPngHeaderOnly(int width, int height) throws IOException {
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(png, "IHDR", ihdr.array());
        java.io.ByteArrayOutputStream idat = new java.io.ByteArrayOutputStream();
        try (java.util.zip.DeflaterOutputStream z = new java.util.zip.DeflaterOutputStream(idat)) {
            z.write(new byte[16]);
        }
        chunk(png, "IDAT", idat.toByteArray());
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(java.io.ByteArrayOutputStream png, String type, byte[] data) throws IOException {
        java.io.DataOutputStream out = new java.io.DataOutputStream(png);
        out.writeInt(data.length);
        byte[] typeAndData = new byte[4 + data.length];
        System.arraycopy(type.getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, typeAndData, 0, 4);
        System.arraycopy(data, 0, typeAndData, 4, data.length);
        out.write(typeAndData);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(typeAndData);
        out.writeInt((int) crc.getValue());
    }
}
