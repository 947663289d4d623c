package io.sparkdiffusion.jobs.io;

import java.io.IOException;
import java.io.OutputStream;
import java.util.UUID;

import io.sparkdiffusion.config.CommitProtocol;
import io.sparkdiffusion.config.InputError;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A job output directory that appears complete or not at all. Everything is written into a hidden sibling
 * ({@code .<name>.staging-<uuid>}, ignored by Spark and Hadoop listings); {@link #commit()} then replaces the
 * output with it by a rename and writes {@code _SUCCESS} last. A failed run deletes its staging directory
 * and leaves an existing output untouched.
 *
 * <p>An old output being replaced is moved aside and deleted only once the new one is in place with its
 * {@code _SUCCESS}; the next run on that output settles a leftover of a crash in between
 * ({@link CommitProtocol#recoverAside}), so a rerun with {@code overwrite} redoes the replacement.
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
        CommitProtocol.belowRoot(qualified);
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

    /**
     * Moves the staged files to the output, then writes _SUCCESS. An old output (replaced when allowed) is renamed
     * aside first, put back if the new one cannot be renamed in, and deleted last.
     */
    public void commit() throws IOException {
        Path aside = null;
        if (fs.exists(output)) {
            if (!overwrite) { // appeared while we ran
                throw new InputError("output " + output + " appeared while the job ran; not replacing it");
            }
            aside = CommitProtocol.moveAside(fs, output);
        }
        try {
            if (!fs.rename(staging, output)) {
                throw new IOException("could not rename " + staging + " to " + output);
            }
        } catch (IOException | RuntimeException e) {
            if (aside != null && !fs.exists(output)) {
                fs.rename(aside, output); // the old output back where it was; a failure here is settled by the next run
            }
            throw e;
        }
        fs.create(new Path(output, CommitProtocol.SUCCESS), false).close();
        if (aside != null) {
            CommitProtocol.deleteAside(fs, output, aside);
        }
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
