package io.sparkdiffusion.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class PixelsTest {

    @Test
    void uint8AndUnitAreExactInversesOnAllByteValues() {
        for (int v = 0; v <= 255; v++) {
            float x = Pixels.toUnit(v);
            assertEquals(v, Pixels.toUint8(x), "value " + v);
        }
        assertEquals(-1f, Pixels.toUnit(0));
        assertEquals(1f, Pixels.toUnit(255));
    }

    @Test
    void quantizationRoundsHalfUpAndClamps() {
        assertEquals(0, Pixels.toUint8(-1.0));
        assertEquals(128, Pixels.toUint8(0.0)); // 127.5 rounds up
        assertEquals(255, Pixels.toUint8(1.0));
        assertEquals(191, Pixels.toUint8(0.5)); // 191.25
        assertEquals(0, Pixels.toUint8(-7.0));
        assertEquals(255, Pixels.toUint8(3.0));
        assertEquals(0, Pixels.toUint8(Double.NaN));
    }

    @Test
    void tensorToUint8FollowsCOrderEvenForViews() {
        INDArray batch = Nd4j.create(new float[]{-1, 0, 1, 0.5f, 9, 9, 9, 9}, new long[]{2, 1, 2, 2}, 'c');
        INDArray first = batch.slice(0); // a view [1, 2, 2]
        assertArrayEquals(new byte[]{0, (byte) 128, (byte) 255, (byte) 191}, Pixels.toUint8(first));
        Uint8Image image = Pixels.toImage(first);
        assertEquals(new ImageShape(1, 2, 2), image.shape());
        assertEquals(191, image.get(0, 1, 1));
    }

    @Test
    void batchStacksImagesInOrder() {
        Uint8Image a = new Uint8Image(1, 1, 2, new byte[]{0, (byte) 255});
        Uint8Image b = new Uint8Image(1, 1, 2, new byte[]{(byte) 255, 0});
        INDArray batch = Pixels.toBatch(List.of(a, b));
        assertArrayEquals(new long[]{2, 1, 1, 2}, batch.shape());
        assertEquals(-1f, batch.getFloat(0, 0, 0, 0));
        assertEquals(1f, batch.getFloat(0, 0, 0, 1));
        assertEquals(1f, batch.getFloat(1, 0, 0, 0));
        assertArrayEquals(b.pixels(), Pixels.toImage(Pixels.toTensor(b)).pixels());
    }

    @Test
    void aBatchRefusesAnImageOfAnotherSize() {
        ImageShape shape = new ImageShape(1, 1, 2);
        INDArray batch = Pixels.toBatch(shape, 2, i -> new byte[]{(byte) i, 0});
        assertEquals(Pixels.toUnit(1), batch.getFloat(1, 0, 0, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Pixels.toBatch(shape, 2, i -> new byte[i + 2]));
        assertTrue(e.getMessage().startsWith("image 1 of the batch has 3 values"), e.getMessage());
    }
}
