package io.sparkdiffusion.sampling;

import io.sparkdiffusion.config.ConfigError;
import io.sparkdiffusion.schedule.NoiseSchedule;
import java.util.List;
import java.util.Locale;

/** Makes a sampler from its configuration name (the {@code sample.sampler} key of the jobs). */
public final class Samplers {
    /** The names {@link #create} accepts. */
    public static final List<String> NAMES = List.of("ddpm", "ddim", "dpm-solver++");

    private Samplers() {
    }

    /**
     * Refuses, naming the key, steps the sampler would refuse on a schedule of {@code timesteps} (T): ddim and
     * dpm-solver++ take 1 to T; ddpm runs all T and ignores them. Jobs call it before any work, since samplers
     * are made late (after an epoch, on the executors).
     *
     * @param schedule the schedule as the message names it, e.g. "the checkpoint's noise schedule"
     */
    public static void checkSteps(String key, String name, int steps, int timesteps, String schedule) {
        if (!name.trim().equalsIgnoreCase("ddpm") && steps > timesteps) {
            throw new ConfigError(key + " = " + steps + " is more than the " + timesteps + " timesteps of " + schedule
                    + ": " + name + " takes 1 to " + timesteps + " steps");
        }
    }

    /**
     * A sampler with x̂_0 clipped to [−1, 1].
     *
     * @param name  "ddpm" (all T steps: {@code steps} is ignored), "ddim" or "dpm-solver++" (case-insensitive)
     * @param steps denoiser calls for ddim and dpm-solver++, 1 … T
     * @param eta   DDIM's η (0 = deterministic); ignored by the others
     */
    public static Sampler create(String name, NoiseSchedule schedule, int steps, double eta) {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        return switch (key) {
            case "ddpm" -> new DdpmSampler(schedule);
            case "ddim" -> new DdimSampler(schedule, steps, eta);
            case "dpm-solver++" -> new DpmSolverPlusPlus2MSampler(schedule, steps);
            default -> throw new IllegalArgumentException(
                    "unknown sampler '" + name + "'; valid values: " + String.join(", ", NAMES));
        };
    }
}
