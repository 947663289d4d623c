package io.sparkdiffusion.sampling;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Walks the reverse process from x_T to x_0, calling a {@link Denoiser} once per step on the whole batch.
 * A sampler holds its schedule and timesteps, never a network (diffusers' scheduler idea).
 */
public interface Sampler {
    /**
     * Samples a batch.
     *
     * @param denoiser ε̂ = f(x_t, t, label)
     * @param noise    x_T [N, C, H, W] FLOAT, usually {@code ImageNoise.initial(seeds, C, H, W)}; not modified
     * @param labels   one label per image ({@link Denoiser#NO_LABEL} for none), or {@code null} for an
     *                 unconditional model
     * @param seeds    one per image; any fresh noise of step k is {@code ImageNoise.gaussian(seeds,
     *                 ImageNoise.stepStream(k), C, H, W)}, so each image's result depends only on its own
     *                 seed, noise and label, not on the rest of the batch
     * @return x_0 [N, C, H, W] FLOAT (a new array)
     */
    default INDArray sample(Denoiser denoiser, INDArray noise, int[] labels, long[] seeds) {
        return sampleFrom(denoiser, noise, 0, labels, seeds);
    }

    /**
     * Continues the reverse process from x at {@code timesteps()[firstStep]} (SDEdit and other image-to-image
     * uses start part-way; {@code firstStep = 0} is {@link #sample}). Step k draws its fresh noise from
     * {@code ImageNoise.stepStream(k)} with k counted from the first timestep, whatever {@code firstStep} is.
     *
     * @param x         x_t [N, C, H, W] FLOAT at t = {@code timesteps()[firstStep]}; not modified
     * @param firstStep 0 … {@code timesteps().length − 1}
     */
    INDArray sampleFrom(Denoiser denoiser, INDArray x, int firstStep, int[] labels, long[] seeds);

    /** The timesteps the sampler visits, noisiest first (after the last comes x_0). */
    int[] timesteps();

    /** The name {@link Samplers#create} knows it by. */
    String name();

    /** Denoiser calls per sample: one per timestep, for every sampler here. */
    default int steps() {
        return timesteps().length;
    }
}
