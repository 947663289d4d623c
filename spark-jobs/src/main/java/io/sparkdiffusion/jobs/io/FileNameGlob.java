package io.sparkdiffusion.jobs.io;

import io.sparkdiffusion.config.ConfigError;
import io.sparkdiffusion.config.Settings;
import org.apache.hadoop.fs.GlobPattern;

/**
 * A file-name pattern setting (a Hadoop glob, as Spark's {@code pathGlobFilter} takes it), checked when it is read:
 * Spark would only compile it while listing, with the session up, and fail with a stack trace.
 */
public final class FileNameGlob {
    private FileNameGlob() {
    }

    /** The glob at {@code key} (a full key, e.g. {@code prepare.glob}). */
    public static String read(Settings all, String key) {
        String glob = all.getString(key);
        if (glob.isBlank()) {
            throw new ConfigError("key '" + key + "' is empty: expected a file-name pattern such as *.png");
        }
        try {
            GlobPattern.compile(glob);
        } catch (RuntimeException e) { // a PatternSyntaxException, of java.util.regex or of Hadoop's shaded re2j
            throw new ConfigError("key '" + key + "': expected a Hadoop glob, got '" + glob + "' (" + e.getMessage()
                    + ")");
        }
        return glob;
    }
}
