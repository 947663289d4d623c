package io.sparkdiffusion.train;

/**
 * The one definition of which images a training step sees and which random numbers it draws, shared by
 * the single-JVM trainer (one partition, index 0) and the Spark trainer (one partition per worker), so that
 * both do exactly the same work for the same data and reruns draw the same numbers.
 *
 * <p>Epoch e of partition p visits the partition's images in the order
 * {@code permutation(n, mix(runSeed, e, p))}; batch b of it draws its timesteps, noise and label dropout from
 * {@code mix(runSeed, e, p, b)}.
 */
public final class TrainingOrder {
    private TrainingOrder() {
    }

    public static int[] epochOrder(int n, long runSeed, int epoch, int partition) {
        return Seeds.permutation(n, Seeds.mix(runSeed, epoch, partition));
    }

    public static long batchSeed(long runSeed, int epoch, int partition, long batch) {
        return Seeds.mix(runSeed, epoch, partition, batch);
    }

    /** Batches of an epoch of n images (the last may be smaller). */
    public static int batchesPerEpoch(int n, int batchSize) {
        return (n + batchSize - 1) / batchSize;
    }
}
