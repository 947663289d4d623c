package io.sparkdiffusion.eval;

import java.io.Serializable;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Same-size subsets that give a Fréchet distance its real-vs-real floor. The distance of two finite samples is
 * biased upwards, the more so the smaller they are, so the headline distance (all reference vs all generated
 * images) is not comparable with one between smaller sets. Here two disjoint random subsets A and B of the
 * reference and one random subset G of the generated images, all of the same size, give FD(A, B), what two
 * samples of the real distribution of that size already score, beside FD(A, G), the generated images at that
 * size.
 *
 * <p>The sizes are exact, and when both sides are labeled exact per class, in the generated set's class
 * proportions: the class mix is a large part of the features' variance, so subsets whose class counts merely
 * fluctuate around the right ones score visibly worse than an exactly balanced generated set.
 *
 * <p>Every image has a position u in [0, 1), a hash of (seed, id). Per class (or for all images when not
 * stratified), A holds the k images of u &lt; 0.5 with the smallest u, B the k smallest of u ≥ 0.5, G the k
 * generated images with the smallest u. The driver finds the limits from the positions (no images); executors
 * then decide membership image by image.
 *
 * @param limitA largest u in A, per bucket (bucket = class index + 1; bucket 0 = unlabeled or not stratified)
 * @param limitB largest u in B, per bucket
 * @param limitG largest u in G, per bucket
 */
public record FloorSubsets(long seed, boolean stratified, double[] limitA, double[] limitB, double[] limitG)
        implements Serializable {
    public static final String A = "floor-a";
    public static final String B = "floor-b";
    public static final String G = "generated-subset";

    public FloorSubsets {
        limitA = limitA.clone();
        limitB = limitB.clone();
        limitG = limitG.clone();
    }

    /** The image's position u in [0, 1): a hash of the seed and the id. */
    public static double position(long seed, String id) {
        long h = 0xcbf29ce484222325L; // FNV-1a, 64 bit
        for (int i = 0; i < id.length(); i++) {
            h = (h ^ id.charAt(i)) * 0x100000001b3L;
        }
        return new SplittableRandom(h ^ (seed * 0x9E3779B97F4A7C15L)).nextDouble();
    }

    /**
     * The subsets for the given positions.
     *
     * @param reference positions of the reference images per bucket (class index + 1; 0 = unlabeled)
     * @param generated positions of the generated images per bucket
     * @param stratify  per class (when both sides are labeled), else over all images
     */
    public static FloorSubsets of(long seed, double[][] reference, double[][] generated, boolean stratify) {
        int buckets = reference.length;
        if (generated.length != buckets) {
            throw new IllegalArgumentException("reference and generated positions need the same buckets");
        }
        if (stratify) {
            for (int b = 1; b < buckets; b++) {
                if (generated[b].length > 0 && reference[b].length == 0) {
                    stratify = false; // a generated class without reference images: no per-class match possible
                }
            }
        }
        if (!stratify) {
            return limits(seed, false, new double[][]{concat(reference)}, new double[][]{concat(generated)}, 1);
        }
        return limits(seed, true, reference, generated, buckets);
    }

    private static FloorSubsets limits(long seed, boolean stratified, double[][] reference, double[][] generated,
                                       int buckets) {
        double[][] low = new double[buckets][];
        double[][] high = new double[buckets][];
        double[][] gen = new double[buckets][];
        double scale = 1; // the fraction s of every generated class that fits twice into the reference
        for (int b = 0; b < buckets; b++) {
            low[b] = Arrays.stream(reference[b]).filter(u -> u < 0.5).sorted().toArray();
            high[b] = Arrays.stream(reference[b]).filter(u -> u >= 0.5).sorted().toArray();
            gen[b] = generated[b].clone();
            Arrays.sort(gen[b]);
            if (gen[b].length > 0) {
                scale = Math.min(scale, (double) Math.min(low[b].length, high[b].length) / gen[b].length);
            }
        }
        double[] limitA = new double[buckets];
        double[] limitB = new double[buckets];
        double[] limitG = new double[buckets];
        for (int b = 0; b < buckets; b++) {
            int k = (int) Math.floor(scale * gen[b].length + 1e-9);
            limitA[b] = k == 0 ? -1 : low[b][k - 1];
            limitB[b] = k == 0 ? -1 : high[b][k - 1];
            limitG[b] = k == 0 ? -1 : gen[b][k - 1];
        }
        return new FloorSubsets(seed, stratified, limitA, limitB, limitG);
    }

    private static double[] concat(double[][] buckets) {
        return Arrays.stream(buckets).flatMapToDouble(Arrays::stream).toArray();
    }

    /**
     * The statistics groups of a reference image: {@code always}, plus A or B when it is in one of them.
     *
     * @param label the classifier's class index of the image, or −1
     */
    public String[] referenceGroups(String id, int label, String always) {
        int b = bucket(label);
        double u = position(seed, id);
        if (u < 0.5 && u <= limitA[b]) {
            return new String[]{always, A};
        }
        if (u >= 0.5 && u <= limitB[b]) {
            return new String[]{always, B};
        }
        return new String[]{always};
    }

    /** The statistics groups of a generated image: {@code always}, plus G when it is in it. */
    public String[] generatedGroups(String id, int label, String always) {
        return position(seed, id) <= limitG[bucket(label)] ? new String[]{always, G} : new String[]{always};
    }

    private int bucket(int label) {
        return stratified && label >= 0 ? label + 1 : 0;
    }
}
