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
    INDArray sample(Denoiser denoiser, INDArray noise, int[] labels, long[] seeds);

    /** The name {@link Samplers#create} knows it by. */
    String name();

    /** Denoiser calls per sample. */
    int steps();
}
