package io.sparkdiffusion.config;

import org.apache.hadoop.fs.Path;

/** Checks on a job's output path shared by everything that writes or locks one. */
public final class OutputPaths {
    private OutputPaths() {
    }

    /**
     * Refuses a file system root: an output is replaced, staged and locked through siblings in its parent.
     *
     * @return {@code output}
     */
    public static Path belowRoot(Path output) {
        if (output.getParent() == null) {
            throw new InputError("output " + output + " is a file system root; choose a directory below it");
        }
        return output;
    }
}
