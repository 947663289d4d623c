package io.sparkdiffusion.train;

/**
 * Derives independent seeds from a run seed and coordinates such as (epoch, partition, batch), so that a
 * rerun, a resume or another partitioning draws exactly the same random numbers for the same work.
 */
public final class Seeds {
    private Seeds() {
    }

    /** A well-mixed seed for the given coordinates (SplitMix64 finalizer over each one in turn). */
    public static long mix(long runSeed, long... coordinates) {
        long h = splitMix(runSeed ^ 0x9E3779B97F4A7C15L);
        for (long c : coordinates) {
            h = splitMix(h ^ splitMix(c + 0x632BE59BD9B4E019L));
        }
        return h;
    }

    private static long splitMix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A permutation of 0 … n−1 for one epoch (Fisher–Yates with a seeded generator). */
    public static int[] permutation(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        return order;
    }
}
