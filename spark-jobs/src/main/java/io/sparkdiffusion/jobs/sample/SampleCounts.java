package io.sparkdiffusion.jobs.sample;

import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import io.sparkdiffusion.config.ConfigError;
import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.config.Settings;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How many images SampleJob makes: {@code sample.count} in total (spread evenly over a conditional model's
 * classes, the first classes taking one more when it does not divide), or {@code sample.per-class}, either one
 * number for every class or a map from class name to count (classes not named get none).
 *
 * @param count    the total, 0 when per-class is used
 * @param perClass the number for every class, or null
 * @param byName   the counts by class name, or null
 */
public record SampleCounts(long count, Long perClass, Map<String, Long> byName) {
    private static final String COUNT = "sample.count";
    private static final String PER_CLASS = "sample.per-class";

    public static SampleCounts from(Settings all) {
        long count = all.getLong(COUNT);
        if (count < 0) {
            throw new ConfigError("key '" + COUNT + "': expected an integer >= 0, got " + count);
        }
        if (!all.has(PER_CLASS)) {
            if (count == 0) {
                throw new ConfigError("nothing to generate: set " + COUNT + " or " + PER_CLASS);
            }
            return new SampleCounts(count, null, null);
        }
        if (count > 0) {
            throw new ConfigError("set " + COUNT + " or " + PER_CLASS + ", not both");
        }
        ConfigValue value = all.config().getValue(PER_CLASS);
        if (value instanceof ConfigObject object) {
            Map<String, Long> byName = new LinkedHashMap<>();
            for (Map.Entry<String, ConfigValue> e : object.entrySet()) {
                byName.put(e.getKey(), nonNegative(e.getValue().unwrapped(), "'" + e.getKey() + "' in " + PER_CLASS));
            }
            if (byName.values().stream().mapToLong(Long::longValue).sum() == 0) {
                throw new ConfigError(PER_CLASS + " asks for no image at all");
            }
            return new SampleCounts(0, null, byName);
        }
        long each = nonNegative(value.unwrapped(), PER_CLASS);
        if (each == 0) {
            throw new ConfigError(PER_CLASS + " = 0 asks for no image at all");
        }
        return new SampleCounts(0, each, null);
    }

    private static long nonNegative(Object raw, String what) {
        if (raw instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && n.longValue() >= 0) {
            return n.longValue();
        }
        if (raw instanceof String s && s.trim().matches("\\d+")) {
            return Long.parseLong(s.trim());
        }
        throw new ConfigError(what + ": expected an image count (an integer >= 0, or a map of class name to count),"
                + " got '" + raw + "'");
    }

    /** Counts by label for these classes (one unlabeled count when there are none). */
    public long[] byLabel(List<String> classNames) {
        if (classNames.isEmpty()) {
            if (count == 0) {
                throw new InputError(PER_CLASS + " needs a class-conditional checkpoint; this one is unconditional:"
                        + " set " + COUNT + " instead");
            }
            return new long[] {count};
        }
        long[] counts = new long[classNames.size()];
        if (perClass != null) {
            java.util.Arrays.fill(counts, perClass);
        } else if (byName != null) {
            for (Map.Entry<String, Long> e : byName.entrySet()) {
                int label = classNames.indexOf(e.getKey());
                if (label < 0) {
                    throw new InputError("unknown class '" + e.getKey() + "' in " + PER_CLASS + "; the checkpoint's"
                            + " classes are: " + String.join(", ", classNames));
                }
                counts[label] = e.getValue();
            }
        } else {
            for (int label = 0; label < counts.length; label++) {
                counts[label] = count / counts.length + (label < count % counts.length ? 1 : 0);
            }
        }
        return counts;
    }
}
