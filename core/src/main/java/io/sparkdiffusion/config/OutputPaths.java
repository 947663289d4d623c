package io.sparkdiffusion.config;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.UnsupportedFileSystemException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.UUID;

/**
 * What every job output shares: it lies below a file system root, and an old output being replaced is moved
 * aside, never deleted first.
 *
 * <p>Replacing: the old output is renamed aside ({@code .<name>.old-<uuid>}, {@link #moveAside}) and deleted only
 * once the new one is in place with its {@code _SUCCESS} ({@link #deleteAside}), so a crash in between never loses
 * both. The next run on that output settles such a leftover before anything else ({@link #recoverAside}): with no
 * output, or one without {@code _SUCCESS} (the new one never completed), the aside copy is put back; beside a
 * complete output it is a stale copy and deleted.
 */
public final class OutputPaths {
    public static final String SUCCESS = "_SUCCESS";
    private static final Logger LOG = LoggerFactory.getLogger(OutputPaths.class);

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

    /** Renames the existing {@code output} (qualified) aside and returns where it went. */
    public static Path moveAside(FileSystem fs, Path output) throws IOException {
        Path aside = new Path(output.getParent(), asidePrefix(output) + UUID.randomUUID());
        if (!fs.rename(output, aside)) {
            throw new IOException("could not move the old output " + output + " aside to " + aside);
        }
        return aside;
    }

    /** Deletes an old output moved aside, once the new one has its _SUCCESS; a failure is left to the next run. */
    public static void deleteAside(FileSystem fs, Path output, Path aside) throws IOException {
        if (!fs.delete(aside, true)) {
            LOG.warn("could not delete the old output moved aside to {}; the next run on {} deletes it", aside, output);
        }
    }

    /**
     * Settles what a replacement that did not finish left beside {@code output} (qualified): restores the newest aside
     * copy where the output is missing or lacks {@code _SUCCESS}, deletes the rest.
     */
    public static void recoverAside(FileSystem fs, Path output) throws IOException {
        String prefix = asidePrefix(output);
        if (output.getParent() == null || !fs.exists(output.getParent())) {
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
            LOG.warn("restored the previous output of {} from {}: the run that replaced it did not finish",
                    output, asides[0].getPath());
            first = 1;
        }
        for (int i = first; i < asides.length; i++) {
            fs.delete(asides[i].getPath(), true);
            LOG.info("deleted {}, an old copy of {} left by an interrupted replacement", asides[i].getPath(), output);
        }
    }

    /**
     * Writes {@code file} through a temporary sibling and {@link #renameReplacing}, so that readers see the old
     * content or the new one (as a checkpoint's LATEST is written).
     */
    public static void replaceFile(FileSystem fs, Path file, byte[] bytes) throws IOException {
        Path tmp = new Path(file.getParent(), "." + file.getName() + ".tmp-" + UUID.randomUUID());
        try {
            try (FSDataOutputStream out = fs.create(tmp, false)) {
                out.write(bytes);
            }
            renameReplacing(fs, tmp, file);
        } finally {
            fs.delete(tmp, false); // gone after the rename; after a failure, no leftover
        }
    }

    /**
     * Renames a complete temporary file over {@code target}, so readers see the old file or the new one: atomically
     * where FileContext can rename over a file (HDFS, local disks; FileSystem.rename cannot on HDFS); elsewhere the
     * old file is deleted first and a reader may briefly find none.
     */
    public static void renameReplacing(FileSystem fs, Path tmp, Path target) throws IOException {
        try {
            FileContext.getFileContext(fs.getUri(), fs.getConf()).rename(tmp, target, Options.Rename.OVERWRITE);
        } catch (UnsupportedFileSystemException noFileContext) {
            fs.delete(target, false);
            if (!fs.rename(tmp, target)) {
                throw new IOException("could not rename " + tmp + " to " + target);
            }
        }
    }

    /** The name an old output is moved aside under, followed by a unique suffix. */
    static String asidePrefix(Path output) {
        return "." + output.getName() + ".old-";
    }
}
