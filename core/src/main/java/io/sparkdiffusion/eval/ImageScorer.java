package io.sparkdiffusion.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.image.ImageShape;
import io.sparkdiffusion.image.Pixels;
import io.sparkdiffusion.image.Uint8Image;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Scores a stream of images in batches: the feature classifier's features go into the statistics of each group
 * the image belongs to, and its prediction (and those of further "judge" classifiers, e.g. one trained on
 * synthetic images) is counted against the image's label. Images are normalized to [−1, 1] by {@link Pixels},
 * exactly as for training.
 */
public final class ImageScorer {
    /** The name under which the feature classifier's own predictions are counted. */
    public static final String FEATURE_CLASSIFIER = "classifier";

    private final FeatureClassifier classifier;
    private final Map<String, FeatureClassifier> judges;
    private final int batchSize;
    private final EvaluationTally tally = new EvaluationTally();
    private final List<Uint8Image> images = new ArrayList<>();
    private final List<String[]> groups = new ArrayList<>();
    private int[] labels;

    /**
     * @param judges further classifiers (same classes and shape) whose predictions are counted under their names
     */
    public ImageScorer(FeatureClassifier classifier, Map<String, FeatureClassifier> judges, int batchSize) {
        this.classifier = classifier;
        this.judges = new LinkedHashMap<>(judges);
        this.batchSize = batchSize;
        this.labels = new int[batchSize];
    }

    /**
     * @param source where the image came from, for the message when its shape is wrong
     * @param label  the class index in the classifier's classes, or −1 for none
     * @param inGroups the statistics groups the image counts in
     */
    public void add(String source, Uint8Image image, int label, String... inGroups) {
        ImageShape expected = classifier.info().shape();
        if (!image.shape().equals(expected)) {
            throw new InputError("image " + source + " has shape " + image.shape() + "; the classifier takes "
                    + expected + " (images of another size or channel count need a classifier trained on them)");
        }
        labels[images.size()] = label;
        images.add(image);
        groups.add(inGroups);
        if (images.size() == batchSize) {
            flush();
        }
    }

    /** Scores what is buffered and returns the tally of every image added. */
    public EvaluationTally finish() {
        flush();
        return tally;
    }

    private void flush() {
        if (images.isEmpty()) {
            return;
        }
        int n = images.size();
        int numClasses = classifier.info().classNames().size();
        int[] batchLabels = java.util.Arrays.copyOf(labels, n);
        INDArray batch = Pixels.toBatch(images);
        FeatureClassifier.Outputs out = classifier.forward(batch);
        Map<String, List<Integer>> rowsOfGroup = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            for (String group : groups.get(i)) {
                rowsOfGroup.computeIfAbsent(group, g -> new ArrayList<>()).add(i);
            }
        }
        int width = (int) out.features().size(1);
        rowsOfGroup.forEach((group, rows) -> tally.statistics(group, width).add(rows.size() == n ? out.features()
                : out.features().getRows(rows.stream().mapToInt(Integer::intValue).toArray())));
        tally.agreement(FEATURE_CLASSIFIER, numClasses).add(batchLabels, out.predicted());
        judges.forEach((name, judge) -> tally.agreement(name, numClasses).add(batchLabels, judge.forward(batch).predicted()));
        images.clear();
        groups.clear();
    }
}
