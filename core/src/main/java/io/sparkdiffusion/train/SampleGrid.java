package io.sparkdiffusion.train;

import io.sparkdiffusion.config.Settings;
import io.sparkdiffusion.sampling.Samplers;

/** The grid of EMA samples a training run writes: how many images, with which sampler, from which seed. */
public record SampleGrid(int count, String sampler, int steps, double eta, double guidance, long seed) {

    /** The keys of a trainer's {@code sample} section; {@code count} may be 0 (no grid) only when {@code mayBeOff}. */
    public static SampleGrid read(Settings sample, boolean mayBeOff) {
        return new SampleGrid(mayBeOff ? sample.getNonNegativeInt("count") : sample.getPositiveInt("count"),
                sample.getChoice("sampler", Samplers.NAMES.toArray(String[]::new)),
                sample.getPositiveInt("steps"), sample.getDouble("eta"), sample.getDouble("guidance"),
                sample.getLong("seed"));
    }
}
