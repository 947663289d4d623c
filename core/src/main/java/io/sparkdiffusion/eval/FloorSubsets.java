package io.sparkdiffusion.eval;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * Same-size subsets that give a Fréchet distance its real-vs-real floor. The distance of two finite samples is
 * biased upwards, the more so the smaller they are, so the headline distance (all reference vs all generated
 * images) is not comparable with one between smaller sets. Here two disjoint random subsets A and B of the
 * reference and one random subset G of the generated images, each of about k = min(generated, reference / 2)
 * images, give FD(A, B), what two samples of the real distribution of that size already score, beside
 * FD(A, G), the generated images at the same size.
 *
 * <p>Membership is decided per image from (seed, id), in one pass and on any executor, with u uniform in [0, 1):
 * A is u &lt; f, B is 0.5 ≤ u &lt; 0.5 + f (f = k / reference, at most 0.5), G is u &lt; k / generated.
 */
public record FloorSubsets(long seed, double referenceFraction, double generatedFraction) implements Serializable {
    public static final String A = "floor-a";
    public static final String B = "floor-b";
    public static final String G = "generated-subset";

    public FloorSubsets {
        if (!(referenceFraction >= 0 && referenceFraction <= 0.5 && generatedFraction >= 0 && generatedFraction <= 1)) {
            throw new IllegalArgumentException("subset fractions out of range: " + referenceFraction + ", " + generatedFraction);
        }
    }

    /** Subsets of about min(generated, reference / 2) images each. */
    public static FloorSubsets forSizes(long referenceImages, long generatedImages, long seed) {
        double k = Math.min(generatedImages, referenceImages / 2.0);
        return new FloorSubsets(seed, referenceImages <= 0 ? 0 : Math.min(0.5, k / referenceImages),
                generatedImages <= 0 ? 0 : Math.min(1, k / generatedImages));
    }

    /** The image's position u in [0, 1): a hash of the seed and the id. */
    public double position(String id) {
        long h = 0xcbf29ce484222325L; // FNV-1a, 64 bit
        for (int i = 0; i < id.length(); i++) {
            h = (h ^ id.charAt(i)) * 0x100000001b3L;
        }
        return new SplittableRandom(h ^ (seed * 0x9E3779B97F4A7C15L)).nextDouble();
    }

    /** The statistics groups of a reference image: {@code always}, plus A or B when it is in one of them. */
    public String[] referenceGroups(String id, String always) {
        double u = position(id);
        if (u < referenceFraction) {
            return new String[]{always, A};
        }
        if (u >= 0.5 && u < 0.5 + referenceFraction) {
            return new String[]{always, B};
        }
        return new String[]{always};
    }

    /** The statistics groups of a generated image: {@code always}, plus G when it is in it. */
    public String[] generatedGroups(String id, String always) {
        return position(id) < generatedFraction ? new String[]{always, G} : new String[]{always};
    }
}
