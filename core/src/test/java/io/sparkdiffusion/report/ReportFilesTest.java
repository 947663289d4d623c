package io.sparkdiffusion.report;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportFilesTest {
    @Test
    void aFailedReportIsAWarningNotAFailure() {
        assertFalse(ReportFiles.writeOrWarn("test", "nowhere", () -> {
            throw new IOException("disk full");
        }));
        assertFalse(ReportFiles.writeOrWarn("test", "nowhere", () -> {
            throw new NoClassDefFoundError("org/jfree/svg/SVGGraphics2D");
        }));
        assertTrue(ReportFiles.writeOrWarn("test", "somewhere", () -> { }));
    }
}
