package io.sparkdiffusion.data;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Fashion-MNIST (Zalando, MIT licence): 28×28 grayscale, 10 classes. Debian's {@code dataset-fashion-mnist}
 * installs it under {@link #DEBIAN_DIR}.
 */
public final class FashionMnist {
    public static final String DEBIAN_DIR = "/usr/share/datasets/fashion-mnist";
    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte.gz";
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte.gz";
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte.gz";

    /**
     * Class names by label. The official names ("T-shirt/top", "Ankle boot") are made safe as directory
     * names because samples are written to {@code images/<class-name>/}.
     */
    public static final List<String> CLASS_NAMES = List.of("t-shirt-top", "trouser", "pullover", "dress", "coat",
            "sandal", "shirt", "sneaker", "bag", "ankle-boot");

    private FashionMnist() {
    }

    /**
     * Class names for the labels of an idx file: Fashion-MNIST's when the file's path says "fashion" and it has
     * their number of classes, else the label numbers.
     */
    public static List<String> classNamesFor(String idxPath, int[] labels) {
        int classes = java.util.stream.IntStream.of(labels).max().orElse(-1) + 1;
        if (classes == CLASS_NAMES.size() && idxPath.toLowerCase(java.util.Locale.ROOT).contains("fashion")) {
            return CLASS_NAMES;
        }
        return java.util.stream.IntStream.range(0, classes).mapToObj(Integer::toString).toList();
    }

    /** Reads an images file and its labels file (plain or gzip) into memory. Streams are not closed. */
    public static LabeledImages read(InputStream images, InputStream labels) throws IOException {
        return LabeledImages.fromIdx(IdxReader.readImages(images), IdxReader.readLabels(labels), CLASS_NAMES);
    }
}
