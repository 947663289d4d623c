package io.sparkdiffusion.model.layers;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class NativeFloatsTest {

    @Test
    void readsAndWritesAViewThatStartsInsideItsBuffer() {
        INDArray whole = Nd4j.arange(0, 60).castTo(DataType.FLOAT).reshape('c', 5, 3, 4);
        INDArray rows = whole.get(NDArrayIndex.interval(2, 4), NDArrayIndex.all(), NDArrayIndex.all()); // from 24
        NativeFloats memory = NativeFloats.of(rows);
        float[] got = new float[5];
        memory.read(3, got, 1, 4);
        assertArrayEquals(new float[] {0f, 27f, 28f, 29f, 30f}, got);

        memory.write(22, new float[] {-1f, -2f, -3f}, 1, 2);
        assertEquals(-2f, whole.getFloat(2 * 12 + 22), 0f);
        assertEquals(-3f, whole.getFloat(2 * 12 + 23), 0f);
        assertEquals(48f, whole.getFloat(48), 0f); // the element after the view is untouched
        assertEquals(23f, whole.getFloat(23), 0f); // and the one before it
    }

    @Test
    void refusesRangesOutsideTheArrayAndArraysItCannotCopy() {
        INDArray a = Nd4j.zeros(DataType.FLOAT, 2, 3);
        NativeFloats memory = NativeFloats.of(a);
        assertThrows(IndexOutOfBoundsException.class, () -> memory.read(4, new float[3], 0, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> memory.write(-1, new float[3], 0, 1));
        assertThrows(IllegalArgumentException.class, () -> NativeFloats.of(Nd4j.zeros(DataType.DOUBLE, 2, 3)));
        assertThrows(IllegalArgumentException.class, () -> NativeFloats.of(a.transpose()));
    }
}
