package io.sparkdiffusion.model;

import java.util.Optional;
import java.util.function.Function;

import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;

import io.sparkdiffusion.config.ConfigError;
import io.sparkdiffusion.config.Settings;
import io.sparkdiffusion.schedule.ScheduleSpec;

/** Reads the {@code model} and {@code schedule} sections of a job config into the library's spec records. */
public final class SpecReader {
    private SpecReader() {
    }

    /** The value of a model key that means "the preset's value". */
    public static final String FROM_PRESET = "preset";

    /**
     * The model of {@code prefix.preset} for the image size, with every key that is not {@value #FROM_PRESET}
     * overriding the preset's value.
     *
     * @param prefix the section holding the keys, e.g. {@code train.model}
     */
    public static UNetSpec model(Settings settings, String prefix, int imageChannels, int imageSize, int numClasses) {
        UNetPreset preset = preset(settings, prefix, imageSize);
        try {
            return new UNetSpec(imageChannels, imageSize,
                    keyOr(settings, prefix + ".base-channels", settings::getPositiveInt, preset.baseChannels()),
                    keyOr(settings, prefix + ".channel-multipliers", settings::getIntList, preset.channelMultipliers()),
                    keyOr(settings, prefix + ".res-blocks-per-level", settings::getPositiveInt, preset.resBlocksPerLevel()),
                    keyOr(settings, prefix + ".groups", settings::getPositiveInt, preset.groups()),
                    keyOr(settings, prefix + ".time-embedding-dim", settings::getPositiveInt, preset.timeEmbeddingDim()),
                    numClasses,
                    keyOr(settings, prefix + ".attention", settings::getBoolean, preset.attention()),
                    settings.getEnum(prefix + ".prediction", UNetSpec.Prediction.class),
                    keyOr(settings, prefix + ".attention-resolutions", settings::getIntList,
                            preset.attentionResolutions()));
        } catch (IllegalArgumentException e) {
            throw new ConfigError(prefix + " (preset " + preset.name() + "): " + e.getMessage(), e);
        }
    }

    /**
     * The preset that, with the other keys of {@code prefix} as configured, gives {@code wanted} (of its image
     * channels, size and classes), when there is one: for a message telling which {@code prefix.preset} reproduces
     * an existing network.
     */
    public static Optional<String> presetGiving(Settings settings, String prefix, UNetSpec wanted) {
        for (UNetPreset preset : UNetPreset.ALL) {
            Settings with = new Settings(settings.config().withValue(prefix + ".preset",
                    ConfigValueFactory.fromAnyRef(preset.name())));
            try {
                if (model(with, prefix, wanted.imageChannels(), wanted.imageSize(), wanted.numClasses()).equals(wanted)) {
                    return Optional.of(preset.name());
                }
            } catch (ConfigError notThisOne) {
                // the configured keys do not fit this preset
            }
        }
        return Optional.empty();
    }

    /** The preset {@code prefix.preset} names (auto: chosen by image size). */
    public static UNetPreset preset(Settings settings, String prefix, int imageSize) {
        try {
            return UNetPreset.named(settings.getString(prefix + ".preset"), imageSize);
        } catch (IllegalArgumentException e) {
            throw new ConfigError("key '" + prefix + ".preset': " + e.getMessage(), e);
        }
    }

    private static <T> T keyOr(Settings settings, String key, Function<String, T> read, T presetValue) {
        if (settings.config().getValue(key).valueType() == ConfigValueType.STRING
                && FROM_PRESET.equals(settings.config().getString(key).trim())) {
            return presetValue;
        }
        return read.apply(key);
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
