package io.sparkdiffusion.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class TimestepEmbeddingTest {

    @Test
    void timestepZeroIsSinesZeroThenCosinesOne() {
        INDArray e = TimestepEmbedding.embed(new int[] {0}, 8);
        assertEquals(DataType.FLOAT, e.dataType());
        assertArrayEquals(new float[] {0, 0, 0, 0, 1, 1, 1, 1}, e.data().asFloat());
    }

    /** dim 4: half = 2, freqs = [1, 10000^(−1/2) = 0.01]; t = 3 → [sin 3, sin 0.03, cos 3, cos 0.03]. */
    @Test
    void handComputedValues() {
        INDArray e = TimestepEmbedding.embed(new int[] {0, 3}, 4);
        assertArrayEquals(new long[] {2, 4}, e.shape());
        float[] row = e.getRow(1).dup().data().asFloat();
        assertEquals(Math.sin(3), row[0], 1e-6);
        assertEquals(Math.sin(0.03), row[1], 1e-6);
        assertEquals(Math.cos(3), row[2], 1e-6);
        assertEquals(Math.cos(0.03), row[3], 1e-6);
        // dim 8: freqs = 10000^(−i/4) = 1, 0.1, 0.01, 0.001
        float[] eight = TimestepEmbedding.embed(new int[] {10}, 8).data().asFloat();
        assertEquals(Math.sin(1.0), eight[1], 1e-6);
        assertEquals(Math.cos(0.01), eight[7], 1e-6);
    }

    /** The reference's float32 arithmetic stays within 1e-4 of the exact value even at t = 999, dim 128. */
    @Test
    void matchesTheFormulaAtLargeTimesteps() {
        int dim = 128;
        float[] e = TimestepEmbedding.embed(new int[] {999}, dim).data().asFloat();
        for (int i = 0; i < dim / 2; i++) {
            double arg = 999 * Math.exp(-Math.log(10000.0) * i / (dim / 2));
            assertEquals(Math.sin(arg), e[i], 1e-4, "sin " + i);
            assertEquals(Math.cos(arg), e[dim / 2 + i], 1e-4, "cos " + i);
        }
    }

    @Test
    void sharedTimestepAndValidation() {
        assertEquals(TimestepEmbedding.embed(new int[] {7, 7, 7}, 16), TimestepEmbedding.embed(7, 3, 16));
        assertThrows(IllegalArgumentException.class, () -> TimestepEmbedding.embed(new int[] {1}, 7));
        assertThrows(IllegalArgumentException.class, () -> TimestepEmbedding.embed(new int[] {1}, 0));
    }
}
