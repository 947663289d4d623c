package io.sparkdiffusion.sampling;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Classifier-free guidance (Ho &amp; Salimans 2021): ε̂ = ε̂_uncond + w·(ε̂_cond − ε̂_uncond).
 *
 * <p>The conditional and unconditional predictions come from ONE call on a doubled batch
 * [x_t; x_t] with labels [labels; NO_LABEL…], so a network sees one batch per step. Shortcuts that
 * give the same result with one ordinary call: w = 1 (just conditional), w = 0 (just unconditional),
 * and {@code labels == null} (an unconditional model: passed through unchanged).
 */
public final class GuidedDenoiser implements Denoiser {
    private final Denoiser model;
    private final double scale;

    public GuidedDenoiser(Denoiser model, double scale) {
        if (!Double.isFinite(scale)) {
            throw new IllegalArgumentException("guidance scale must be finite, got " + scale);
        }
        this.model = model;
        this.scale = scale;
    }

    public double scale() {
        return scale;
    }

    @Override
    public INDArray predictNoise(INDArray xt, int t, int[] labels) {
        if (labels == null || scale == 1.0) {
            return model.predictNoise(xt, t, labels);
        }
        int n = labels.length;
        int[] unconditional = new int[n];
        Arrays.fill(unconditional, NO_LABEL);
        if (scale == 0.0) {
            return model.predictNoise(xt, t, unconditional);
        }
        int[] both = Arrays.copyOf(labels, 2 * n);
        System.arraycopy(unconditional, 0, both, n, n);
        INDArray eps = model.predictNoise(Nd4j.concat(0, xt, xt), t, both);
        INDArray conditionalEps = eps.get(NDArrayIndex.interval(0, n));
        INDArray unconditionalEps = eps.get(NDArrayIndex.interval(n, 2 * n));
        return conditionalEps.sub(unconditionalEps).muli(scale).addi(unconditionalEps);
    }

    @Override
    public String toString() {
        return "guided(w=" + scale + ", " + model + ")";
    }
}
