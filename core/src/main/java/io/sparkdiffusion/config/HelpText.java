package io.sparkdiffusion.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;

/**
 * The {@code --help} text: usage, the options, and every key under the job's root with its default and the
 * comment written above it in the reference config (Typesafe keeps comments in each value's origin).
 */
final class HelpText {

    private HelpText() {
    }

    static String render(String usage, String root, Config reference) {
        Map<String, ConfigValue> keys = new TreeMap<>();
        collect((ConfigObject) reference.root().get(root), root, keys);
        List<String> lines = new ArrayList<>();
        int width = 0;
        for (Map.Entry<String, ConfigValue> e : keys.entrySet()) {
            String line = "  " + e.getKey() + " = " + e.getValue().render(ConfigRenderOptions.concise());
            lines.add(line);
            width = Math.max(width, line.length());
        }
        StringBuilder out = new StringBuilder();
        out.append("Usage: ").append(usage).append("\n\n");
        out.append("Options:\n");
        out.append("  --config FILE     a HOCON file of settings (local path or hdfs://, s3a:// URI)\n");
        out.append("  --set KEY=VALUE   set one key (repeatable; wins over --config); VALUE is read as HOCON\n");
        out.append("  --help            print this help\n\n");
        out.append("Keys and defaults:\n");
        int i = 0;
        for (ConfigValue value : keys.values()) {
            String line = lines.get(i++);
            String comment = value.origin().comments().stream().map(String::trim).filter(c -> !c.isEmpty())
                    .collect(Collectors.joining(" "));
            out.append(line);
            if (!comment.isEmpty()) {
                out.append(" ".repeat(width - line.length() + 2)).append("# ").append(comment);
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** Leaves, and empty objects (open sections), by full path. */
    private static void collect(ConfigObject object, String prefix, Map<String, ConfigValue> keys) {
        for (Map.Entry<String, ConfigValue> e : object.entrySet()) {
            String path = prefix + "." + ConfigUtil.joinPath(e.getKey());
            if (e.getValue() instanceof ConfigObject child && !child.isEmpty()) {
                collect(child, path, keys);
            } else {
                keys.put(path, e.getValue());
            }
        }
    }
}
