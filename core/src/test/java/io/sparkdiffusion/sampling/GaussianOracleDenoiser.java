package io.sparkdiffusion.sampling;

import io.sparkdiffusion.schedule.NoiseSchedule;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToDoubleFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The ideal noise predictor for data x_0 ~ N(μ, σ²) independent per pixel. Then x_t ~ N(√ᾱ·μ, ᾱσ² + 1 − ᾱ)
 * and E[ε | x_t] = √(1−ᾱ)·(x_t − √ᾱ·μ)/(ᾱσ² + 1 − ᾱ): a sampler driven by it must reproduce N(μ, σ²), up to
 * its own discretization error. μ may depend on the label (for the guidance tests). Records its calls.
 */
final class GaussianOracleDenoiser implements Denoiser {
    private final NoiseSchedule schedule;
    private final IntToDoubleFunction meanOfLabel;
    private final double std;
    final List<Integer> batchSizes = new ArrayList<>();
    final List<int[]> labelsSeen = new ArrayList<>();

    GaussianOracleDenoiser(NoiseSchedule schedule, double mean, double std) {
        this(schedule, label -> mean, std);
    }

    /** μ = meanOfLabel(label) per image ({@code NO_LABEL} included; null labels count as NO_LABEL). */
    GaussianOracleDenoiser(NoiseSchedule schedule, IntToDoubleFunction meanOfLabel, double std) {
        this.schedule = schedule;
        this.meanOfLabel = meanOfLabel;
        this.std = std;
    }

    int calls() {
        return batchSizes.size();
    }

    @Override
    public INDArray predictNoise(INDArray xt, int t, int[] labels) {
        int n = (int) xt.size(0);
        batchSizes.add(n);
        labelsSeen.add(labels == null ? null : labels.clone());
        double alphaBar = schedule.alphaBar(t);
        double gain = Math.sqrt(1.0 - alphaBar) / (alphaBar * std * std + 1.0 - alphaBar);
        double[] shift = new double[n];
        for (int i = 0; i < n; i++) {
            double mean = meanOfLabel.applyAsDouble(labels == null ? NO_LABEL : labels[i]);
            shift[i] = gain * Math.sqrt(alphaBar) * mean;
        }
        INDArray scaled = xt.mul(gain);
        return Broadcast.sub(scaled, Nd4j.createFromArray(shift).castTo(xt.dataType()), scaled.ulike(), 0);
    }
}
