package io.sparkdiffusion.report;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportFilesTest {
    @TempDir
    java.nio.file.Path dir;

    @Test
    void replacesAFileThroughATemporaryOneAndLeavesNothingElse() throws IOException {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        Path file = new Path(dir.toUri().toString(), ReportFiles.FILE);
        ReportFiles.replace(fs, file, "old".getBytes(StandardCharsets.UTF_8));
        ReportFiles.replace(fs, file, "new".getBytes(StandardCharsets.UTF_8));
        assertEquals("new", Files.readString(dir.resolve(ReportFiles.FILE)));
        try (var files = Files.list(dir)) {
            assertEquals(java.util.List.of(ReportFiles.FILE), files.map(p -> p.getFileName().toString())
                    .filter(name -> !name.endsWith(".crc")).toList());
        }
    }

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
