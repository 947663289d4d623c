package io.sparkdiffusion.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** SquareResizer: shorter side to size, centred crop; area averaging down, bicubic up. */
class ImageResizeTest {

    private static Uint8Image image(int c, int h, int w, java.util.function.IntUnaryOperator valueAt) {
        byte[] p = new byte[c * h * w];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) valueAt.applyAsInt(i);
        }
        return new Uint8Image(c, h, w, p);
    }

    @Test
    void squareOfTheTargetSizeIsUnchanged() {
        Uint8Image img = image(3, 8, 8, i -> i * 7);
        assertSame(img, SquareResizer.resize(img, 8));
    }

    @Test
    void halvingAveragesTwoByTwoBlocks() {
        Uint8Image img = image(1, 4, 4, i -> i * 10); // value = 10·(4y + x)
        Uint8Image out = SquareResizer.resize(img, 2);
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 2; x++) {
                double mean = (img.get(0, 2 * y, 2 * x) + img.get(0, 2 * y, 2 * x + 1) + img.get(0, 2 * y + 1, 2 * x)
                        + img.get(0, 2 * y + 1, 2 * x + 1)) / 4.0;
                assertEquals(Math.round(mean), out.get(0, y, x));
            }
        }
    }

    @Test
    void largeFactorGivesTheExactMeanOfEachCoveredArea() {
        // 300 x 300 → 3 x 3: each output pixel is the mean of a 100 x 100 block
        Uint8Image img = image(1, 300, 300, i -> ((i / 300) / 100) * 60 + ((i % 300) / 100) * 20 + (i % 2) * 10);
        Uint8Image out = SquareResizer.resize(img, 3);
        for (int by = 0; by < 3; by++) {
            for (int bx = 0; bx < 3; bx++) {
                assertEquals(by * 60 + bx * 20 + 5, out.get(0, by, bx));
            }
        }
    }

    @Test
    void wideImageIsCroppedToItsCentre() {
        // 4 high, 12 wide, → 4 x 4 without scaling: the middle 4 columns (4..7) remain
        Uint8Image img = image(3, 4, 12, i -> (i % 12) * 20 + (i / 48) * 3);
        Uint8Image out = SquareResizer.resize(img, 4);
        for (int c = 0; c < 3; c++) {
            for (int x = 0; x < 4; x++) {
                assertEquals((x + 4) * 20 + c * 3, out.get(c, 2, x));
            }
        }
        // tall: 12 high, 4 wide → rows 4..7
        Uint8Image tall = image(1, 12, 4, i -> (i / 4) * 20);
        assertEquals(4 * 20, SquareResizer.resize(tall, 4).get(0, 0, 1));
        assertEquals(7 * 20, SquareResizer.resize(tall, 4).get(0, 3, 1));
    }

    @Test
    void upscalingKeepsConstantsAndRampsMonotone() {
        Uint8Image flat = image(1, 5, 5, i -> 77);
        Uint8Image big = SquareResizer.resize(flat, 13);
        for (byte b : big.pixels()) {
            assertEquals(77, b & 0xFF);
        }
        Uint8Image ramp = image(1, 4, 4, i -> (i % 4) * 80); // 0, 80, 160, 240 along x
        Uint8Image up = SquareResizer.resize(ramp, 8);
        for (int x = 1; x < 8; x++) {
            assertEquals(true, up.get(0, 3, x) >= up.get(0, 3, x - 1), "monotone along x at " + x);
        }
        assertEquals(0, up.get(0, 0, 0), 10);
        assertEquals(240, up.get(0, 0, 7), 10);
        // symmetric: the mirrored ramp gives the mirrored output
        Uint8Image mirrored = image(1, 4, 4, i -> (3 - i % 4) * 80);
        Uint8Image upMirrored = SquareResizer.resize(mirrored, 8);
        for (int x = 0; x < 8; x++) {
            assertEquals(up.get(0, 2, x), upMirrored.get(0, 2, 7 - x));
        }
    }

    @Test
    void nonIntegerShrinkKeepsTheMean() {
        Uint8Image img = image(1, 28, 28, i -> (i * 37) % 256);
        Uint8Image out = SquareResizer.resize(img, 16);
        double inMean = 0;
        for (byte b : img.pixels()) {
            inMean += b & 0xFF;
        }
        double outMean = 0;
        for (byte b : out.pixels()) {
            outMean += b & 0xFF;
        }
        assertEquals(inMean / img.pixels().length, outMean / out.pixels().length, 1.0);
    }
}
