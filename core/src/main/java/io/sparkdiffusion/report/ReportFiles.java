package io.sparkdiffusion.report;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
}
