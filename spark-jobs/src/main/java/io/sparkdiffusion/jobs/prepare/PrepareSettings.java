package io.sparkdiffusion.jobs.prepare;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.sparkdiffusion.config.ConfigError;
import io.sparkdiffusion.config.Settings;
import io.sparkdiffusion.image.Background;
import io.sparkdiffusion.image.PrepareOptions;
import io.sparkdiffusion.jobs.io.FileNameGlob;

/**
 * PrepareJob's settings, read and checked once from the {@code prepare} section.
 *
 * @param labels     idx only: the labels file, empty = derived from the images file name, "none" = unlabeled
 * @param parameters the whole {@code prepare} section, recorded in the manifest
 * @param maxFileBytes the longest input file read; longer ones are rejects
 * @param mode       full (the whole corpus into a new output) or incremental (new files into a new version)
 */
public record PrepareSettings(String input, String output, Layout layout, String glob, String labels,
                              List<String> classNames, PrepareOptions image, int rowsPerShard,
                              double validationFraction, double maxRejectFraction, boolean overwrite,
                              Optional<String> sparkMaster, Map<String, Object> parameters,
                              long maxFileBytes, Mode mode) implements Serializable {

    /** {@code prepare.mode}: prepare everything into a new output, or only what is new into a new version. */
    public enum Mode {
        FULL, INCREMENTAL
    }

    public enum Layout {
        CLASS_FOLDERS, UNLABELED, IDX, GENERATED;

        public String configName() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    public static PrepareSettings from(Settings all) {
        Settings s = all.at("prepare");
        String input = required(s, "input", "a directory of images or an idx image file");
        String output = required(s, "output", "a directory to write the prepared data to");
        int size = s.getIntInRange("size", 1, 4096);
        int channels = s.getIntInRange("channels", 1, 3);
        if (channels == 2) {
            throw new ConfigError("key 'prepare.channels': expected 1 (grey) or 3 (RGB), got '2'");
        }
        PrepareOptions image = new PrepareOptions(size, channels, s.getNonNegativeInt("min-size"),
                s.getPositiveLong("max-pixels"), s.getPositiveLong("max-decode-bytes"), background(s));
        return new PrepareSettings(input, output, s.getEnum("layout", Layout.class),
                FileNameGlob.read(all, "prepare.glob"),
                s.getString("labels").trim(), s.getStringList("class-names"), image, s.getPositiveInt("rows-per-shard"),
                s.getDoubleInRange("validation-fraction", 0, 1), s.getDoubleInRange("max-reject-fraction", 0, 1),
                s.getBoolean("overwrite"), s.getOptionalString("spark-master"),
                new java.util.TreeMap<>(all.config().getConfig("prepare").root().unwrapped()), maxFileBytes(s),
                mode(s));
    }

    private static Mode mode(Settings s) {
        Mode mode = s.getEnum("mode", Mode.class);
        Layout layout = s.getEnum("layout", Layout.class);
        if (mode == Mode.INCREMENTAL && layout != Layout.CLASS_FOLDERS && layout != Layout.UNLABELED) {
            throw new ConfigError("key 'prepare.mode': incremental needs a tree of files (prepare.layout = class-folders"
                    + " or unlabeled), not " + layout.configName());
        }
        return mode;
    }

    /** At most the longest byte array a JVM allocates. */
    private static long maxFileBytes(Settings s) {
        long max = s.getPositiveLong("max-file-bytes");
        if (max > FileBytes.MAX_ARRAY) {
            throw new ConfigError("key 'prepare.max-file-bytes': expected at most " + FileBytes.MAX_ARRAY + ", got '" + max + "'");
        }
        return max;
    }

    private static Background background(Settings s) {
        try {
            return Background.parse(s.getString("background"));
        } catch (IllegalArgumentException e) {
            throw new ConfigError("key 'prepare.background': " + e.getMessage());
        }
    }

    private static String required(Settings s, String key, String what) {
        return s.getOptionalString(key).orElseThrow(() ->
                new ConfigError("key 'prepare." + key + "' is not set: expected " + what));
    }
}
