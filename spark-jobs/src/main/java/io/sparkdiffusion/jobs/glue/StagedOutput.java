package io.sparkdiffusion.jobs.glue;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Comparator;
import java.util.UUID;

import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.config.OutputPaths;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job output directory that appears complete or not at all. Everything is written into a hidden sibling
 * ({@code .<name>.staging-<uuid>}, ignored by Spark and Hadoop listings); {@link #commit()} then replaces the
 * output with it by a rename and writes {@code _SUCCESS} last. A failed run deletes its staging directory
 * and leaves an existing output untouched.
 *
 * <p>An old output being replaced is first renamed aside ({@code .<name>.old-<uuid>}) and deleted only once the new
 * one is in place with its {@code _SUCCESS}, so a crash in between never loses both. The next run on that output
 * settles such a leftover before anything else ({@link #recoverAside}): with no output, or one without
 * {@code _SUCCESS} (the crash came between the renames, or before the marker), the aside copy is put back (the
 * crashed commit is rolled back, and a rerun with {@code overwrite} redoes it); beside a complete output it is
 * a stale copy and deleted.
 */
public final class StagedOutput {
    public static final String SUCCESS = "_SUCCESS";
    private static final Logger LOG = LoggerFactory.getLogger(StagedOutput.class);

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
        if (qualified.getParent() != null) {
            recoverAside(fs, qualified);
        }
        if (fs.exists(qualified) && !overwrite) {
            throw new InputError("output " + qualified + " already exists; remove it, choose another " + key
                    + ", or set " + key.replaceAll("\\.[^.]+$", "") + ".overwrite=true to replace it");
        }
        OutputPaths.belowRoot(qualified);
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
            aside = new Path(output.getParent(), asidePrefix(output) + UUID.randomUUID());
            if (!fs.rename(output, aside)) {
                throw new IOException("could not move the old output " + output + " aside to " + aside);
            }
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
        fs.create(new Path(output, SUCCESS), false).close();
        if (aside != null && !fs.delete(aside, true)) {
            LOG.warn("could not delete the old output moved aside to {}; the next run on {} deletes it", aside, output);
        }
    }

    /** The name an old output is moved aside under, followed by a unique suffix. */
    static String asidePrefix(Path output) {
        return "." + output.getName() + ".old-";
    }

    /**
     * Settles what a commit that crashed after moving the old output aside left behind (see the class comment):
     * restores the newest aside copy where the output is missing or lacks {@code _SUCCESS}, deletes the rest.
     */
    static void recoverAside(FileSystem fs, Path output) throws IOException {
        String prefix = asidePrefix(output);
        if (!fs.exists(output.getParent())) {
            return;
        }
        FileStatus[] asides = fs.listStatus(output.getParent(), p -> p.getName().startsWith(prefix));
        if (asides.length == 0) {
            return;
        }
        Arrays.sort(asides, Comparator.comparingLong(FileStatus::getModificationTime).reversed());
        boolean complete = fs.exists(new Path(output, SUCCESS));
        int first = 0;
        if (!complete) {
            if (fs.exists(output) && !fs.delete(output, true)) {
                throw new IOException("could not delete the incomplete output " + output + " to restore " + asides[0].getPath());
            }
            if (!fs.rename(asides[0].getPath(), output)) {
                throw new IOException("could not restore the old output " + asides[0].getPath() + " to " + output);
            }
            LOG.warn("restored the previous output of {} from {}: the commit that replaced it did not finish",
                    output, asides[0].getPath());
            first = 1;
        }
        for (int i = first; i < asides.length; i++) {
            fs.delete(asides[i].getPath(), true);
            LOG.info("deleted {}, an old copy of {} left by an interrupted commit", asides[i].getPath(), output);
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
