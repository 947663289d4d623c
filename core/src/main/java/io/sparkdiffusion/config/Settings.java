package io.sparkdiffusion.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

/**
 * Typed, validated reads of a job's configuration. Every failure is a {@link ConfigError} with one line
 * naming the key, what was expected, what was found and where it was set, e.g.
 * {@code key 'train.epochs': expected a positive integer, got 'abc' (from --set train.epochs=abc)}.
 *
 * <p>Keys are full paths ({@code train.epochs}); {@link #at(String)} gives a view with a prefix.
 */
public final class Settings {
    private static final int MAX_SHOWN = 60;

    private final Config config;
    private final String prefix;

    public Settings(Config config) {
        this(config, "");
    }

    private Settings(Config config, String prefix) {
        this.config = config;
        this.prefix = prefix;
    }

    /** A view whose keys are relative to {@code section}: {@code at("train").getInt("epochs")}. */
    public Settings at(String section) {
        return new Settings(config, full(section) + ".");
    }

    public Config config() {
        return config;
    }

    /** True when the key is present and not null. */
    public boolean has(String key) {
        try {
            return config.hasPath(full(key));
        } catch (ConfigException.BadPath e) {
            throw new ConfigError("bad key name '" + full(key) + "': " + e.getMessage(), e);
        }
    }

    public int getInt(String key) {
        return (int) integer(key, "an integer", Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    public long getLong(String key) {
        return integer(key, "an integer", Long.MIN_VALUE, Long.MAX_VALUE);
    }

    public int getPositiveInt(String key) {
        return (int) integer(key, "a positive integer", 1, Integer.MAX_VALUE);
    }

    public int getNonNegativeInt(String key) {
        return (int) integer(key, "an integer >= 0", 0, Integer.MAX_VALUE);
    }

    public int getIntInRange(String key, int lo, int hi) {
        return (int) integer(key, "an integer in " + lo + ".." + hi, lo, hi);
    }

    public long getPositiveLong(String key) {
        return integer(key, "a positive integer", 1, Long.MAX_VALUE);
    }

    public double getDouble(String key) {
        return real(key, "a number", Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
    }

    public double getPositiveDouble(String key) {
        double v = real(key, "a positive number", 0, Double.POSITIVE_INFINITY);
        if (v == 0) {
            throw wrong(key, "a positive number", value(key));
        }
        return v;
    }

    /** A number in the closed interval [lo, hi]. */
    public double getDoubleInRange(String key, double lo, double hi) {
        return real(key, "a number in [" + lo + ", " + hi + "]", lo, hi);
    }

    public double getNonNegativeDouble(String key) {
        return real(key, "a number >= 0", 0, Double.POSITIVE_INFINITY);
    }

    /** A number in the half-open interval [lo, hi): e.g. a decay, where hi itself would never move. */
    public double getDoubleBelow(String key, double lo, double hi) {
        String expected = "a number in [" + plain(lo) + ", " + plain(hi) + ")";
        double v = real(key, expected, lo, hi);
        if (v == hi) {
            throw wrong(key, expected, value(key));
        }
        return v;
    }

    public boolean getBoolean(String key) {
        ConfigValue v = value(key);
        Object raw = v.unwrapped();
        if (raw instanceof Boolean b) {
            return b;
        }
        if (raw instanceof String s) {
            // The spellings Typesafe Config itself accepts.
            switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on" -> {
                    return true;
                }
                case "false", "no", "off" -> {
                    return false;
                }
                default -> {
                }
            }
        }
        throw wrong(key, "true or false", v);
    }

    /** A scalar as text (numbers and booleans too). */
    public String getString(String key) {
        ConfigValue v = value(key);
        if (v.valueType() == ConfigValueType.LIST || v.valueType() == ConfigValueType.OBJECT) {
            throw wrong(key, "a single value", v);
        }
        return String.valueOf(v.unwrapped());
    }

    /** A non-empty string, or empty when the key is missing, null or "". */
    public Optional<String> getOptionalString(String key) {
        if (!has(key)) {
            return Optional.empty();
        }
        String s = getString(key);
        return s.isBlank() ? Optional.empty() : Optional.of(s);
    }

    public List<Integer> getIntList(String key) {
        return list(key, "a list of integers", s -> Math.toIntExact(parseInteger(s)));
    }

    public List<Double> getDoubleList(String key) {
        return list(key, "a list of numbers", Settings::parseReal);
    }

    public List<String> getStringList(String key) {
        return list(key, "a list of strings", String::valueOf);
    }

    /**
     * An enum constant, matched ignoring case with '-' standing for '_' ({@code dpm-solver} → DPM_SOLVER).
     */
    public <E extends Enum<E>> E getEnum(String key, Class<E> type) {
        ConfigValue v = value(key);
        String given = v.unwrapped() instanceof String s ? s.trim().replace('-', '_') : "";
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(given)) {
                return constant;
            }
        }
        String names = Arrays.stream(type.getEnumConstants())
                .map(c -> c.name().toLowerCase(Locale.ROOT).replace('_', '-')).collect(Collectors.joining(", "));
        throw wrong(key, "one of " + names, v);
    }

    /** One of the allowed strings, ignoring case; returns the allowed spelling. */
    public String getChoice(String key, String... allowed) {
        ConfigValue v = value(key);
        // `--set k=false` (or k = 2 in a file) parses as a HOCON boolean (number), yet names the choice "false" ("2")
        if (v.unwrapped() instanceof String || v.unwrapped() instanceof Boolean || v.unwrapped() instanceof Number) {
            String s = String.valueOf(v.unwrapped());
            for (String a : allowed) {
                if (a.equalsIgnoreCase(s.trim())) {
                    return a;
                }
            }
        }
        throw wrong(key, "one of " + String.join(", ", allowed), v);
    }

    private String full(String key) {
        return prefix + key;
    }

    private ConfigValue value(String key) {
        String path = full(key);
        try {
            if (!config.hasPathOrNull(path)) {
                throw new ConfigError("key '" + path + "' is missing");
            }
            if (config.getIsNull(path)) {
                throw new ConfigError("key '" + path + "' is not set (null)");
            }
            return config.getValue(path);
        } catch (ConfigException e) {
            throw new ConfigError("bad key '" + path + "': " + e.getMessage(), e);
        }
    }

    private long integer(String key, String expected, long lo, long hi) {
        return parsed(key, expected, Settings::parseInteger, n -> n >= lo && n <= hi);
    }

    private double real(String key, String expected, double lo, double hi) {
        return parsed(key, expected, Settings::parseReal, d -> !Double.isNaN(d) && d >= lo && d <= hi);
    }

    /**
     * The key's value read by {@code parse}; a value it cannot read and one {@code accepted} refuses get the same
     * one-line error, naming what was {@code expected}.
     */
    private <T> T parsed(String key, String expected, Function<Object, T> parse, Predicate<T> accepted) {
        ConfigValue v = value(key);
        T parsed;
        try {
            parsed = parse.apply(v.unwrapped());
        } catch (RuntimeException unreadable) {
            throw wrong(key, expected, v);
        }
        if (!accepted.test(parsed)) {
            throw wrong(key, expected, v);
        }
        return parsed;
    }

    /** 1 rather than 1.0 in a message. */
    private static String plain(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    private <T> List<T> list(String key, String expected, Function<Object, T> element) {
        ConfigValue v = value(key);
        List<Object> raw = new ArrayList<>();
        if (v instanceof ConfigList configList) {
            raw.addAll(configList.unwrapped());
        } else if (v.unwrapped() instanceof String s && !s.isBlank()) {
            raw.addAll(Arrays.asList(s.split("\\s*,\\s*"))); // "1,2,2" from a shell without brackets
        } else {
            throw wrong(key, expected, v);
        }
        List<T> out = new ArrayList<>();
        for (Object o : raw) {
            if (o == null || o instanceof List || o instanceof java.util.Map) {
                throw wrong(key, expected, v);
            }
            try {
                out.add(element.apply(o instanceof String s ? s.trim() : o));
            } catch (RuntimeException badElement) {
                throw wrong(key, expected, v);
            }
        }
        return List.copyOf(out);
    }

    private static long parseInteger(Object raw) {
        if (raw instanceof Integer || raw instanceof Long) {
            return ((Number) raw).longValue();
        }
        if (raw instanceof Number n) {
            double d = n.doubleValue();
            if (d == Math.rint(d) && Math.abs(d) < 0x1p63) {
                return (long) d;
            }
            throw new NumberFormatException("not integral");
        }
        if (raw instanceof String s) {
            return Long.parseLong(s.trim());
        }
        throw new NumberFormatException("not a number");
    }

    private static double parseReal(Object raw) {
        if (raw instanceof Number n) {
            return n.doubleValue();
        }
        if (raw instanceof String s) {
            return Double.parseDouble(s.trim());
        }
        throw new NumberFormatException("not a number");
    }

    private ConfigError wrong(String key, String expected, ConfigValue v) {
        String message = "key '" + full(key) + "': expected " + expected + ", got '" + shown(v) + "'";
        String origin = v.origin() == null ? null : v.origin().description();
        if (origin != null && !origin.isBlank()) {
            message += " (from " + origin + ")";
        }
        return new ConfigError(message);
    }

    private static String shown(ConfigValue v) {
        String text = v.unwrapped() instanceof String s ? s : v.render(ConfigRenderOptions.concise());
        text = ConfigError.oneLine(text);
        return text.length() > MAX_SHOWN ? text.substring(0, MAX_SHOWN) + "..." : text;
    }
}
