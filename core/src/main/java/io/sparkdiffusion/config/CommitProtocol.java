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
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Comparator;
import java.util.UUID;

/**
 * How every output is committed on a Hadoop file system, so that a crash at any point leaves readers the old output
 * or the complete new one, never a part:
 * <ul>
 * <li>A file readers may open at any time (a checkpoint's LATEST, metrics.jsonl, a report over an older one) goes
 * to a hidden temporary sibling ({@code .<name>.tmp-<uuid>}) renamed over the old file ({@link #replaceFile}):
 * readers see the old content or the new one, never a torn file. Only HDFS renames over a file atomically;
 * elsewhere the old file is deleted just before, and a reader may briefly find none.</li>
 * <li>A directory is written whole under a temporary name (a hidden sibling, {@link #staging}, or the writer's own)
 * with plain {@link #write}s and renamed into place ({@link #swapIn}); a directory it replaces is renamed aside
 * ({@code .<name>.old-<uuid>}), never deleted before the new one is in.</li>
 * <li>An output is complete once {@code _SUCCESS} is in it, written last ({@link #markComplete},
 * {@link #isComplete}): on an object store a directory rename is a copy a crash can cut short.</li>
 * </ul>
 * A crash leaves a temporary file or staging directory, hidden and never read; or an old output aside, which the next
 * run on that output settles before anything else ({@link #recoverAside}): put back where the output is missing or
 * lacks {@code _SUCCESS}, deleted beside a complete one.
 */
public final class CommitProtocol {
    public static final String SUCCESS = "_SUCCESS";
    private static final String TMP = ".tmp-";
    private static final Logger LOG = LoggerFactory.getLogger(CommitProtocol.class);

    private CommitProtocol() {
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

    /** Writes {@code file} in one go: only where no reader looks yet (a staging directory, a temporary name). */
    public static void write(FileSystem fs, Path file, byte[] bytes) throws IOException {
        write(fs, file, out -> out.write(bytes));
    }

    /**
     * Streams {@code file}, for content too large to hold as bytes first: like {@link #write(FileSystem, Path,
     * byte[])}, only where no reader looks yet.
     */
    public static void write(FileSystem fs, Path file, Content content) throws IOException {
        try (FSDataOutputStream out = fs.create(file, true)) {
            content.writeTo(out);
        }
    }

    /** What {@link #write(FileSystem, Path, Content)} streams into a file; it may close the stream. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Writes {@code file} through a temporary sibling renamed over it: readers see the old content or the new one. */
    public static void replaceFile(FileSystem fs, Path file, byte[] bytes) throws IOException {
        Path tmp = new Path(file.getParent(), "." + file.getName() + TMP + UUID.randomUUID());
        try {
            write(fs, tmp, bytes);
            renameReplacing(fs, tmp, file);
        } finally {
            fs.delete(tmp, false); // gone after the rename; after a failure, no leftover
        }
    }

    /** Whether a file name is a temporary one of {@link #replaceFile} (a crash's leftover when no write runs). */
    public static boolean isTemporary(String name) {
        return name.contains(TMP);
    }

    public static void rename(FileSystem fs, Path from, Path to) throws IOException {
        if (!fs.rename(from, to)) {
            throw new IOException("could not rename " + from + " to " + to);
        }
    }

    /** A fresh hidden sibling to stage {@code output} in: {@code .<name>.staging-<uuid>}, skipped by listings. */
    public static Path staging(Path output) {
        return new Path(output.getParent(), "." + output.getName() + ".staging-" + UUID.randomUUID());
    }

    /**
     * Renames the complete {@code staged} to {@code target}; an existing target is renamed to {@code aside} first,
     * and put back if the staged one cannot take its place.
     *
     * @return {@code aside}, for the caller to delete once the new target is complete; null when nothing was replaced
     */
    public static Path swapIn(FileSystem fs, Path staged, Path target, Path aside) throws IOException {
        boolean replacing = fs.exists(target);
        if (replacing) {
            rename(fs, target, aside);
        }
        try {
            rename(fs, staged, target);
        } catch (IOException | RuntimeException e) {
            if (replacing && !fs.exists(target)) {
                fs.rename(aside, target); // a failure here leaves the old one aside, for the writer's next run
            }
            throw e;
        }
        return replacing ? aside : null;
    }

    /** Commits a staged output: swapped in (an old one aside), {@code _SUCCESS}, then the old one deleted. */
    public static void commit(FileSystem fs, Path staged, Path output) throws IOException {
        Path aside = swapIn(fs, staged, output, asideOf(output));
        markComplete(fs, output);
        if (aside != null) {
            deleteAside(fs, output, aside);
        }
    }

    /** Writes {@code _SUCCESS} into {@code output}: the last write of every output. */
    public static void markComplete(FileSystem fs, Path output) throws IOException {
        fs.create(new Path(output, SUCCESS), true).close();
    }

    public static boolean isComplete(FileSystem fs, Path output) throws IOException {
        return fs.exists(new Path(output, SUCCESS));
    }

    /** Renames the existing {@code output} (qualified) aside and returns where it went. */
    public static Path moveAside(FileSystem fs, Path output) throws IOException {
        Path aside = asideOf(output);
        rename(fs, output, aside);
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
        int first = 0;
        if (!isComplete(fs, output)) {
            if (fs.exists(output) && !fs.delete(output, true)) {
                throw new IOException("could not delete the incomplete output " + output + " to restore "
                        + asides[0].getPath());
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
     * Renames a complete temporary file over {@code target}: atomically on HDFS, where FileContext can rename over a
     * file (FileSystem.rename cannot); FileContext on a local disk, and object stores without one, delete it first.
     */
    private static void renameReplacing(FileSystem fs, Path tmp, Path target) throws IOException {
        try {
            FileContext.getFileContext(fs.getUri(), fs.getConf()).rename(tmp, target, Options.Rename.OVERWRITE);
        } catch (UnsupportedFileSystemException noFileContext) {
            fs.delete(target, false);
            rename(fs, tmp, target);
        }
    }

    private static Path asideOf(Path output) {
        return new Path(output.getParent(), asidePrefix(output) + UUID.randomUUID());
    }

    /** The name an old output is moved aside under, followed by a unique suffix. */
    private static String asidePrefix(Path output) {
        return "." + output.getName() + ".old-";
    }
}
