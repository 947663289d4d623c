package io.sparkdiffusion.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;

import org.junit.jupiter.api.Test;

/** prepare.background: what transparent pixels become, for colour and grey images, at 1 and 3 channels. */
class BackgroundTest {

    @Test
    void parsesNamesAndHex() {
        assertEquals(Background.WHITE, Background.parse("white"));
        assertEquals(Background.BLACK, Background.parse(" Black "));
        assertEquals(new Background(0x12, 0xab, 0xFF), Background.parse("#12ABff"));
        assertEquals("#12abff", Background.parse("#12ABff").toString());
        assertThrows(IllegalArgumentException.class, () -> Background.parse("#12ab"));
        assertThrows(IllegalArgumentException.class, () -> Background.parse("grey"));
    }

    @Test
    void transparentColourPixelsTakeTheBackground() {
        // a 2x1 RGBA image: an opaque red pixel and a fully transparent green one
        BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
        image.setRGB(0, 0, 0xFFFF0000);
        image.setRGB(1, 0, 0x0000FF00);
        Background orange = Background.parse("#ff8000");
        Uint8Image rgb = ChannelConverter.convert(image, 3, orange);
        assertArrayEquals(new int[] {255, 255, 0, 128, 0, 0}, values(rgb));
        assertArrayEquals(new int[] {255, 255, 0, 255, 0, 255}, values(ChannelConverter.convert(image, 3, Background.WHITE)));
        assertArrayEquals(new int[] {76, 0}, values(ChannelConverter.convert(image, 1, Background.BLACK)));
    }

    @Test
    void halfTransparentPixelsBlend() {
        BufferedImage image = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
        image.setRGB(0, 0, 0x80FFFFFF); // white at alpha 128
        assertArrayEquals(new int[] {128, 128, 128}, values(ChannelConverter.convert(image, 3, Background.BLACK)));
    }

    @Test
    void greyWithAlphaOverAColourBecomesColourAtThreeChannels() {
        BufferedImage image = greyAlpha(new int[] {100, 100}, new int[] {255, 0});
        Background blue = Background.parse("#0000ff");
        assertArrayEquals(new int[] {100, 0, 100, 0, 100, 255}, values(ChannelConverter.convert(image, 3, blue)));
        assertArrayEquals(new int[] {100, blue.grey()}, values(ChannelConverter.convert(image, 1, blue)));
    }

    @Test
    void opaqueGreyIsWidenedToThreeEqualChannels() {
        BufferedImage grey = ImageFixtures.grey(5, 4, 3);
        Uint8Image one = ChannelConverter.convert(grey, 1, Background.BLACK);
        Uint8Image three = ChannelConverter.convert(grey, 3, Background.BLACK);
        assertEquals(new ImageShape(3, 4, 5), three.shape());
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 5; x++) {
                    assertEquals(one.get(0, y, x), three.get(c, y, x));
                }
            }
        }
    }

    /** A grey + alpha image with one row of pixels (as a PNG of colour type 4 decodes). */
    private static BufferedImage greyAlpha(int[] grey, int[] alpha) {
        ComponentColorModel model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
                Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
        WritableRaster raster = model.createCompatibleWritableRaster(grey.length, 1);
        for (int x = 0; x < grey.length; x++) {
            raster.setSample(x, 0, 0, grey[x]);
            raster.setSample(x, 0, 1, alpha[x]);
        }
        return new BufferedImage(model, raster, false, null);
    }

    private static int[] values(Uint8Image image) {
        int[] out = new int[image.pixels().length];
        for (int i = 0; i < out.length; i++) {
            out[i] = image.pixels()[i] & 0xFF;
        }
        return out;
    }
}
