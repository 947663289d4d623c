package io.sparkdiffusion.sampling;

import io.sparkdiffusion.diffusion.ForwardProcess;
import io.sparkdiffusion.schedule.NoiseSchedule;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DDIM (Song et al. 2021) with any number of steps. Per step, from t to the next timestep p (ᾱ_p = 1 after
 * the last, so the last step returns x̂_0):
 * <pre>
 *   x̂_0 = (x_t − √(1−ᾱ_t)·ε̂)/√ᾱ_t  (clipped),   ε̂ ← (x_t − √ᾱ_t·x̂_0)/√(1−ᾱ_t)
 *   σ = η·√((1−ᾱ_p)/(1−ᾱ_t))·√(1 − ᾱ_t/ᾱ_p)
 *   x_p = √ᾱ_p·x̂_0 + √(1−ᾱ_p−σ²)·ε̂ + σ·z
 * </pre>
 * η = 0 is deterministic; η = 1 has DDPM's posterior variance. Timesteps are the reference's
 * (bench/reference/ddpm_ref.py): range(T−1, −1, −(T/steps))[:steps], e.g. 999, 979, …, 19 for T = 1000, 50 steps.
 * ε̂ is recomputed from the clipped x̂_0 as the reference (and diffusers) do.
 */
public final class DdimSampler implements Sampler {
    private final NoiseSchedule schedule;
    private final ForwardProcess forward;
    private final int[] timesteps;
    private final double eta;
    private final boolean clip;

    /** x̂_0 clipped to [−1, 1]. */
    public DdimSampler(NoiseSchedule schedule, int steps, double eta) {
        this(schedule, steps, eta, true);
    }

    public DdimSampler(NoiseSchedule schedule, int steps, double eta, boolean clip) {
        if (!(eta >= 0)) {
            throw new IllegalArgumentException("DDIM eta must be >= 0, got " + eta);
        }
        this.schedule = schedule;
        this.forward = new ForwardProcess(schedule);
        this.timesteps = referenceTimesteps(schedule.timesteps(), steps);
        this.eta = eta;
        this.clip = clip;
    }

    /** range(T−1, −1, −(T/steps))[:steps]: starts at T−1, stride T/steps (integer division). */
    static int[] referenceTimesteps(int trainTimesteps, int steps) {
        if (steps < 1 || steps > trainTimesteps) {
            throw new IllegalArgumentException("DDIM steps must be in 1 … " + trainTimesteps + ", got " + steps);
        }
        int stride = trainTimesteps / steps;
        int[] ts = new int[steps];
        for (int i = 0; i < steps; i++) {
            ts[i] = trainTimesteps - 1 - i * stride;
        }
        return ts;
    }

    @Override
    public INDArray sampleFrom(Denoiser denoiser, INDArray start, int firstStep, int[] labels, long[] seeds) {
        SamplerSupport.checkInputs(start, labels, seeds);
        SamplerSupport.checkFirstStep(firstStep, timesteps.length);
        INDArray x = start;
        for (int k = firstStep; k < timesteps.length; k++) {
            int t = timesteps[k];
            double alphaBar = schedule.alphaBar(t);
            double alphaBarPrev = k + 1 < timesteps.length ? schedule.alphaBar(timesteps[k + 1]) : 1.0;
            INDArray eps = denoiser.predictNoise(x, t, labels);
            INDArray x0 = forward.x0FromEps(x, eps, t);
            if (clip) {
                SamplerSupport.clipToDataRange(x0);
            }
            eps = forward.epsFromX0(x, x0, t);
            double sigma = eta * Math.sqrt((1.0 - alphaBarPrev) / (1.0 - alphaBar))
                    * Math.sqrt(1.0 - alphaBar / alphaBarPrev);
            double direction = Math.sqrt(Math.max(0.0, 1.0 - alphaBarPrev - sigma * sigma));
            INDArray next = x0.muli(Math.sqrt(alphaBarPrev)).addi(eps.muli(direction));
            if (sigma > 0) {
                next.addi(SamplerSupport.stepNoise(seeds, k, x).muli(sigma));
            }
            x = next;
        }
        return x;
    }

    @Override
    public String name() {
        return "ddim";
    }

    @Override
    public int[] timesteps() {
        return timesteps.clone();
    }

    public double eta() {
        return eta;
    }

    public boolean clip() {
        return clip;
    }

    @Override
    public String toString() {
        return "ddim(steps=" + steps() + ", eta=" + eta + ", clip=" + clip + ")";
    }
}
