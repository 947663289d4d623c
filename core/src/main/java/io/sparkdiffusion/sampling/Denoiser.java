package io.sparkdiffusion.sampling;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * ε̂ = f(x_t, t, label): what every sampler calls. A trained network, a guided wrapper or the
 * closed-form Gaussian oracle of the tests all look the same to a sampler.
 */
public interface Denoiser {
    /** Label value meaning "no label" (the null class of classifier-free guidance, or an unconditional model). */
    int NO_LABEL = -1;

    /**
     * Predicts the noise in a batch.
     *
     * @param xt     noisy images [N, C, H, W]
     * @param t      the timestep (0 … T−1) shared by the whole batch
     * @param labels one label per image, {@link #NO_LABEL} for none; {@code null} when the model is unconditional
     * @return ε̂ with the shape of {@code xt}
     */
    INDArray predictNoise(INDArray xt, int t, int[] labels);
}
