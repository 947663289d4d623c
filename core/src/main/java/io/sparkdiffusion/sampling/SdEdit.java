package io.sparkdiffusion.sampling;

import io.sparkdiffusion.diffusion.ForwardProcess;
import io.sparkdiffusion.diffusion.ImageNoise;
import io.sparkdiffusion.schedule.NoiseSchedule;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * SDEdit (Meng et al. 2022): a variation of an image by noising it part-way and denoising it back with any
 * {@link Sampler}. The strength s ∈ [0, 1] picks how far, as diffusers' image-to-image pipelines do: of the
 * sampler's n timesteps the last ⌊n·s⌋ are run, starting at t₀ = {@code timesteps()[n − ⌊n·s⌋]} from
 * x_t₀ = √ᾱ_t₀·x_0 + √(1−ᾱ_t₀)·ε. Two ends are exact:
 * <ul>
 *   <li>no step to run (s = 0, or s &lt; 1/n): the input itself comes back;</li>
 *   <li>s = 1: the chain starts from the pure noise ε, exactly as sampling does, so the input is ignored
 *   (noising to t = T−1 instead would leave √ᾱ_{T−1}·x_0 in, ~0.6 % of it with the linear schedule).</li>
 * </ul>
 * The noise ε of image i is {@code ImageNoise.initial} of its seed, and the sampler's fresh noise comes from
 * the same seed: a variation depends only on its input, label and seed, never on its batch.
 */
public final class SdEdit {
    private final Sampler sampler;
    private final ForwardProcess forward;

    public SdEdit(Sampler sampler, NoiseSchedule schedule) {
        this.sampler = sampler;
        this.forward = new ForwardProcess(schedule);
    }

    /** Index into the sampler's timesteps where a variation of this strength starts; = their count when none runs. */
    public int firstStep(double strength) {
        if (!(strength >= 0 && strength <= 1)) {
            throw new IllegalArgumentException("SDEdit strength must be in [0, 1], got " + strength);
        }
        int n = sampler.timesteps().length;
        return n - stepsRun(n, strength);
    }

    /** How many of a sampler's {@code n} timesteps a variation of this strength runs: ⌊n·s⌋ (0 = none). */
    public static int stepsRun(int n, double strength) {
        int run = (int) Math.floor(n * strength + 1e-9); // 0.3 × 10 must run 3 steps, not 2.9999…
        return Math.min(n, run);
    }

    /**
     * Variations of a batch of images.
     *
     * @param x0     the inputs [N, C, H, W] FLOAT in [−1, 1]; not modified
     * @param labels the label each variation is guided toward (usually the input's own), or null
     * @param seeds  one per image
     * @return the variations [N, C, H, W] (a new array)
     */
    public INDArray vary(Denoiser denoiser, INDArray x0, double strength, int[] labels, long[] seeds) {
        SamplerSupport.checkInputs(x0, labels, seeds);
        int first = firstStep(strength);
        int[] timesteps = sampler.timesteps();
        if (first == timesteps.length) {
            return x0.dup();
        }
        long[] shape = x0.shape();
        INDArray noise = ImageNoise.initial(seeds, Math.toIntExact(shape[1]), Math.toIntExact(shape[2]),
                Math.toIntExact(shape[3]));
        INDArray start = first == 0 ? noise : forward.addNoise(x0, noise, timesteps[first]);
        return sampler.sampleFrom(denoiser, start, first, labels, seeds);
    }

    public Sampler sampler() {
        return sampler;
    }
}
