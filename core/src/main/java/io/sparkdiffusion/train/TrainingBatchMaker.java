package io.sparkdiffusion.train;

import io.sparkdiffusion.diffusion.ForwardProcess;
import io.sparkdiffusion.diffusion.ImageNoise;
import io.sparkdiffusion.model.NetworkInputs;
import io.sparkdiffusion.model.TimestepEmbedding;
import io.sparkdiffusion.model.UNetSpec;
import io.sparkdiffusion.runtime.NativeArrays;
import io.sparkdiffusion.sampling.Denoiser;
import io.sparkdiffusion.schedule.NoiseSchedule;
import io.sparkdiffusion.schedule.ScheduleSpec;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.Serializable;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Turns a batch of clean images (uint8, CHW) and labels into one training step's {@link MultiDataSet}:
 * inputs x_t, the timestep embedding and (for a conditional model) the one-hot label; target ε (or v).
 *
 * <p>Everything random — the timesteps, the noise and which labels are dropped for classifier-free
 * guidance — follows from one batch seed, so the same (images, seed) always gives the same batch, on any
 * executor. Serializable so a Spark closure can carry it.
 */
public final class TrainingBatchMaker implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Noise stream of {@link ImageNoise} used for training targets (sampling uses others). */
    private static final long TRAINING_NOISE_STREAM = 0x7EA1L;

    private final UNetSpec spec;
    private final double labelDropout;
    private transient NoiseSchedule schedule;
    private final ScheduleSpec scheduleSpec;

    /**
     * @param labelDropout probability that a label is replaced by "no label" (only for a conditional model)
     */
    public TrainingBatchMaker(UNetSpec spec, ScheduleSpec scheduleSpec,
                              double labelDropout) {
        if (labelDropout < 0 || labelDropout > 1) {
            throw new IllegalArgumentException("label dropout must be in [0, 1], got " + labelDropout);
        }
        this.spec = spec;
        this.scheduleSpec = scheduleSpec;
        this.labelDropout = labelDropout;
    }

    /**
     * The batch's arrays are new and the caller's: {@link #free} gives their native memory back once the step is done.
     *
     * @param x0     clean images [N, C, H, W] in [−1, 1] (see {@code Pixels})
     * @param labels one per image ({@link Denoiser#NO_LABEL} for unlabeled); ignored by an unconditional model
     * @param seed   the batch seed
     */
    public MultiDataSet make(INDArray x0, int[] labels, long seed) {
        int n = (int) x0.size(0);
        SplittableRandom random = new SplittableRandom(seed);
        int[] timesteps = new int[n];
        long[] noiseSeeds = new long[n];
        for (int i = 0; i < n; i++) {
            timesteps[i] = random.nextInt(schedule().timesteps());
            noiseSeeds[i] = random.nextLong();
        }
        return make(x0, dropLabels(labels, n, random), timesteps, noiseSeeds);
    }

    /**
     * A batch with the given timesteps and per-image noise seeds, and the labels as they are (no dropout): what a
     * fixed evaluation set is made of.
     *
     * @param labels one per image ({@link Denoiser#NO_LABEL} for unlabeled), or null; ignored by an unconditional model
     */
    public MultiDataSet make(INDArray x0, int[] labels, int[] timesteps, long[] noiseSeeds) {
        int c = spec.imageChannels();
        int size = spec.imageSize();
        long[] expected = {x0.size(0), c, size, size};
        if (!Arrays.equals(expected, x0.shape())) {
            throw new IllegalArgumentException("expected images of shape " + Arrays.toString(expected)
                    + " for the model, got " + Arrays.toString(x0.shape()));
        }
        int n = (int) x0.size(0);
        if (timesteps.length != n || noiseSeeds.length != n) {
            throw new IllegalArgumentException(n + " images need as many timesteps and noise seeds, got "
                    + timesteps.length + " and " + noiseSeeds.length);
        }
        INDArray noise = ImageNoise.gaussian(noiseSeeds, TRAINING_NOISE_STREAM, c, size, size);
        ForwardProcess forward = new ForwardProcess(schedule());
        INDArray xt = forward.addNoise(x0, noise, timesteps);
        INDArray target = noise;
        if (spec.prediction() == UNetSpec.Prediction.V) {
            target = forward.velocity(x0, noise, timesteps);
            NativeArrays.free(noise);
        }
        INDArray timeEmbedding = TimestepEmbedding.embed(timesteps, spec.timeEmbeddingDim());
        INDArray[] features = NetworkInputs.of(spec, xt, timeEmbedding, labels);
        return new org.nd4j.linalg.dataset.MultiDataSet(features, new INDArray[] {target});
    }

    /** T of the schedule the batches are noised with. */
    public int timesteps() {
        return schedule().timesteps();
    }

    /** Frees the native memory of a batch {@link #make} returned, once nothing uses it (see {@link NativeArrays}). */
    public static void free(MultiDataSet batch) {
        NativeArrays.free(batch.getFeatures());
        NativeArrays.free(batch.getLabels());
    }

    private int[] dropLabels(int[] labels, int n, SplittableRandom random) {
        int[] kept = new int[n];
        for (int i = 0; i < n; i++) {
            boolean drop = random.nextDouble() < labelDropout;
            kept[i] = drop || labels == null ? Denoiser.NO_LABEL : labels[i];
        }
        return kept;
    }

    private NoiseSchedule schedule() {
        if (schedule == null) {
            schedule = NoiseSchedule.of(scheduleSpec);
        }
        return schedule;
    }
}
