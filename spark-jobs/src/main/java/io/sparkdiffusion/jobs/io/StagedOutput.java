package io.sparkdiffusion.jobs.io;

import java.io.IOException;

import io.sparkdiffusion.config.CommitProtocol;
import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.jobs.session.TaskErrors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A job output directory that appears complete or not at all ({@link CommitProtocol}): everything is written into a
 * hidden staging sibling that {@link #commit()} renames into place, {@code _SUCCESS} last. A failed run deletes its
 * staging directory and leaves an existing output untouched; an old output being replaced ({@code overwrite}) is moved
 * aside until the new one is complete, and the next run on that output settles what a crash in between left.
 */
public final class StagedOutput {

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
        CommitProtocol.recoverAside(fs, qualified);
        if (fs.exists(qualified) && !overwrite) {
            throw new InputError("output " + qualified + " already exists; remove it, choose another " + key
                    + ", or set " + key.replaceAll("\\.[^.]+$", "") + ".overwrite=true to replace it");
        }
        return new StagedOutput(fs, qualified, CommitProtocol.staging(CommitProtocol.belowRoot(qualified)), overwrite);
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
        CommitProtocol.write(fs, path(child), bytes);
    }

    /** Moves the staged files to the output, then writes _SUCCESS; an old output is replaced only when allowed. */
    public void commit() throws IOException {
        if (!overwrite && fs.exists(output)) { // appeared while we ran
            throw new InputError("output " + output + " appeared while the job ran; not replacing it");
        }
        CommitProtocol.commit(fs, staging, output);
    }

    /** A job's work on this output, ending with {@link #commit()}. */
    @FunctionalInterface
    public interface Work<T> {
        T run() throws Exception;
    }

    /** {@link Work} without a result. */
    @FunctionalInterface
    public interface VoidWork {
        void run() throws Exception;
    }

    /**
     * Runs {@code work} and returns its result; if it fails, deletes the staging directory ({@link #abandon()}) and
     * rethrows, bad input that a Spark task found unwrapped to its InputError (one line, exit 2).
     */
    public <T> T runOrAbandon(Work<T> work) throws Exception {
        try {
            return work.run();
        } catch (Exception e) {
            abandon();
            throw TaskErrors.inputErrorOr(e);
        } catch (Error e) {
            abandon();
            throw e;
        }
    }

    /** {@link #runOrAbandon(Work)} for work without a result. */
    public void runOrAbandon(VoidWork work) throws Exception {
        runOrAbandon(() -> {
            work.run();
            return null;
        });
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
