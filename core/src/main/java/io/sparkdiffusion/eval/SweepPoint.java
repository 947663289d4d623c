package io.sparkdiffusion.eval;

import io.sparkdiffusion.config.ConfigError;
import io.sparkdiffusion.sampling.Samplers;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One sampler setting of a sweep: a sampler, its denoiser calls per image and a guidance scale.
 *
 * @param steps denoiser calls per image (ddpm: the schedule's timesteps, filled in by {@link #withDdpmSteps})
 */
public record SweepPoint(String sampler, int steps, double guidance) {

    /**
     * Every sampler setting crossed with every guidance scale, in the order given.
     *
     * @param samplers "name:steps" (e.g. "ddim:50", "dpm-solver++:20") or "ddpm"
     * @param key      the key the lists come from, for error messages
     */
    public static List<SweepPoint> grid(List<String> samplers, List<Double> guidances, String key) {
        if (samplers.isEmpty() || guidances.isEmpty()) {
            throw new ConfigError(key + ": samplers and guidance must each list at least one value");
        }
        List<SweepPoint> points = new ArrayList<>();
        for (String spec : samplers) {
            String[] parts = spec.trim().toLowerCase(Locale.ROOT).split(":", -1);
            String name = parts[0];
            if (!Samplers.NAMES.contains(name)) {
                throw new ConfigError(key + ".samplers: unknown sampler in '" + spec + "'; valid: "
                        + String.join(", ", Samplers.NAMES));
            }
            int steps = name.equals("ddpm") && parts.length == 1 ? 0 : stepsOf(spec, parts, key);
            for (double guidance : guidances) {
                if (!Double.isFinite(guidance) || guidance < 0) {
                    throw new ConfigError(key + ".guidance: " + guidance + " is not a scale of 0 or more");
                }
                SweepPoint point = new SweepPoint(name, steps, guidance);
                if (points.contains(point)) {
                    throw new ConfigError(key + ": " + point.name() + " is listed twice");
                }
                points.add(point);
            }
        }
        return points;
    }

    private static int stepsOf(String spec, String[] parts, String key) {
        try {
            if (parts.length == 2) {
                int steps = Integer.parseInt(parts[1].trim());
                if (steps >= 1) {
                    return steps;
                }
            }
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw new ConfigError(key + ".samplers: '" + spec + "' is not sampler:steps (e.g. ddim:50, dpm-solver++:20)");
    }

    /** ddpm runs every timestep of the schedule: its steps are known once the checkpoint is. */
    public SweepPoint withDdpmSteps(int timesteps) {
        return sampler.equals("ddpm") ? new SweepPoint(sampler, timesteps, guidance) : this;
    }

    /** A file-name-safe name, e.g. {@code ddim-50-g3} or {@code dpm-solver-pp-20-g1.5}. */
    public String name() {
        return sampler.replace("++", "-pp") + "-" + steps + "-g" + plain(guidance);
    }

    /** The sampler setting without guidance, e.g. {@code ddim:50}: one line of the sweep's plot. */
    public String samplerLabel() {
        return sampler + ":" + steps;
    }

    /**
     * Images pushed through the network per generated image: one per step, two when guidance needs the
     * conditional and the unconditional prediction (one call on a doubled batch, so twice the work).
     */
    public int imagePasses(boolean conditional) {
        boolean guided = conditional && guidance != 1.0 && guidance != 0.0;
        return steps * (guided ? 2 : 1);
    }

    static String plain(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
