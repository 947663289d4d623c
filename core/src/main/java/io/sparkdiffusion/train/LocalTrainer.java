package io.sparkdiffusion.train;

import io.sparkdiffusion.data.LabeledImages;
import io.sparkdiffusion.diffusion.TrainingBatchMaker;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.Arrays;

/**
 * Trains the denoiser in one JVM: for users without a cluster, for tests, and as the reference that the
 * Spark trainer must match (same data order, same batch seeds, same steps).
 *
 * <p>Epoch e visits the images in the order {@code Seeds.permutation(n, mix(runSeed, e))}; batch b of epoch e
 * draws its timesteps and noise from {@code mix(runSeed, e, b)}. After every optimizer step the EMA of the
 * weights is updated.
 */
public final class LocalTrainer {
    /** Called after every optimizer step. */
    public interface StepListener {
        void onStep(long step, int epoch, double loss, int images);
    }

    private final ComputationGraph network;
    private final TrainingBatchMaker batchMaker;
    private final Ema ema;
    private final long runSeed;
    private final int batchSize;
    private long step;

    public LocalTrainer(ComputationGraph network, TrainingBatchMaker batchMaker, Ema ema, long runSeed,
                        int batchSize, long startStep) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        this.network = network;
        this.batchMaker = batchMaker;
        this.ema = ema;
        this.runSeed = runSeed;
        this.batchSize = batchSize;
        this.step = startStep;
    }

    /** The image order of one epoch. */
    public static int[] epochOrder(int n, long runSeed, int epoch) {
        return Seeds.permutation(n, Seeds.mix(runSeed, epoch));
    }

    /** The seed of batch {@code batch} of epoch {@code epoch}. */
    public static long batchSeed(long runSeed, int epoch, long batch) {
        return Seeds.mix(runSeed, epoch, batch);
    }

    /**
     * Runs one epoch (or its part up to {@code maxSteps} in total); a last batch smaller than the batch size
     * is used too, so every image is seen once per epoch.
     *
     * @return the number of optimizer steps taken
     */
    public int trainEpoch(LabeledImages data, int epoch, long maxSteps, StepListener listener) {
        int[] order = epochOrder(data.count(), runSeed, epoch);
        int steps = 0;
        for (int start = 0, batch = 0; start < order.length && step < maxSteps; start += batchSize, batch++) {
            int[] indices = Arrays.copyOfRange(order, start, Math.min(order.length, start + batchSize));
            fitBatch(data.batch(indices), data.labels(indices), batchSeed(runSeed, epoch, batch));
            steps++;
            listener.onStep(step, epoch, network.score(), indices.length);
        }
        return steps;
    }

    /** One optimizer step on a batch, then one EMA update. */
    public void fitBatch(INDArray x0, int[] labels, long seed) {
        MultiDataSet batch = batchMaker.make(x0, labels, seed);
        network.fit(batch);
        ema.update(network.params());
        step++;
    }

    public long step() {
        return step;
    }

    public Ema ema() {
        return ema;
    }

    public ComputationGraph network() {
        return network;
    }
}
