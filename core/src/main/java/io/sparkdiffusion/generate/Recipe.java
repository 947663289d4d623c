package io.sparkdiffusion.generate;

import io.sparkdiffusion.sampling.Sampler;
import io.sparkdiffusion.sampling.Samplers;
import io.sparkdiffusion.schedule.NoiseSchedule;

import java.io.Serializable;

/**
 * How images are generated, shared by every unit of a run.
 *
 * @param sampler   ddpm, ddim or dpm-solver++ ({@link Samplers#NAMES})
 * @param steps     denoiser calls (ddim, dpm-solver++)
 * @param eta       DDIM's η
 * @param guidance  classifier-free guidance scale (conditional models; 1 = plain conditional)
 * @param strength  SDEdit strength for variations of existing images, in (0, 1]; unused when sampling
 * @param batchSize images per forward pass (a guided batch runs twice as many through the network)
 */
public record Recipe(String sampler, int steps, double eta, double guidance, double strength, int batchSize)
        implements Serializable {

    public Recipe {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
    }

    public Sampler newSampler(NoiseSchedule schedule) {
        return Samplers.create(sampler, schedule, steps, eta);
    }
}
