package io.sparkdiffusion.report;

import io.sparkdiffusion.config.OutputPaths;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.UUID;

/**
 * Where a job's {@code report.html} goes and how a failure to make it is handled: the report describes the data,
 * it is not the data, so it never fails a job; a failure is one warning line.
 */
public final class ReportFiles {
    public static final String FILE = "report.html";
    private static final Logger LOG = LoggerFactory.getLogger(ReportFiles.class);

    /** Gathers, renders and writes a report. */
    @FunctionalInterface
    public interface Writing {
        void run() throws Exception;
    }

    private ReportFiles() {
    }

    /**
     * Runs {@code writing}; anything it throws (a missing class in a cluster's jar included) becomes one warning
     * line naming {@code where}, and false.
     */
    public static boolean writeOrWarn(String job, Object where, Writing writing) {
        try {
            writing.run();
            return true;
        } catch (Exception | LinkageError e) {
            LOG.warn("{}: no {} written to {} ({}); the job's output is not affected", job, FILE, where, e.toString()
                    .replace('\n', ' '));
            return false;
        }
    }

    /** Writes {@code bytes} to {@code file} in one go (for a directory that is staged and committed as a whole). */
    public static void write(FileSystem fs, Path file, byte[] bytes) throws IOException {
        try (FSDataOutputStream out = fs.create(file, true)) {
            out.write(bytes);
        }
    }

    /**
     * Replaces {@code file} in a directory that is never committed as a whole (a training run's): written to a hidden
     * temporary name beside it and renamed over it ({@link OutputPaths#renameReplacing}).
     */
    public static void replace(FileSystem fs, Path file, byte[] bytes) throws IOException {
        Path tmp = new Path(file.getParent(), "." + file.getName() + "." + UUID.randomUUID() + ".tmp");
        try {
            write(fs, tmp, bytes);
            OutputPaths.renameReplacing(fs, tmp, file);
        } finally {
            fs.delete(tmp, false); // gone after the rename; after a failure, no leftover
        }
    }
}
