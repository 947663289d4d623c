package io.sparkdiffusion.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import io.sparkdiffusion.image.ImageShape;

class LabeledImagesTest {

    /** Three RGB 1×2 images; image i has every value equal to 100·i (0, 100, 200), except one 255. */
    private static LabeledImages sample() {
        byte[] pixels = new byte[3 * 6];
        for (int i = 0; i < 3; i++) {
            java.util.Arrays.fill(pixels, i * 6, (i + 1) * 6, (byte) (100 * i));
        }
        pixels[17] = (byte) 255;
        return new LabeledImages(new ImageShape(3, 1, 2), pixels, new int[]{1, -1, 0}, List.of("cat", "dog"));
    }

    @Test
    void holdsImagesLabelsAndClasses() {
        LabeledImages data = sample();
        assertEquals(3, data.count());
        assertEquals(2, data.numClasses());
        assertEquals(1, data.label(0));
        assertEquals(LabeledImages.UNLABELED, data.label(1));
        assertEquals(200, data.image(2).get(0, 0, 0));
        assertEquals(255, data.image(2).get(2, 0, 1));
        assertArrayEquals(new int[]{1, 1}, data.countsPerClass());
    }

    @Test
    void batchIsNormalizedToMinusOneOne() {
        INDArray batch = sample().batch(new int[]{2, 0});
        assertArrayEquals(new long[]{2, 3, 1, 2}, batch.shape());
        assertEquals(200 / 127.5f - 1f, batch.getFloat(0, 0, 0, 0), 1e-6);
        assertEquals(1f, batch.getFloat(0, 2, 0, 1), 1e-6);
        assertEquals(-1f, batch.getFloat(1, 1, 0, 1), 1e-6);
    }

    @Test
    void subsetKeepsOrderAndLabels() {
        LabeledImages sub = sample().subset(new int[]{2, 1});
        assertEquals(2, sub.count());
        assertArrayEquals(new int[]{0, -1}, sub.labels());
        assertEquals(sample().image(2), sub.image(0));
    }

    @Test
    void inconsistentInputIsRejected() {
        ImageShape shape = new ImageShape(1, 2, 2);
        IllegalArgumentException badLabel = assertThrows(IllegalArgumentException.class,
                () -> new LabeledImages(shape, new byte[4], new int[]{2}, List.of("a", "b")));
        assertEquals("label 2 of image 0 is not -1 or a class index 0..1", badLabel.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LabeledImages(shape, new byte[5], new int[]{0}, List.of("a")));
        assertThrows(IllegalArgumentException.class,
                () -> LabeledImages.fromIdx(new IdxImages(2, 2, 2, new byte[8]), new int[]{0}, List.of("a")));
    }
}
