package io.sparkdiffusion.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;

import org.junit.jupiter.api.Test;

/** The whole per-file path: every format ends as size x size with the configured channels. */
class ImagePreparerTest {

    @Test
    void everyKindOfFileEndsInTheConfiguredShape() {
        byte[][] files = {
                ImageFixtures.png(ImageFixtures.rgb(40, 20, 1)),
                ImageFixtures.rgbaPng(12, 30, 0x336699, 200),
                ImageFixtures.palettePng(16, 16),
                ImageFixtures.grey16Png(9, 9, 50),
                ImageFixtures.jpeg(ImageFixtures.grey(20, 20, 0), false),
                ImageFixtures.cmykJpeg(24, 16, 10, 20, 30, 40),
                ImageFixtures.bmp(ImageFixtures.rgb(8, 8, 2)),
                ImageFixtures.gif(10, 14, 0x123456),
        };
        for (int channels : new int[]{1, 3}) {
            ImagePreparer preparer = new ImagePreparer(new PrepareOptions(8, channels, 0, 1_000_000));
            for (int i = 0; i < files.length; i++) {
                PreparedImage prepared = preparer.prepare(files[i]);
                assertTrue(prepared.ok(), "file " + i + ": " + prepared.reason());
                assertEquals(new ImageShape(channels, 8, 8), prepared.image().shape(), "file " + i);
                assertEquals(32, prepared.contentHash().length());
            }
        }
    }

    @Test
    void contentHashSeesDecodedContentNotTheEncoding() {
        ImagePreparer preparer = new ImagePreparer(new PrepareOptions(4, 3, 0, 1_000_000));
        BufferedImage picture = ImageFixtures.solid(6, 6, 0xFF405060, BufferedImage.TYPE_3BYTE_BGR);
        String png = preparer.prepare(ImageFixtures.png(picture)).contentHash();
        String bmp = preparer.prepare(ImageFixtures.bmp(picture)).contentHash();
        assertEquals(png, bmp);
        String other = preparer.prepare(ImageFixtures.png(ImageFixtures.solid(6, 6, 0xFF405061, BufferedImage.TYPE_3BYTE_BGR))).contentHash();
        assertNotEquals(png, other);
        byte[] pixels = {1, 2, 3, 4, 5, 6};
        assertNotEquals(ImagePreparer.contentHash(new Uint8Image(1, 2, 3, pixels)),
                ImagePreparer.contentHash(new Uint8Image(1, 3, 2, pixels)), "the shape is part of the content");
    }

    @Test
    void greyToOneChannelFromRgbUsesLuma() {
        ImagePreparer preparer = new ImagePreparer(new PrepareOptions(2, 1, 0, 1_000_000));
        PreparedImage p = preparer.prepare(ImageFixtures.png(ImageFixtures.solid(2, 2, 0xFF102030, BufferedImage.TYPE_INT_RGB)));
        int expected = (int) Math.round(0.299 * 0x10 + 0.587 * 0x20 + 0.114 * 0x30);
        assertEquals(expected, p.image().get(0, 1, 1));
    }

    @Test
    void decodedIdxImagesGoThroughTheSamePath() {
        ImagePreparer preparer = new ImagePreparer(new PrepareOptions(14, 3, 0, 1_000_000));
        byte[] pixels = new byte[28 * 28];
        java.util.Arrays.fill(pixels, (byte) 200);
        PreparedImage p = preparer.prepare(new Uint8Image(1, 28, 28, pixels));
        assertEquals(new ImageShape(3, 14, 14), p.image().shape());
        assertEquals(200, p.image().get(2, 13, 13));
        assertTrue(new ImagePreparer(new PrepareOptions(14, 1, 30, 1_000_000)).prepare(new Uint8Image(1, 28, 28, pixels))
                .reason().startsWith("too small"));
    }

    @Test
    void outOfMemoryWhileConvertingIsARejectNotACrash() {
        BufferedImage decoded = new BufferedImage(10, 10, BufferedImage.TYPE_INT_RGB) {
            @Override
            public java.awt.image.WritableRaster getRaster() {
                throw new OutOfMemoryError("Java heap space (a test)");
            }

            @Override
            public int[] getRGB(int x, int y, int w, int h, int[] rgb, int offset, int scansize) {
                throw new OutOfMemoryError("Java heap space (a test)");
            }
        };

        PreparedImage prepared = new ImagePreparer(new PrepareOptions(8, 3, 0, 1_000_000)).prepare(decoded);

        assertEquals("too large to convert in this executor's memory (10x10)", prepared.reason());
    }

    @Test
    void decodeMemoryCapCountsBitDepthAndBandsNotJustPixels() {
        // 40x40 each: 8-bit grey takes ~2 bytes a pixel to prepare, 16-bit grey+alpha ~13.
        byte[] grey8 = ImageFixtures.png(ImageFixtures.grey(40, 40, 1));
        byte[] greyAlpha16 = ImageFixtures.png(greyAlpha16(40, 40));
        ImagePreparer capped = new ImagePreparer(new PrepareOptions(8, 1, 0, 1_000_000, 10_000, Background.WHITE));

        assertTrue(capped.prepare(grey8).ok(), capped.prepare(grey8).reason());
        PreparedImage refused = capped.prepare(greyAlpha16);
        assertTrue(refused.reason().startsWith("too large to decode: 40x40 of this type takes ~22144 bytes, over "
                + "max-decode-bytes 10000"), refused.reason());
        assertTrue(new ImagePreparer(new PrepareOptions(8, 1, 0, 1_000_000, 22_144, Background.WHITE)).prepare(greyAlpha16).ok());
    }

    private static BufferedImage greyAlpha16(int width, int height) {
        java.awt.image.ComponentColorModel model = new java.awt.image.ComponentColorModel(
                java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_GRAY), true, false,
                java.awt.Transparency.TRANSLUCENT, java.awt.image.DataBuffer.TYPE_USHORT);
        java.awt.image.WritableRaster raster = model.createCompatibleWritableRaster(width, height);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                raster.setSample(x, y, 0, (x * 1500 + y * 7) & 0xFFFF);
                raster.setSample(x, y, 1, 0xFFFF);
            }
        }
        return new BufferedImage(model, raster, false, null);
    }
}
