package io.sparkdiffusion.image;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * 8-bit PNG encoding and decoding of CHW images. One channel is written as grayscale, three as RGB.
 *
 * <p>Streams are memory-cached explicitly: ImageIO's default disk cache would write temp files on every
 * executor, and its global switch ({@code ImageIO.setUseCache}) is not ours to flip.
 */
public final class PngImages {
    /** The most pixels {@link #decode(byte[])} accepts: the largest image this project makes (a side of 4096). */
    public static final long MAX_PIXELS = 4096L * 4096;

    private PngImages() {
    }

    /** A [C, H, W] tensor in [−1, 1] (C = 1 or 3) → PNG bytes; values are quantized as in {@link Pixels}. */
    public static byte[] encode(INDArray chw) {
        return encode(Pixels.toImage(chw));
    }

    /** uint8 CHW values → PNG bytes. */
    public static byte[] encode(byte[] chw, int channels, int height, int width) {
        return encode(new Uint8Image(channels, height, width, chw));
    }

    public static byte[] encode(Uint8Image image) {
        BufferedImage buffered = toBufferedImage(image);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(image.pixels().length + 256);
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            if (!ImageIO.write(buffered, "png", out)) {
                throw new IllegalStateException("no PNG writer available in this JVM");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("PNG encoding failed", e); // in-memory: not expected
        }
        return bytes.toByteArray();
    }

    /**
     * PNG bytes → uint8 CHW, refusing more than {@link #MAX_PIXELS}. Grayscale PNGs (8 or 16 bit) give one channel,
     * everything else three (RGB); an alpha channel is dropped.
     *
     * @throws IOException when the bytes are not a readable PNG (or other ImageIO format), or too large
     */
    public static Uint8Image decode(byte[] png) throws IOException {
        return decode(png, MAX_PIXELS);
    }

    /**
     * As {@link #decode(byte[])}, refusing an image with more than {@code maxPixels} pixels by its header, before its
     * pixels are allocated.
     */
    public static Uint8Image decode(byte[] png, long maxPixels) throws IOException {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(png))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IOException("not a readable image (" + png.length + " bytes)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                if ((long) width * height > maxPixels) {
                    throw new IOException("too large: " + width + "x" + height + " is over " + maxPixels
                            + " pixels (not decoded)");
                }
                return fromBufferedImage(reader.read(0));
            } finally {
                reader.dispose();
            }
        }
    }

    static BufferedImage toBufferedImage(Uint8Image image) {
        int c = image.channels();
        int h = image.height();
        int w = image.width();
        BufferedImage img = new BufferedImage(w, h, c == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR);
        WritableRaster raster = img.getRaster();
        // Raster bands are R, G, B whatever the byte layout; write them straight, no colour conversion.
        int[] plane = new int[h * w];
        byte[] p = image.pixels();
        for (int band = 0; band < c; band++) {
            int offset = band * h * w;
            for (int i = 0; i < plane.length; i++) {
                plane[i] = p[offset + i] & 0xFF;
            }
            raster.setSamples(0, 0, w, h, band, plane);
        }
        return img;
    }

    static Uint8Image fromBufferedImage(BufferedImage img) {
        int h = img.getHeight();
        int w = img.getWidth();
        boolean gray = img.getColorModel().getNumColorComponents() == 1;
        if (gray) {
            // Read the raster, not getRGB(): getRGB would pass gray through a colour-space conversion.
            Raster raster = img.getRaster();
            int bits = raster.getSampleModel().getSampleSize(0);
            int[] plane = raster.getSamples(0, 0, w, h, 0, new int[h * w]);
            byte[] out = new byte[h * w];
            for (int i = 0; i < out.length; i++) {
                out[i] = (byte) (bits > 8 ? plane[i] >> (bits - 8) : plane[i] * 255 / ((1 << bits) - 1));
            }
            return new Uint8Image(1, h, w, out);
        }
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        byte[] out = new byte[3 * h * w];
        for (int i = 0; i < argb.length; i++) {
            out[i] = (byte) (argb[i] >> 16);
            out[h * w + i] = (byte) (argb[i] >> 8);
            out[2 * h * w + i] = (byte) argb[i];
        }
        return new Uint8Image(3, h, w, out);
    }
}
