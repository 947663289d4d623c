package io.sparkdiffusion.jobs;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/** Image files of every kind PrepareJob must read, made in memory with ImageIO (as core's ImageFixtures). */
public final class CorpusFixtures {

    private CorpusFixtures() {
    }

    /** An RGB picture with a pattern that depends on the seed (so different seeds are different images). */
    public static BufferedImage rgb(int width, int height, int seed) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r = (x * 255 / Math.max(1, width - 1) + seed * 37) & 0xFF;
                int g = (y * 255 / Math.max(1, height - 1) + seed * 11) & 0xFF;
                int b = ((x + y) * 13 + seed * 101) & 0xFF;
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return img;
    }

    public static BufferedImage grey(int width, int height, int seed) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster r = img.getRaster();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                r.setSample(x, y, 0, (x * 16 + y * 3 + seed * 29) & 0xFF);
            }
        }
        return img;
    }

    /** One colour; for grey types the raster gets the blue byte as is (setRGB would convert it to linear grey). */
    public static BufferedImage solid(int width, int height, int argb, int type) {
        BufferedImage img = new BufferedImage(width, height, type);
        if (type == BufferedImage.TYPE_BYTE_GRAY) {
            int[] samples = new int[width * height];
            Arrays.fill(samples, argb & 0xFF);
            img.getRaster().setSamples(0, 0, width, height, 0, samples);
            return img;
        }
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, argb);
            }
        }
        return img;
    }

    /** 16-bit grey PNG with sample value v·257 everywhere (so its high byte is v). */
    public static byte[] grey16Png(int width, int height, int v) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_USHORT_GRAY);
        int[] samples = new int[width * height];
        Arrays.fill(samples, v * 257);
        img.getRaster().setSamples(0, 0, width, height, 0, samples);
        return encode(img, "png");
    }

    /** 16-bit-per-channel RGB PNG, every pixel (r, g, b)·257. */
    public static byte[] rgb16Png(int width, int height, int r, int g, int b) {
        java.awt.color.ColorSpace srgb = java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_sRGB);
        java.awt.image.ComponentColorModel cm = new java.awt.image.ComponentColorModel(srgb, false, false,
                java.awt.Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster raster = cm.createCompatibleWritableRaster(width, height);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                raster.setPixel(x, y, new int[]{r * 257, g * 257, b * 257});
            }
        }
        return encode(new BufferedImage(cm, raster, false, null), "png");
    }

    /** A palette (indexed) PNG: left half palette entry 0 (red), right half entry 1 (blue). */
    public static byte[] palettePng(int width, int height) {
        byte[] r = {(byte) 255, 0};
        byte[] g = {0, 0};
        byte[] b = {0, (byte) 255};
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_BINARY, new IndexColorModel(1, 2, r, g, b));
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.getRaster().setSample(x, y, 0, x < width / 2 ? 0 : 1);
            }
        }
        return encode(img, "png");
    }

    /** A GIF (palette) of a solid colour. */
    public static byte[] gif(int width, int height, int rgb) {
        return encode(solid(width, height, rgb, BufferedImage.TYPE_INT_RGB), "gif");
    }

    /** An RGBA PNG of one colour with the given alpha. */
    public static byte[] rgbaPng(int width, int height, int rgb, int alpha) {
        return encode(solid(width, height, (alpha << 24) | (rgb & 0xFFFFFF), BufferedImage.TYPE_INT_ARGB), "png");
    }

    public static byte[] png(BufferedImage img) {
        return encode(img, "png");
    }

    public static byte[] bmp(BufferedImage img) {
        return encode(img, "bmp");
    }

    public static byte[] jpeg(BufferedImage img, boolean progressive) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.95f);
        if (progressive) {
            param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
        }
        return write(writer, new IIOImage(img, null, null), param);
    }

    /**
     * A CMYK JPEG as Adobe software writes it: four components stored inverted, an APP14 "Adobe" marker
     * with transform 0 (no colour transform), no ICC profile. The JDK's reader cannot read it; TwelveMonkeys'
     * can. Every pixel has the given CMYK ink (0 = none, 255 = full).
     */
    public static byte[] cmykJpeg(int width, int height, int c, int m, int y, int k) {
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, width, height, 4, null);
        int[] stored = {255 - c, 255 - m, 255 - y, 255 - k};
        for (int row = 0; row < height; row++) {
            for (int x = 0; x < width; x++) {
                raster.setPixel(x, row, stored);
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(1f);
        byte[] plain = write(writer, new IIOImage(raster, null, null), param);
        byte[] adobe = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0};
        int rest = 2;
        if ((plain[2] & 0xFF) == 0xFF && (plain[3] & 0xFF) == 0xE0) { // drop a JFIF APP0: JFIF means 1 or 3 components
            rest = 4 + (((plain[4] & 0xFF) << 8) | (plain[5] & 0xFF));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(plain, 0, 2);
        out.write(adobe, 0, adobe.length);
        out.write(plain, rest, plain.length - rest);
        return out.toByteArray();
    }

    public static byte[] encode(BufferedImage img, String format) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, format, bytes)) {
                throw new IllegalStateException("no " + format + " writer for " + img);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static byte[] write(ImageWriter writer, IIOImage image, ImageWriteParam param) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, image, param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    public static byte[] truncated(byte[] file, int keep) {
        return Arrays.copyOf(file, keep);
    }
}
