package io.sparkdiffusion.schedule;

/**
 * The noise schedule as configuration data (saved in every checkpoint).
 *
 * @param kind       linear (Ho et al.) or cosine (Nichol &amp; Dhariwal)
 * @param timesteps  T, the number of diffusion steps
 * @param betaStart  first β of the linear schedule
 * @param betaEnd    last β of the linear schedule
 */
public record ScheduleSpec(Kind kind, int timesteps, double betaStart, double betaEnd) implements java.io.Serializable {

    public enum Kind { LINEAR, COSINE }

    public static final ScheduleSpec DEFAULT = new ScheduleSpec(Kind.LINEAR, 1000, 1e-4, 0.02);

    public ScheduleSpec {
        if (kind == null) {
            throw new IllegalArgumentException("schedule kind must be linear or cosine");
        }
        if (timesteps < 2) {
            throw new IllegalArgumentException("schedule timesteps must be at least 2, got " + timesteps);
        }
        if (kind == Kind.LINEAR && !(betaStart > 0 && betaStart < betaEnd && betaEnd < 1)) {
            throw new IllegalArgumentException(
                    "linear schedule needs 0 < beta-start < beta-end < 1, got " + betaStart + " and " + betaEnd);
        }
    }

    public static ScheduleSpec linear(int timesteps) {
        return new ScheduleSpec(Kind.LINEAR, timesteps, 1e-4, 0.02);
    }

    public static ScheduleSpec cosine(int timesteps) {
        return new ScheduleSpec(Kind.COSINE, timesteps, 1e-4, 0.02);
    }
}
