package io.sparkdiffusion.sampling;

import io.sparkdiffusion.diffusion.ForwardProcess;
import io.sparkdiffusion.schedule.NoiseSchedule;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DPM-Solver++(2M) (Lu et al. 2022): the multistep second-order solver of the probability-flow ODE in
 * data prediction, as diffusers' DPMSolverMultistepScheduler with solver_order=2,
 * algorithm_type="dpmsolver++", solver_type="midpoint", lower_order_final=True, final_sigmas_type="zero".
 * With α = √ᾱ, σ = √(1−ᾱ), λ = log(α/σ), h = λ_t − λ_s and x̂_0 = D(x_s):
 * <pre>
 *   first step:   x_t = (σ_t/σ_s)·x_s − α_t·(e^{−h} − 1)·D_0
 *   later steps:  x_t = (σ_t/σ_s)·x_s − α_t·(e^{−h} − 1)·(D_0 + (D_0 − D_{−1})/(2 r)),  r = h_{prev}/h
 *   last step:    to ᾱ = 1 (σ = 0, λ = +∞): the first-order update collapses to x_0 = D_0
 * </pre>
 * Timesteps: diffusers' default "linspace" spacing, round(linspace(0, T−1, steps+1))[::-1][:-1] (numpy's
 * round-half-to-even), e.g. 999, 949, 899, …, 50 for T = 1000 and 20 steps, then the jump to x_0.
 * Deterministic: the seeds are not used.
 */
public final class DpmSolverPlusPlus2MSampler implements Sampler {
    private final NoiseSchedule schedule;
    private final ForwardProcess forward;
    private final int[] timesteps;
    private final boolean clip;

    /** x̂_0 clipped to [−1, 1]. */
    public DpmSolverPlusPlus2MSampler(NoiseSchedule schedule, int steps) {
        this(schedule, steps, true);
    }

    public DpmSolverPlusPlus2MSampler(NoiseSchedule schedule, int steps, boolean clip) {
        this.schedule = schedule;
        this.forward = new ForwardProcess(schedule);
        this.timesteps = linspaceTimesteps(schedule.timesteps(), steps);
        this.clip = clip;
    }

    /**
     * round(linspace(0, T−1, steps+1)) reversed, without the trailing 0; repeats (possible only when steps
     * is close to T) are dropped as diffusers does, so the count can be below {@code steps}.
     */
    static int[] linspaceTimesteps(int trainTimesteps, int steps) {
        if (steps < 1 || steps > trainTimesteps) {
            throw new IllegalArgumentException("DPM-Solver++ steps must be in 1 … " + trainTimesteps + ", got " + steps);
        }
        double stride = (trainTimesteps - 1) / (double) steps;
        int[] ts = new int[steps];
        int count = 0;
        for (int k = steps; k >= 1; k--) {
            int t = k == steps ? trainTimesteps - 1 : (int) Math.rint(k * stride);
            if (count == 0 || ts[count - 1] != t) {
                ts[count++] = t;
            }
        }
        return Arrays.copyOf(ts, count);
    }

    @Override
    public INDArray sampleFrom(Denoiser denoiser, INDArray start, int firstStep, int[] labels, long[] seeds) {
        SamplerSupport.checkInputs(start, labels, seeds);
        SamplerSupport.checkFirstStep(firstStep, timesteps.length);
        INDArray x = start;
        INDArray previousX0 = null; // a late start begins with a first-order step, as the first step does
        double previousH = Double.NaN;
        for (int k = firstStep; k < timesteps.length; k++) {
            int s = timesteps[k];
            INDArray x0 = forward.x0FromEps(x, denoiser.predictNoise(x, s, labels), s);
            if (clip) {
                SamplerSupport.clipToDataRange(x0);
            }
            if (k == timesteps.length - 1) {
                return x0;
            }
            int t = timesteps[k + 1];
            double h = lambda(t) - lambda(s);
            double x0Coefficient = -Math.sqrt(schedule.alphaBar(t)) * Math.expm1(-h);
            INDArray direction = previousX0 == null
                    ? x0.dup()
                    : x0.mul(1.0 + 0.5 * h / previousH).subi(previousX0.mul(0.5 * h / previousH));
            double sigmaRatio = schedule.sqrtOneMinusAlphaBar(t) / schedule.sqrtOneMinusAlphaBar(s);
            x = x.mul(sigmaRatio).addi(direction.muli(x0Coefficient));
            previousX0 = x0;
            previousH = h;
        }
        throw new IllegalStateException("unreachable: the last step returns x0");
    }

    /** λ = log(α/σ) = ½·(log ᾱ − log(1 − ᾱ)), the half log-SNR. */
    private double lambda(int t) {
        double alphaBar = schedule.alphaBar(t);
        return 0.5 * (Math.log(alphaBar) - Math.log1p(-alphaBar));
    }

    @Override
    public String name() {
        return "dpm-solver++";
    }

    @Override
    public int[] timesteps() {
        return timesteps.clone();
    }

    public boolean clip() {
        return clip;
    }

    @Override
    public String toString() {
        return "dpm-solver++(2M, steps=" + steps() + ", clip=" + clip + ")";
    }
}
