package io.sparkdiffusion.config;

import io.sparkdiffusion.model.UNetSpec;
import io.sparkdiffusion.schedule.ScheduleSpec;

/** Reads the {@code model} and {@code schedule} sections of a job config into the library's spec records. */
public final class SpecReader {
    private SpecReader() {
    }

    /**
     * @param prefix the section holding the keys, e.g. {@code train.model}
     */
    public static UNetSpec model(Settings settings, String prefix, int imageChannels, int imageSize, int numClasses) {
        try {
            return new UNetSpec(imageChannels, imageSize,
                    settings.getPositiveInt(prefix + ".base-channels"),
                    settings.getIntList(prefix + ".channel-multipliers"),
                    settings.getPositiveInt(prefix + ".res-blocks-per-level"),
                    settings.getPositiveInt(prefix + ".groups"),
                    settings.getPositiveInt(prefix + ".time-embedding-dim"),
                    numClasses,
                    settings.getBoolean(prefix + ".attention"),
                    settings.getEnum(prefix + ".prediction", UNetSpec.Prediction.class));
        } catch (IllegalArgumentException e) {
            throw new ConfigError(prefix + ": " + e.getMessage(), e);
        }
    }

    public static ScheduleSpec schedule(Settings settings, String prefix) {
        try {
            return new ScheduleSpec(settings.getEnum(prefix + ".kind", ScheduleSpec.Kind.class),
                    settings.getPositiveInt(prefix + ".timesteps"),
                    settings.getDouble(prefix + ".beta-start"),
                    settings.getDouble(prefix + ".beta-end"));
        } catch (IllegalArgumentException e) {
            throw new ConfigError(prefix + ": " + e.getMessage(), e);
        }
    }
}
