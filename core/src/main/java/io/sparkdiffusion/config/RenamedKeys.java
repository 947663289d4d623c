package io.sparkdiffusion.config;

import java.util.Map;
import java.util.Set;

import com.typesafe.config.Config;

/**
 * Keys that were renamed: the old name keeps working in a config file or a {@code --set}, with one line on stderr
 * that names the new one, so that scripts written for the old name run on and say what to change.
 */
final class RenamedKeys {
    /** Old name to new name. */
    static final Map<String, String> NEW_NAMES = Map.of("local.steps", "local.max-steps");

    private RenamedKeys() {
    }

    /**
     * The layer (one config file, or the {@code --set}s) with every old name moved to its new one. An old name is
     * said once per load ({@code said} collects them); a layer that gives both names is refused, since neither
     * can be known to be meant.
     */
    static Config moveToNewNames(Config layer, Set<String> said) {
        Config moved = layer;
        for (Map.Entry<String, String> name : NEW_NAMES.entrySet()) {
            String old = name.getKey();
            if (!layer.hasPathOrNull(old)) {
                continue;
            }
            if (layer.hasPathOrNull(name.getValue())) {
                throw new ConfigError("both " + old + " (" + layer.getValue(old).origin().description() + ") and "
                        + name.getValue() + " are set: " + old + " is the old name of " + name.getValue()
                        + "; remove it");
            }
            if (said.add(old)) {
                System.err.println(old + " is deprecated: use " + name.getValue());
            }
            moved = moved.withoutPath(old).withValue(name.getValue(), layer.getValue(old));
        }
        return moved;
    }
}
