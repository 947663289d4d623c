package io.sparkdiffusion.eval;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * Same-size subsets that give a Fréchet distance its real-vs-real floor. The distance of two finite samples is
 * biased upwards, the more so the smaller they are, so the headline distance (all reference vs all generated
 * images) is not comparable with one between smaller sets. Here two disjoint random subsets A and B of the
 * reference and one random subset G of the generated images, of about the same size, give FD(A, B), what two
 * samples of the real distribution of that size already score, beside FD(A, G), the generated images at that
 * size.
 *
 * <p>When both sides are labeled, A and B are drawn per class with the generated set's class proportions (and G
 * is the same fraction of every generated class), so all three have the same class make-up: a class-balanced
 * generated set is not compared with randomly unbalanced real subsets (the class mix is a large part of the
 * features' variance, and a stratified sample varies less than a random one).
 *
 * <p>Membership is decided per image from (seed, id), in one pass and on any executor, with u uniform in [0, 1):
 * A is u &lt; f, B is 0.5 ≤ u &lt; 0.5 + f (f ≤ 0.5, per class when stratified), G is u &lt; g.
 *
 * @param referenceFractions f per classifier class index (stratified), or empty
 * @param referenceFraction  f for images without a label, or for all when not stratified
 * @param generatedFraction  g
 */
public record FloorSubsets(long seed, double[] referenceFractions, double referenceFraction, double generatedFraction)
        implements Serializable {
    public static final String A = "floor-a";
    public static final String B = "floor-b";
    public static final String G = "generated-subset";

    public FloorSubsets {
        referenceFractions = referenceFractions.clone();
        for (double f : referenceFractions) {
            checkFraction(f, 0.5);
        }
        checkFraction(referenceFraction, 0.5);
        checkFraction(generatedFraction, 1);
    }

    /** Random subsets of about min(generated, reference / 2) images each, whatever their classes. */
    public static FloorSubsets random(long referenceImages, long generatedImages, long seed) {
        double k = Math.min(generatedImages, referenceImages / 2.0);
        return new FloorSubsets(seed, new double[0], referenceImages <= 0 ? 0 : Math.min(0.5, k / referenceImages),
                generatedImages <= 0 ? 0 : Math.min(1, k / generatedImages));
    }

    /**
     * Subsets with the generated set's class proportions: G is a fraction s of the generated images and A, B hold
     * about s·generated[c] reference images of each class c, s as large as the reference allows (at most 1).
     * Falls back to {@link #random} when a generated class has no reference images.
     *
     * @param referencePerClass reference images per classifier class index
     * @param generatedPerClass generated images per classifier class index
     */
    public static FloorSubsets stratified(long[] referencePerClass, long[] generatedPerClass, long seed) {
        double s = 1;
        long reference = 0;
        long generated = 0;
        for (int c = 0; c < generatedPerClass.length; c++) {
            reference += referencePerClass[c];
            generated += generatedPerClass[c];
            if (generatedPerClass[c] > 0) {
                if (referencePerClass[c] == 0) {
                    return random(java.util.Arrays.stream(referencePerClass).sum(), java.util.Arrays.stream(generatedPerClass).sum(), seed);
                }
                s = Math.min(s, referencePerClass[c] / 2.0 / generatedPerClass[c]);
            }
        }
        double[] fractions = new double[generatedPerClass.length];
        for (int c = 0; c < fractions.length; c++) {
            fractions[c] = referencePerClass[c] == 0 ? 0 : Math.min(0.5, s * generatedPerClass[c] / referencePerClass[c]);
        }
        return new FloorSubsets(seed, fractions, 0, generated == 0 || reference == 0 ? 0 : s);
    }

    /** The image's position u in [0, 1): a hash of the seed and the id. */
    public double position(String id) {
        long h = 0xcbf29ce484222325L; // FNV-1a, 64 bit
        for (int i = 0; i < id.length(); i++) {
            h = (h ^ id.charAt(i)) * 0x100000001b3L;
        }
        return new SplittableRandom(h ^ (seed * 0x9E3779B97F4A7C15L)).nextDouble();
    }

    /**
     * The statistics groups of a reference image: {@code always}, plus A or B when it is in one of them.
     *
     * @param label the classifier's class index of the image, or −1
     */
    public String[] referenceGroups(String id, int label, String always) {
        double f = label >= 0 && label < referenceFractions.length ? referenceFractions[label] : referenceFraction;
        double u = position(id);
        if (u < f) {
            return new String[]{always, A};
        }
        if (u >= 0.5 && u < 0.5 + f) {
            return new String[]{always, B};
        }
        return new String[]{always};
    }

    /** The statistics groups of a generated image: {@code always}, plus G when it is in it. */
    public String[] generatedGroups(String id, String always) {
        return position(id) < generatedFraction ? new String[]{always, G} : new String[]{always};
    }

    private static void checkFraction(double f, double max) {
        if (!(f >= 0 && f <= max)) {
            throw new IllegalArgumentException("subset fraction " + f + " is not in [0, " + max + "]");
        }
    }
}
