package io.sparkdiffusion.train;

import io.sparkdiffusion.diffusion.ImageNoise;
import io.sparkdiffusion.image.ImageGrid;
import io.sparkdiffusion.model.NetworkDenoiser;
import io.sparkdiffusion.model.UNetSpec;
import io.sparkdiffusion.sampling.Denoiser;
import io.sparkdiffusion.sampling.GuidedDenoiser;
import io.sparkdiffusion.sampling.Sampler;
import io.sparkdiffusion.sampling.Samplers;
import io.sparkdiffusion.schedule.NoiseSchedule;
import io.sparkdiffusion.schedule.ScheduleSpec;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A grid of samples from given weights (usually the EMA), with fixed seeds so grids of successive checkpoints
 * can be compared. A conditional model's grid cycles through the classes, one class per column group.
 */
public final class GridSampler {
    private final UNetSpec spec;
    private final NoiseSchedule schedule;
    private final Sampler sampler;
    private final double guidance;

    public GridSampler(UNetSpec spec, ScheduleSpec scheduleSpec, String samplerName, int steps, double eta,
                       double guidance) {
        this.spec = spec;
        this.schedule = NoiseSchedule.of(scheduleSpec);
        this.sampler = Samplers.create(samplerName, schedule, steps, eta);
        this.guidance = guidance;
    }

    /** Samples {@code count} images with the network's architecture and the given parameters, as [N, C, H, W]. */
    public INDArray sample(ComputationGraph network, INDArray params, int count, long seed) {
        ComputationGraph withParams = network.clone();
        withParams.setParams(params);
        Denoiser denoiser = new NetworkDenoiser(withParams, spec, schedule);
        int[] labels = null;
        if (spec.conditional()) {
            denoiser = new GuidedDenoiser(denoiser, guidance);
            labels = new int[count];
            for (int i = 0; i < count; i++) {
                labels[i] = i % spec.numClasses();
            }
        }
        long[] seeds = new long[count];
        for (int i = 0; i < count; i++) {
            seeds[i] = ImageNoise.seedFor(seed, i);
        }
        INDArray noise = ImageNoise.initial(seeds, spec.imageChannels(), spec.imageSize(), spec.imageSize());
        return sampler.sample(denoiser, noise, labels, seeds);
    }

    /** The samples as one PNG grid, upscaled 3x so small images are visible. */
    public byte[] samplePng(ComputationGraph network, INDArray params, int count, long seed) {
        int columns = spec.conditional() ? spec.numClasses() : (int) Math.ceil(Math.sqrt(count));
        return ImageGrid.of(columns).withScale(3).png(sample(network, params, count, seed));
    }
}
