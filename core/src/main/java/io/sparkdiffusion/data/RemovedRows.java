package io.sparkdiffusion.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The rows later versions of an incremental output removed ({@link PreparedManifest.Version#removed}), read on one
 * JVM without Spark: a row added by version v with id i is current unless some version's list names (i, v).
 */
public final class RemovedRows {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Set<String> removed;

    private RemovedRows(Set<String> removed) {
        this.removed = removed;
    }

    /** Every version's list of an incremental output in {@code dir}; none for a full output. */
    public static RemovedRows of(FileSystem fs, Path dir, PreparedManifest manifest) throws IOException {
        Set<String> removed = new HashSet<>();
        if (manifest.versioned()) {
            for (PreparedManifest.Version v : manifest.versions()) {
                if (v.removed() == null) {
                    continue;
                }
                for (FileStatus part : fs.listStatus(new Path(dir, v.removed()), p -> p.getName().endsWith(".json"))) {
                    try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(part.getPath()),
                            StandardCharsets.UTF_8))) {
                        for (String line = in.readLine(); line != null; line = in.readLine()) {
                            if (!line.isBlank()) {
                                JsonNode row = JSON.readTree(line);
                                removed.add(key(row.get(PreparedColumns.ID).asText(),
                                        row.get(PreparedColumns.VERSION).asInt()));
                            }
                        }
                    }
                }
            }
        }
        return new RemovedRows(removed);
    }

    /** True when a later version removed the row with this id that {@code version} added. */
    public boolean contains(String id, int version) {
        return removed.contains(key(id, version));
    }

    private static String key(String id, int version) {
        return id + "@" + version;
    }
}
