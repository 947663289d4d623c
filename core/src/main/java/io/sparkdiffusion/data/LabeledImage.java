package io.sparkdiffusion.data;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One image of a prepared data set as its readers pass it on: a shard row's {@link PreparedColumns#ID},
 * {@link PreparedColumns#LABEL} and {@link PreparedColumns#PIXELS}. The pixels stay uint8 until a batch is built.
 *
 * @param id     the image's id ({@link SourceIds#id}, or a prefixed copy of one)
 * @param label  a class index, or {@link LabeledImages#UNLABELED}
 * @param pixels uint8 CHW values, read as unsigned (kept, not copied)
 */
public record LabeledImage(String id, int label, byte[] pixels) implements Serializable {

    public LabeledImage {
        if (id == null || pixels == null) {
            throw new IllegalArgumentException("an image needs an id and pixels");
        }
        if (label < LabeledImages.UNLABELED) {
            throw new IllegalArgumentException("image " + id + " has label " + label + ", not -1 or a class index");
        }
    }

    // Records compare arrays by identity; images are compared by content.
    @Override
    public boolean equals(Object o) {
        return o instanceof LabeledImage other && id.equals(other.id) && label == other.label
                && Arrays.equals(pixels, other.pixels);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * id.hashCode() + label) + Arrays.hashCode(pixels);
    }

    @Override
    public String toString() {
        return "LabeledImage{" + id + ", label " + label + ", " + pixels.length + " values}";
    }
}
