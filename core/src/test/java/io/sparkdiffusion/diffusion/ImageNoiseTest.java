package io.sparkdiffusion.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class ImageNoiseTest {

    /** 100 images × 1×32×32 = 102,400 values: mean within 4.5/√n ≈ 0.014, std within 0.01, P(|z| < 1) ≈ 0.6827. */
    @Test
    void isStandardNormal() {
        long[] seeds = new long[100];
        for (int i = 0; i < seeds.length; i++) {
            seeds[i] = i;
        }
        INDArray noise = ImageNoise.gaussian(seeds, 3, 1, 32, 32);
        assertEquals(DataType.FLOAT, noise.dataType());
        assertArrayEquals(new long[] {100, 1, 32, 32}, noise.shape());
        double[] v = noise.data().asDouble();
        double sum = 0;
        double squares = 0;
        int withinOne = 0;
        for (double d : v) {
            sum += d;
            squares += d * d;
            withinOne += Math.abs(d) < 1 ? 1 : 0;
        }
        double mean = sum / v.length;
        double std = Math.sqrt(squares / v.length - mean * mean);
        assertEquals(0.0, mean, 4.5 / Math.sqrt(v.length));
        assertEquals(1.0, std, 0.01);
        assertEquals(0.6827, withinOne / (double) v.length, 0.007);
    }

    @Test
    void sameSeedAndStreamGiveTheSameNoiseOthersDiffer() {
        float[] a = ImageNoise.gaussian(42, 0, 256);
        assertArrayEquals(a, ImageNoise.gaussian(42, 0, 256));
        assertFalse(Arrays.equals(a, ImageNoise.gaussian(43, 0, 256)), "other seed");
        assertFalse(Arrays.equals(a, ImageNoise.gaussian(42, 1, 256)), "other stream");
        // nearby seeds and streams are uncorrelated (|r| < 4.5/√4096 ≈ 0.07)
        float[] base = ImageNoise.gaussian(7, 5, 4096);
        assertTrue(Math.abs(correlation(base, ImageNoise.gaussian(8, 5, 4096))) < 0.07);
        assertTrue(Math.abs(correlation(base, ImageNoise.gaussian(7, 6, 4096))) < 0.07);
        assertTrue(Math.abs(correlation(base, ImageNoise.gaussian(6, 5, 4096))) < 0.07);
        assertTrue(Math.abs(correlation(base, ImageNoise.gaussian(5, 7, 4096))) < 0.07, "seed and stream swapped");
    }

    @Test
    void anImagesNoiseDoesNotDependOnItsBatch() {
        int[] shape = {3, 5, 3}; // 45 values: an odd count (the polar method draws pairs)
        INDArray batch = ImageNoise.gaussian(new long[] {11, 22, 33}, 4, shape);
        INDArray alone = ImageNoise.gaussian(new long[] {22}, 4, shape);
        INDArray reordered = ImageNoise.gaussian(new long[] {33, 22}, 4, shape);
        float[] expected = ImageNoise.gaussian(22, 4, 45);
        assertArrayEquals(expected, batch.slice(1).dup().data().asFloat());
        assertArrayEquals(expected, alone.slice(0).dup().data().asFloat());
        assertArrayEquals(expected, reordered.slice(1).dup().data().asFloat());
        assertArrayEquals(batch.slice(2).dup().data().asFloat(), reordered.slice(0).dup().data().asFloat());
    }

    @Test
    void streamsAndSeedsHaveTheirConventions() {
        assertEquals(0, ImageNoise.INITIAL_STREAM);
        assertEquals(1, ImageNoise.stepStream(0));
        assertEquals(ImageNoise.gaussian(new long[] {9}, 0, 1, 2, 2), ImageNoise.initial(new long[] {9}, 1, 2, 2));
        assertNotEquals(ImageNoise.seedFor(1, 0), ImageNoise.seedFor(1, 1));
        assertNotEquals(ImageNoise.seedFor(1, 0), ImageNoise.seedFor(2, 0));
        assertThrows(IllegalArgumentException.class, () -> ImageNoise.gaussian(new long[0], 0, 1, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> ImageNoise.gaussian(new long[] {1}, 0, 1, 0, 2));
    }

    private static double correlation(float[] a, float[] b) {
        double ma = 0;
        double mb = 0;
        for (int i = 0; i < a.length; i++) {
            ma += a[i];
            mb += b[i];
        }
        ma /= a.length;
        mb /= b.length;
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += (a[i] - ma) * (b[i] - mb);
            aa += (a[i] - ma) * (a[i] - ma);
            bb += (b[i] - mb) * (b[i] - mb);
        }
        return ab / Math.sqrt(aa * bb);
    }
}
