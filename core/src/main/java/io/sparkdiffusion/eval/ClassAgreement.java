package io.sparkdiffusion.eval;

import java.io.Serializable;

/**
 * How often a classifier's prediction agrees with a given label, per given label: class consistency of
 * generated images (given = the class they were generated for) and accuracy on real ones. Partial counts
 * {@link #add(ClassAgreement) add} up exactly.
 */
public final class ClassAgreement implements Serializable {
    private static final long serialVersionUID = 1L;

    private final long[] total;
    private final long[] agreed;
    private final long[] predicted;

    public ClassAgreement(int numClasses) {
        this.total = new long[numClasses];
        this.agreed = new long[numClasses];
        this.predicted = new long[numClasses];
    }

    public int numClasses() {
        return total.length;
    }

    /** Counts one image with its given label (−1: none, only the prediction is counted) and the prediction. */
    public void add(int label, int prediction) {
        if (label < -1 || label >= total.length || prediction < 0 || prediction >= total.length) {
            throw new IllegalArgumentException("label " + label + " or prediction " + prediction
                    + " is not a class index 0.." + (total.length - 1));
        }
        predicted[prediction]++;
        if (label >= 0) {
            total[label]++;
            if (prediction == label) {
                agreed[label]++;
            }
        }
    }

    public void add(int[] labels, int[] predicted) {
        if (labels.length != predicted.length) {
            throw new IllegalArgumentException(labels.length + " labels but " + predicted.length + " predictions");
        }
        for (int i = 0; i < labels.length; i++) {
            add(labels[i], predicted[i]);
        }
    }

    public ClassAgreement add(ClassAgreement other) {
        if (other.total.length != total.length) {
            throw new IllegalArgumentException("class counts differ: " + total.length + " and " + other.total.length);
        }
        for (int c = 0; c < total.length; c++) {
            total[c] += other.total[c];
            agreed[c] += other.agreed[c];
            predicted[c] += other.predicted[c];
        }
        return this;
    }

    public long total(int label) {
        return total[label];
    }

    public long agreed(int label) {
        return agreed[label];
    }

    /** Images (labeled or not) the classifier assigned to this class. */
    public long predicted(int label) {
        return predicted[label];
    }

    /** Labeled images counted. */
    public long total() {
        return java.util.Arrays.stream(total).sum();
    }

    /** Fraction of all counted images whose prediction agreed; NaN when none were counted. */
    public double overall() {
        long n = total();
        return n == 0 ? Double.NaN : (double) java.util.Arrays.stream(agreed).sum() / n;
    }

    /** Fraction for one label; NaN when it has no images. */
    public double fraction(int label) {
        return total[label] == 0 ? Double.NaN : (double) agreed[label] / total[label];
    }
}
