package io.sparkdiffusion.config;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOriginFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * A job's configuration in three layers, highest priority first: {@code --set key=value} overrides, the
 * user's {@code --config} file, the defaults of the reference config. Every key the user gives under the
 * job's root (e.g. {@code train.*}) must exist in the reference; a misspelt one is a {@link ConfigError}
 * with a suggestion. An empty object in the reference ({@code extra {}}) is an open section that takes any
 * key. A renamed key's old name is read as the new one, with a deprecation line ({@link RenamedKeys}).
 */
public final class JobConfigLoader {
    private final String root;
    private final Config reference;

    /**
     * @param root      the job's top-level key, e.g. {@code train}
     * @param reference the defaults (resolved here)
     */
    public JobConfigLoader(String root, Config reference) {
        this.root = root;
        this.reference = resolve(reference, "reference config");
        ConfigValue section = this.reference.root().get(root);
        if (section == null || section.valueType() != ConfigValueType.OBJECT) {
            throw new ConfigError("the reference config has no section '" + root + "'");
        }
    }

    /** Defaults from every {@code reference.conf} on the classpath (the jobs' own). */
    public static JobConfigLoader forJob(String root) {
        return new JobConfigLoader(root, ConfigFactory.defaultReference());
    }

    /** Defaults from one named classpath resource, e.g. a test's {@code test-job.conf}. */
    public static JobConfigLoader fromResource(String root, String resourceName) {
        Config defaults;
        try {
            defaults = ConfigFactory.parseResources(resourceName, ConfigParseOptions.defaults().setAllowMissing(false));
        } catch (ConfigException e) {
            throw new ConfigError("cannot read the reference config '" + resourceName + "': " + e.getMessage(), e);
        }
        return new JobConfigLoader(root, defaults);
    }

    /** Shorthand for {@code forJob(root).load(configFile, overrides)}. */
    public static Config load(String root, Optional<String> configFile, List<String> overrides) {
        return forJob(root).load(configFile, overrides);
    }

    public String root() {
        return root;
    }

    public Config reference() {
        return reference;
    }

    public Config load(CommandLine commandLine) {
        return load(commandLine.configFile(), commandLine.overrides());
    }

    public Settings settings(CommandLine commandLine) {
        return new Settings(load(commandLine));
    }

    /** The help text for {@code --help}: usage and every key under the root with its default. */
    public String help(String usage) {
        return HelpText.render(usage, root, reference);
    }

    /**
     * @param configFile a local path or a Hadoop URI (hdfs://, s3a://, ...) of a HOCON file
     * @param overrides  {@code key=value} texts; values are read as HOCON (numbers, booleans, lists), else as
     *                   plain strings
     */
    public Config load(Optional<String> configFile, List<String> overrides) {
        java.util.Set<String> renamedSaid = new java.util.HashSet<>();
        Config user = RenamedKeys.moveToNewNames(configFile.map(JobConfigLoader::parseFile).orElse(ConfigFactory.empty()),
                renamedSaid);
        Config sets = ConfigFactory.empty();
        List<String> setKeys = new ArrayList<>();
        for (String kv : overrides) {
            String[] parts = CommandLine.splitOverride(kv);
            ConfigValue value = OverrideValue.parse(parts[1]).withOrigin(ConfigOriginFactory.newSimple("--set " + kv));
            try {
                sets = ConfigFactory.empty().withValue(parts[0], value).withFallback(sets);
            } catch (ConfigException e) {
                throw new ConfigError("bad key in --set '" + kv + "': " + e.getMessage(), e);
            }
            setKeys.add(parts[0]);
        }
        sets = RenamedKeys.moveToNewNames(sets, renamedSaid);
        // Keys under the root are checked below; a --set outside every known section (a typo in the root,
        // or a forgotten root) would otherwise be silently ignored.
        for (int i = 0; i < setKeys.size(); i++) {
            if (!reference.root().containsKey(ConfigUtil.splitPath(setKeys.get(i)).get(0))) {
                throw new ConfigError(KeySuggestions.unknownKeyMessage(setKeys.get(i), allPaths(), "--set " + overrides.get(i)));
            }
        }
        Config merged = resolve(sets.withFallback(user).withFallback(reference), "configuration");
        checkKnownKeys(merged);
        return merged;
    }

    private void checkKnownKeys(Config merged) {
        if (!(merged.root().get(root) instanceof ConfigObject given)) {
            throw new ConfigError("'" + root + "' must be a section of keys ({ ... }), got "
                    + merged.root().get(root).valueType().name().toLowerCase(java.util.Locale.ROOT) + " in "
                    + merged.root().get(root).origin().description());
        }
        Map<String, String> originByKey = new TreeMap<>(); // sorted: the same first error every run
        collectUnknown(given, (ConfigObject) reference.root().get(root), root,
                originByKey);
        if (!originByKey.isEmpty()) {
            List<String> unknown = new ArrayList<>(originByKey.keySet());
            String message = KeySuggestions.unknownKeyMessage(unknown.get(0), allPaths(), originByKey.get(unknown.get(0)));
            if (unknown.size() > 1) {
                message += "; also unknown: '" + String.join("', '", unknown.subList(1, unknown.size())) + "'";
            }
            throw new ConfigError(message);
        }
    }

    private static void collectUnknown(ConfigObject given, ConfigObject known, String prefix,
                                       Map<String, String> originByKey) {
        for (Map.Entry<String, ConfigValue> entry : given.entrySet()) {
            String path = prefix + "." + ConfigUtil.joinPath(entry.getKey());
            ConfigValue knownValue = known.get(entry.getKey());
            if (knownValue == null) {
                originByKey.put(path, entry.getValue().origin().description());
            } else if (knownValue instanceof ConfigObject knownObject && !knownObject.isEmpty()
                    && entry.getValue() instanceof ConfigObject givenObject) {
                collectUnknown(givenObject, knownObject, path, originByKey);
            }
        }
    }

    /** Every path (sections and keys) under the root of the reference, for suggestions. */
    private List<String> allPaths() {
        List<String> paths = new ArrayList<>();
        addPaths((ConfigObject) reference.root().get(root), root, paths);
        return paths;
    }

    private static void addPaths(ConfigObject object, String prefix, List<String> paths) {
        for (Map.Entry<String, ConfigValue> entry : object.entrySet()) {
            String path = prefix + "." + ConfigUtil.joinPath(entry.getKey());
            paths.add(path);
            if (entry.getValue() instanceof ConfigObject child) {
                addPaths(child, path, paths);
            }
        }
    }

    private static Config parseFile(String location) {
        URI uri = toUri(location);
        if (uri == null || uri.getScheme() == null || "file".equals(uri.getScheme())) {
            File file = uri != null && "file".equals(uri.getScheme()) ? new File(uri.getPath()) : new File(location);
            if (!file.isFile()) {
                throw new ConfigError("config file not found: " + location);
            }
            try {
                return ConfigFactory.parseFile(file, ConfigParseOptions.defaults().setAllowMissing(false));
            } catch (ConfigException e) {
                throw new ConfigError("cannot parse config file: " + e.getMessage(), e);
            }
        }
        // A Hadoop URI (hdfs://, s3a://): useful when the driver runs on the cluster.
        String text;
        try {
            Path path = new Path(uri);
            try (InputStream in = path.getFileSystem(new Configuration()).open(path)) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new ConfigError("cannot read config file " + location + ": " + e.getMessage(), e);
        }
        try {
            return ConfigFactory.parseString(text, ConfigParseOptions.defaults().setOriginDescription(location));
        } catch (ConfigException e) {
            throw new ConfigError("cannot parse config file: " + e.getMessage(), e);
        }
    }

    private static URI toUri(String location) {
        try {
            URI uri = new URI(location);
            // "C:\x" style or bare relative paths have no usable scheme; one-letter schemes are drive letters.
            return uri.getScheme() != null && uri.getScheme().length() > 1 ? uri : null;
        } catch (java.net.URISyntaxException notAUri) {
            return null;
        }
    }

    private static Config resolve(Config config, String what) {
        try {
            return config.resolve();
        } catch (ConfigException e) {
            throw new ConfigError("cannot resolve the " + what + ": " + e.getMessage(), e);
        }
    }

    /** How a {@code --set} value text becomes a config value. */
    static final class OverrideValue {
        private OverrideValue() {
        }

        /**
         * HOCON when it parses as a number, boolean, null, list or object; otherwise the text itself. An unquoted
         * HOCON string is taken verbatim, because HOCON would cut {@code hdfs://host/x} at "//" (a comment).
         */
        static ConfigValue parse(String text) {
            String trimmed = text.trim();
            if (trimmed.isEmpty()) {
                return ConfigValueFactory.fromAnyRef(text);
            }
            ConfigValue parsed;
            try {
                Config c = ConfigFactory.parseString("v = " + text);
                parsed = c.root().get("v");
                if (parsed == null) {
                    return ConfigValueFactory.fromAnyRef(text);
                }
                if (!c.isResolved()) {
                    return parsed; // a substitution such as ${other.key}, resolved after merging
                }
            } catch (ConfigException notHocon) {
                return ConfigValueFactory.fromAnyRef(text);
            }
            boolean hasCommentMarker = trimmed.contains("//") || trimmed.contains("#");
            return switch (parsed.valueType()) {
                case STRING -> trimmed.startsWith("\"") ? parsed : ConfigValueFactory.fromAnyRef(text);
                case NUMBER, BOOLEAN, NULL -> hasCommentMarker ? ConfigValueFactory.fromAnyRef(text) : parsed;
                case LIST, OBJECT -> parsed;
            };
        }
    }
}
