package io.sparkdiffusion.sampling;

import io.sparkdiffusion.diffusion.ForwardProcess;
import io.sparkdiffusion.schedule.NoiseSchedule;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Ancestral sampling (Ho et al. 2020): all T steps, x_{t−1} = μ̃_t(x_t, x̂_0) + σ_t·z with the posterior mean
 * μ̃_t = √ᾱ_{t−1}·β_t/(1−ᾱ_t)·x̂_0 + √α_t·(1−ᾱ_{t−1})/(1−ᾱ_t)·x_t and no noise on the last step (t = 0).
 * Going through x̂_0 (rather than the algebraically equal ε form) is what allows clipping it.
 */
public final class DdpmSampler implements Sampler {

    /** σ_t² of the reverse step: the posterior variance β̃_t (default) or β_t (Ho et al.'s other choice). */
    public enum Variance { POSTERIOR, BETA }

    private final NoiseSchedule schedule;
    private final ForwardProcess forward;
    private final Variance variance;
    private final boolean clip;

    /** Posterior variance, x̂_0 clipped to [−1, 1]. */
    public DdpmSampler(NoiseSchedule schedule) {
        this(schedule, Variance.POSTERIOR, true);
    }

    public DdpmSampler(NoiseSchedule schedule, Variance variance, boolean clip) {
        this.schedule = schedule;
        this.forward = new ForwardProcess(schedule);
        this.variance = variance;
        this.clip = clip;
    }

    @Override
    public INDArray sampleFrom(Denoiser denoiser, INDArray start, int firstStep, int[] labels, long[] seeds) {
        SamplerSupport.checkInputs(start, labels, seeds);
        int steps = schedule.timesteps();
        SamplerSupport.checkFirstStep(firstStep, steps);
        INDArray x = start;
        for (int k = firstStep; k < steps; k++) {
            int t = steps - 1 - k;
            INDArray eps = denoiser.predictNoise(x, t, labels);
            INDArray x0 = forward.x0FromEps(x, eps, t);
            if (clip) {
                SamplerSupport.clipToDataRange(x0);
            }
            double alphaBar = schedule.alphaBar(t);
            double alphaBarPrev = schedule.alphaBarOrOne(t - 1);
            double x0Coefficient = Math.sqrt(alphaBarPrev) * schedule.beta(t) / (1.0 - alphaBar);
            double xtCoefficient = Math.sqrt(schedule.alpha(t)) * (1.0 - alphaBarPrev) / (1.0 - alphaBar);
            INDArray next = x0.muli(x0Coefficient).addi(x.mul(xtCoefficient));
            if (t > 0) {
                next.addi(SamplerSupport.stepNoise(seeds, k, x).muli(sigma(t)));
            }
            x = next;
        }
        return x;
    }

    private double sigma(int t) {
        return Math.sqrt(variance == Variance.BETA ? schedule.beta(t) : schedule.posteriorVariance(t));
    }

    @Override
    public String name() {
        return "ddpm";
    }

    /** T−1, T−2, …, 0. */
    @Override
    public int[] timesteps() {
        int[] ts = new int[schedule.timesteps()];
        for (int k = 0; k < ts.length; k++) {
            ts[k] = ts.length - 1 - k;
        }
        return ts;
    }

    public Variance variance() {
        return variance;
    }

    public boolean clip() {
        return clip;
    }

    @Override
    public String toString() {
        return "ddpm(steps=" + steps() + ", variance=" + variance + ", clip=" + clip + ")";
    }
}
