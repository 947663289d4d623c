package io.sparkdiffusion.data;

import java.util.Arrays;
import java.util.List;

import io.sparkdiffusion.image.ImageShape;
import io.sparkdiffusion.image.Pixels;
import io.sparkdiffusion.image.Uint8Image;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A whole data set in memory for the single-JVM trainer and tests: same-shaped uint8 CHW images in one
 * array, one label per image ({@link #UNLABELED} when unknown) and the class names (index = label).
 */
public final class LabeledImages {
    public static final int UNLABELED = -1;

    private final ImageShape shape;
    private final byte[] pixels;
    private final int[] labels;
    private final List<String> classNames;

    /**
     * @param pixels     count·C·H·W values, image after image, each in CHW order (kept, not copied)
     * @param labels     one per image, −1 or 0 … classNames.size()−1 (kept, not copied)
     * @param classNames empty for an unlabeled set
     */
    public LabeledImages(ImageShape shape, byte[] pixels, int[] labels, List<String> classNames) {
        this.shape = shape;
        this.pixels = pixels;
        this.labels = labels;
        this.classNames = List.copyOf(classNames);
        if ((long) labels.length * shape.size() != pixels.length) {
            throw new IllegalArgumentException(labels.length + " labels but " + pixels.length + " pixel values for images of "
                    + shape);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < UNLABELED || labels[i] >= this.classNames.size()) {
                throw new IllegalArgumentException("label " + labels[i] + " of image " + i + " is not -1 or a class index 0.."
                        + (this.classNames.size() - 1));
            }
        }
    }

    /** Grayscale idx images with their labels. */
    public static LabeledImages fromIdx(IdxImages images, int[] labels, List<String> classNames) {
        if (labels.length != images.count()) {
            throw new IllegalArgumentException(images.count() + " images but " + labels.length + " labels");
        }
        return new LabeledImages(images.shape(), images.pixels(), labels, classNames);
    }

    public int count() {
        return labels.length;
    }

    public ImageShape shape() {
        return shape;
    }

    public List<String> classNames() {
        return classNames;
    }

    public int numClasses() {
        return classNames.size();
    }

    public int label(int i) {
        return labels[i];
    }

    /** A copy of the labels. */
    public int[] labels() {
        return labels.clone();
    }

    /** A copy of image i. */
    public Uint8Image image(int i) {
        int size = shape.size();
        return new Uint8Image(shape, Arrays.copyOfRange(pixels, i * size, (i + 1) * size));
    }

    /** The chosen images as a float batch [N, C, H, W] in [−1, 1]. */
    public INDArray batch(int[] indices) {
        int size = shape.size();
        return Pixels.toBatch(shape, indices.length,
                k -> Arrays.copyOfRange(pixels, indices[k] * size, (indices[k] + 1) * size));
    }

    /** The labels of the chosen images. */
    public int[] labels(int[] indices) {
        int[] out = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            out[k] = labels[indices[k]];
        }
        return out;
    }

    /** A copy holding only the chosen images, in the given order. */
    public LabeledImages subset(int[] indices) {
        int size = shape.size();
        byte[] sub = new byte[indices.length * size];
        for (int k = 0; k < indices.length; k++) {
            System.arraycopy(pixels, indices[k] * size, sub, k * size, size);
        }
        return new LabeledImages(shape, sub, labels(indices), classNames);
    }

    /** Images per label, index = label (unlabeled images are not counted). */
    public int[] countsPerClass() {
        int[] counts = new int[classNames.size()];
        for (int label : labels) {
            if (label >= 0) {
                counts[label]++;
            }
        }
        return counts;
    }

    @Override
    public String toString() {
        return "LabeledImages{" + count() + " x " + shape + ", classes=" + classNames.size() + "}";
    }
}
