package io.sparkdiffusion.train;

import io.sparkdiffusion.config.ConfigError;
import io.sparkdiffusion.config.Settings;

import java.util.Locale;

/**
 * The {@code conditional} key of both trainers: {@code auto} (class-conditional when the data has 2 or more
 * classes), {@code true} or {@code false}.
 */
public final class ClassConditioning {
    public static final String AUTO = "auto";

    private ClassConditioning() {
    }

    /**
     * The key's choice, {@code auto}, {@code true} or {@code false}; the other boolean spellings Typesafe Config
     * takes (yes, no, on, off), which {@code local.conditional} accepted when it was a boolean, mean true or false.
     */
    public static String read(Settings settings, String key) {
        return switch (settings.getString(key).trim().toLowerCase(Locale.ROOT)) {
            case "yes", "on" -> "true";
            case "no", "off" -> "false";
            default -> settings.getChoice(key, AUTO, "true", "false");
        };
    }

    /**
     * Whether to train class-conditionally with data of {@code numClasses} classes.
     *
     * @param key the setting, named when {@code true} meets data without classes
     */
    public static boolean decide(String key, String choice, int numClasses) {
        return switch (choice) {
            case "true" -> {
                if (numClasses < 2) {
                    throw new ConfigError(key + " = true needs data with at least 2 classes, it has " + numClasses);
                }
                yield true;
            }
            case "false" -> false;
            default -> numClasses >= 2;
        };
    }
}
