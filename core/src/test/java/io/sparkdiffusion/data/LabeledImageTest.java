package io.sparkdiffusion.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LabeledImageTest {

    @Test
    void imagesWithTheSameIdLabelAndPixelValuesAreEqual() {
        LabeledImage a = new LabeledImage("ab12", 3, new byte[]{1, 2, (byte) 255});
        LabeledImage b = new LabeledImage("ab12", 3, new byte[]{1, 2, (byte) 255});
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, new LabeledImage("ab12", 3, new byte[]{1, 2, 0}));
        assertNotEquals(a, new LabeledImage("ab12", LabeledImages.UNLABELED, new byte[]{1, 2, (byte) 255}));
        assertNotEquals(a, new LabeledImage("ab13", 3, new byte[]{1, 2, (byte) 255}));
    }

    @Test
    void refusesAMissingIdOrPixelsAndALabelBelowUnlabeled() {
        assertThrows(IllegalArgumentException.class, () -> new LabeledImage(null, 0, new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> new LabeledImage("a", 0, null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LabeledImage("a", -2, new byte[1]));
        assertEquals("image a has label -2, not -1 or a class index", e.getMessage());
    }
}
