package io.sparkdiffusion.jobs.glue;

import java.io.IOException;
import java.io.OutputStream;
import java.util.UUID;

import io.sparkdiffusion.config.InputError;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A job output directory that appears complete or not at all. Everything is written into a hidden sibling
 * ({@code .<name>.staging-<uuid>}, ignored by Spark and Hadoop listings); {@link #commit()} then replaces the
 * output with it by a rename and writes {@code _SUCCESS} last. A failed run deletes its staging directory
 * and leaves an existing output untouched.
 */
public final class StagedOutput {
    public static final String SUCCESS = "_SUCCESS";

    private final FileSystem fs;
    private final Path output;
    private final Path staging;
    private final boolean overwrite;

    private StagedOutput(FileSystem fs, Path output, Path staging, boolean overwrite) {
        this.fs = fs;
        this.output = output;
        this.staging = staging;
        this.overwrite = overwrite;
    }

    /**
     * Checks that the output may be written (refusing an existing one unless {@code overwrite}) and reserves a
     * staging directory beside it. Nothing is created yet.
     *
     * @param key the config key of the output, for the message
     */
    public static StagedOutput prepare(Path output, boolean overwrite, String key, Configuration conf) throws IOException {
        FileSystem fs = output.getFileSystem(conf);
        Path qualified = fs.makeQualified(output);
        if (fs.exists(qualified) && !overwrite) {
            throw new InputError("output " + qualified + " already exists; remove it, choose another " + key
                    + ", or set " + key.replaceAll("\\.[^.]+$", "") + ".overwrite=true to replace it");
        }
        if (qualified.getParent() == null) {
            throw new InputError("output " + qualified + " is a file system root; choose a directory below it");
        }
        Path staging = new Path(qualified.getParent(), "." + qualified.getName() + ".staging-" + UUID.randomUUID());
        return new StagedOutput(fs, qualified, staging, overwrite);
    }

    public FileSystem fileSystem() {
        return fs;
    }

    public Path output() {
        return output;
    }

    /** Where to write now; a path under it: {@code path("shards")}. */
    public Path path(String child) {
        return new Path(staging, child);
    }

    public Path staging() {
        return staging;
    }

    public void writeFile(String child, byte[] bytes) throws IOException {
        try (OutputStream out = fs.create(path(child), false)) {
            out.write(bytes);
        }
    }

    /** Moves the staged files to the output (replacing it when allowed), then writes _SUCCESS. */
    public void commit() throws IOException {
        if (fs.exists(output)) {
            if (!overwrite) { // appeared while we ran
                throw new InputError("output " + output + " appeared while the job ran; not replacing it");
            }
            if (!fs.delete(output, true)) {
                throw new IOException("could not delete the old output " + output);
            }
        }
        if (!fs.rename(staging, output)) {
            throw new IOException("could not rename " + staging + " to " + output);
        }
        fs.create(new Path(output, SUCCESS), false).close();
    }

    /** Deletes the staging directory (after a failure); never throws. */
    public void abandon() {
        try {
            fs.delete(staging, true);
        } catch (IOException | RuntimeException ignored) {
            // best effort: a hidden leftover is harmless
        }
    }
}
