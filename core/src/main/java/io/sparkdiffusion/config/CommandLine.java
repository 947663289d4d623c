package io.sparkdiffusion.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The arguments every job takes: {@code --config FILE}, repeatable {@code --set key=value}, {@code --help}.
 * The {@code --name=value} spellings are accepted too. Anything else is a {@link ConfigError}.
 *
 * @param configFile the user's HOCON file, if given
 * @param overrides  the {@code key=value} texts of the {@code --set} arguments, in order (later ones win)
 * @param help       whether {@code --help} (or {@code -h}) was given
 */
public record CommandLine(Optional<String> configFile, List<String> overrides, boolean help) {

    public CommandLine {
        overrides = List.copyOf(overrides);
    }

    public static CommandLine parse(String... args) {
        Optional<String> config = Optional.empty();
        List<String> sets = new ArrayList<>();
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
            } else if (arg.equals("--config") || arg.startsWith("--config=")) {
                String file = arg.equals("--config") ? valueAfter(args, i++, "--config needs a file name")
                        : arg.substring("--config=".length());
                if (file.isBlank()) {
                    throw new ConfigError("--config needs a file name");
                }
                if (config.isPresent()) {
                    throw new ConfigError("--config given twice ('" + config.get() + "' and '" + file + "')");
                }
                config = Optional.of(file);
            } else if (arg.equals("--set") || arg.startsWith("--set=")) {
                String kv = arg.equals("--set") ? valueAfter(args, i++, "--set needs key=value")
                        : arg.substring("--set=".length());
                splitOverride(kv);
                sets.add(kv);
            } else {
                throw new ConfigError("unknown argument '" + arg + "' (expected --config FILE, --set key=value or --help)");
            }
        }
        return new CommandLine(config, sets, help);
    }

    /** {@code key=value} → [key, value], split at the first '='; the key is trimmed and must not be empty. */
    static String[] splitOverride(String kv) {
        int eq = kv.indexOf('=');
        if (eq <= 0 || kv.substring(0, eq).isBlank()) {
            throw new ConfigError("--set needs key=value, got '" + kv + "'");
        }
        return new String[]{kv.substring(0, eq).trim(), kv.substring(eq + 1)};
    }

    private static String valueAfter(String[] args, int i, String problem) {
        if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
            throw new ConfigError(problem);
        }
        return args[i + 1];
    }
}
