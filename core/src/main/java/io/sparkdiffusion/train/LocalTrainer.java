package io.sparkdiffusion.train;

import io.sparkdiffusion.data.LabeledImages;
import io.sparkdiffusion.runtime.NativeArrays;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.Arrays;

/**
 * Trains the denoiser in one JVM: for users without a cluster, for tests, and as the reference that the
 * Spark trainer must match (same data order, same batch seeds, same steps).
 *
 * <p>The data is one partition (index 0) in {@link TrainingOrder}'s terms. After every optimizer step the EMA of
 * the weights is updated.
 */
public final class LocalTrainer implements AutoCloseable {
    /** Called after every optimizer step. */
    public interface StepListener {
        void onStep(long step, int epoch, double loss, int images);
    }

    /** The whole data set is partition 0 of {@link TrainingOrder}. */
    static final int PARTITION = 0;

    private final ComputationGraph network;
    private final TrainingBatchMaker batchMaker;
    private final Ema ema;
    private final long runSeed;
    private final int batchSize;
    private long step;
    private int epoch;
    private int batchInEpoch;
    private ReplicatedGradientStep replicated;
    private double lastScore = Double.NaN;

    /** A trainer at the start of training. */
    public LocalTrainer(ComputationGraph network, TrainingBatchMaker batchMaker, Ema ema, long runSeed,
                        int batchSize) {
        this(network, batchMaker, ema, runSeed, batchSize, 0, 0, 0);
    }

    /** A trainer that continues at a position saved in a checkpoint. */
    public LocalTrainer(ComputationGraph network, TrainingBatchMaker batchMaker, Ema ema, long runSeed,
                        int batchSize, long startStep, int startEpoch, int startBatchInEpoch) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        this.network = network;
        this.batchMaker = batchMaker;
        this.ema = ema;
        this.runSeed = runSeed;
        this.batchSize = batchSize;
        this.step = startStep;
        this.epoch = startEpoch;
        this.batchInEpoch = startBatchInEpoch;
    }

    /**
     * Splits every batch across {@code replicas} threads with {@code ompThreadsEach} native threads each
     * ({@link ReplicatedGradientStep}: the same steps, faster on several cores); 1 replica is the plain fit.
     */
    public LocalTrainer withReplicas(int replicas, int ompThreadsEach) {
        close();
        replicated = replicas > 1 ? new ReplicatedGradientStep(network, replicas, ompThreadsEach) : null;
        return this;
    }

    /**
     * Runs the rest of the current epoch, or of it up to {@code maxSteps} steps in total. A last batch smaller
     * than the batch size is used too, so every image is seen once per epoch. When the epoch is complete the
     * position moves to the start of the next one.
     */
    public void trainEpoch(LabeledImages data, long maxSteps, StepListener listener) {
        int[] order = TrainingOrder.epochOrder(data.count(), runSeed, epoch, PARTITION);
        while ((long) batchInEpoch * batchSize < order.length && step < maxSteps) {
            int start = batchInEpoch * batchSize;
            int[] indices = Arrays.copyOfRange(order, start, Math.min(order.length, start + batchSize));
            INDArray x0 = data.batch(indices);
            fitBatch(x0, data.labels(indices), TrainingOrder.batchSeed(runSeed, epoch, PARTITION, batchInEpoch));
            NativeArrays.free(x0);
            batchInEpoch++;
            listener.onStep(step, epoch, lastScore, indices.length);
        }
        if ((long) batchInEpoch * batchSize >= order.length) {
            epoch++;
            batchInEpoch = 0;
        }
    }

    /**
     * One optimizer step on a batch, then one EMA update. The step's own arrays (noisy images, targets) are freed at
     * its end; {@code x0} stays the caller's.
     */
    public void fitBatch(INDArray x0, int[] labels, long seed) {
        MultiDataSet batch = batchMaker.make(x0, labels, seed);
        if (replicated == null) {
            network.fit(batch);
            lastScore = network.score();
        } else {
            lastScore = replicated.fit(batch);
        }
        TrainingBatchMaker.free(batch); // the network keeps no use of its inputs after the step
        ema.update(network.params());
        step++;
    }

    /** The mean loss of the last batch. */
    public double lastScore() {
        return lastScore;
    }

    /** Stops the replicas' threads, if any. */
    @Override
    public void close() {
        if (replicated != null) {
            replicated.close();
            replicated = null;
        }
    }

    public long step() {
        return step;
    }

    /** The epoch the next batch belongs to. */
    public int epoch() {
        return epoch;
    }

    /** The index within its epoch of the next batch. */
    public int batchInEpoch() {
        return batchInEpoch;
    }

    public Ema ema() {
        return ema;
    }

    public ComputationGraph network() {
        return network;
    }
}
