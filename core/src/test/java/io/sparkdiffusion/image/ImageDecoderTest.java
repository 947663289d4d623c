package io.sparkdiffusion.image;

import static io.sparkdiffusion.image.ImageFixtures.grey;
import static io.sparkdiffusion.image.ImageFixtures.rgb;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** Every input kind of the issue decodes to the right channels and values; bad files come back as reasons. */
class ImageDecoderTest {
    private final ImageDecoder decoder = new ImageDecoder(0, 10_000_000);

    private Uint8Image decode(byte[] file, int channels) {
        DecodeResult result = decoder.decode(file);
        assertTrue(result.ok(), "should decode, got: " + result.reason());
        return ChannelConverter.convert(result.image(), channels);
    }

    @Test
    void rgbPngIsExact() {
        BufferedImage source = rgb(9, 7, 3);
        Uint8Image image = decode(ImageFixtures.png(source), 3);
        assertEquals(new ImageShape(3, 7, 9), image.shape());
        int argb = source.getRGB(4, 5);
        assertEquals((argb >> 16) & 0xFF, image.get(0, 5, 4));
        assertEquals((argb >> 8) & 0xFF, image.get(1, 5, 4));
        assertEquals(argb & 0xFF, image.get(2, 5, 4));
    }

    @Test
    void greyPngStaysExactAndBecomesThreeEqualChannels() {
        BufferedImage source = grey(6, 5, 1);
        byte[] png = ImageFixtures.png(source);
        Uint8Image one = decode(png, 1);
        Uint8Image three = decode(png, 3);
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 6; x++) {
                int v = source.getRaster().getSample(x, y, 0);
                assertEquals(v, one.get(0, y, x));
                for (int c = 0; c < 3; c++) {
                    assertEquals(v, three.get(c, y, x));
                }
            }
        }
    }

    @Test
    void rgbaIsCompositedOverWhite() {
        // opaque red stays red; half-transparent red becomes pink; fully transparent becomes white
        Uint8Image opaque = decode(ImageFixtures.rgbaPng(4, 4, 0xFF0000, 255), 3);
        assertEquals(255, opaque.get(0, 0, 0));
        assertEquals(0, opaque.get(1, 0, 0));
        Uint8Image half = decode(ImageFixtures.rgbaPng(4, 4, 0xFF0000, 128), 3);
        assertEquals(255, half.get(0, 2, 2));
        assertEquals(ChannelConverter.overWhite(0, 128), half.get(1, 2, 2));
        assertEquals(127, half.get(1, 2, 2));
        Uint8Image clear = decode(ImageFixtures.rgbaPng(4, 4, 0x000000, 0), 3);
        assertEquals(255, clear.get(0, 1, 1));
        assertEquals(255, clear.get(2, 1, 1));
    }

    @Test
    void palettePngAndGifUseTheirPalette() {
        Uint8Image palette = decode(ImageFixtures.palettePng(8, 4), 3);
        assertEquals(255, palette.get(0, 1, 0)); // left: red
        assertEquals(0, palette.get(2, 1, 0));
        assertEquals(0, palette.get(0, 1, 7)); // right: blue
        assertEquals(255, palette.get(2, 1, 7));
        Uint8Image gif = decode(ImageFixtures.gif(5, 5, 0x00FF00), 3);
        assertEquals(0, gif.get(0, 2, 2));
        assertEquals(255, gif.get(1, 2, 2));
    }

    @Test
    void sixteenBitPngsKeepTheirHighByte() {
        Uint8Image grey16 = decode(ImageFixtures.grey16Png(4, 3, 200), 1);
        assertEquals(new ImageShape(1, 3, 4), grey16.shape());
        assertEquals(200, grey16.get(0, 1, 2));
        Uint8Image rgb16 = decode(ImageFixtures.rgb16Png(4, 3, 10, 128, 250), 3);
        assertEquals(10, rgb16.get(0, 2, 3));
        assertEquals(128, rgb16.get(1, 2, 3));
        assertEquals(250, rgb16.get(2, 2, 3));
    }

    @Test
    void jpegsIncludingGreyProgressiveAndCmyk() {
        Uint8Image greyJpeg = decode(ImageFixtures.jpeg(ImageFixtures.solid(16, 16, 0xFF808080, BufferedImage.TYPE_BYTE_GRAY), false), 1);
        assertEquals(128, greyJpeg.get(0, 8, 8), 2);
        Uint8Image progressive = decode(ImageFixtures.jpeg(ImageFixtures.solid(16, 16, 0xFF2040C0, BufferedImage.TYPE_INT_RGB), true), 3);
        assertEquals(0x20, progressive.get(0, 8, 8), 4);
        assertEquals(0x40, progressive.get(1, 8, 8), 4);
        assertEquals(0xC0, progressive.get(2, 8, 8), 4);
        // CMYK 0/255/255/0 is (without an ICC profile, by the naive conversion) pure red
        Uint8Image cmyk = decode(ImageFixtures.cmykJpeg(16, 16, 0, 255, 255, 0), 3);
        assertEquals(255, cmyk.get(0, 8, 8), 3);
        assertEquals(0, cmyk.get(1, 8, 8), 3);
        assertEquals(0, cmyk.get(2, 8, 8), 3);
    }

    @Test
    void bmpDecodes() {
        BufferedImage source = rgb(5, 6, 2);
        Uint8Image image = decode(ImageFixtures.bmp(ImageFixtures.solid(5, 6, 0xFF102030, BufferedImage.TYPE_3BYTE_BGR)), 3);
        assertEquals(0x10, image.get(0, 3, 3));
        assertEquals(0x30, image.get(2, 3, 3));
        assertEquals(new ImageShape(3, 6, 5), decode(ImageFixtures.bmp(source), 3).shape());
    }

    @Test
    void badFilesAreReasonsNotExceptions() {
        byte[] png = ImageFixtures.png(rgb(32, 32, 5));
        byte[] jpeg = ImageFixtures.jpeg(rgb(32, 32, 5), false);
        assertRejected(new byte[0], "empty file");
        assertRejected("hello, I am text".getBytes(StandardCharsets.UTF_8), "not an image");
        assertRejected(ImageFixtures.truncated(png, png.length / 2), "corrupt or truncated");
        assertRejected(ImageFixtures.truncated(jpeg, jpeg.length / 2), "corrupt");
        assertRejected(ImageFixtures.truncated(png, 20), "corrupt");
        byte[] garbled = png.clone();
        for (int i = 60; i < garbled.length - 20; i++) {
            garbled[i] ^= 0x5A;
        }
        assertRejected(garbled, "corrupt");
    }

    @Test
    void sizeLimitsAreCheckedFromTheHeader() {
        ImageDecoder strict = new ImageDecoder(10, 500);
        assertTrue(strict.decode(ImageFixtures.png(rgb(12, 10, 0))).ok());
        assertTrue(strict.decode(ImageFixtures.png(rgb(12, 9, 0))).reason().startsWith("too small"));
        assertTrue(strict.decode(ImageFixtures.png(rgb(30, 20, 0))).reason().startsWith("too large"));
    }

    private void assertRejected(byte[] file, String reasonStart) {
        DecodeResult result = decoder.decode(file);
        assertNull(result.image(), "should be rejected");
        assertTrue(result.reason().startsWith(reasonStart), "reason '" + result.reason() + "' should start with '" + reasonStart + "'");
        assertTrue(!result.reason().contains("\n"), "one-line reason");
    }
}
