package io.sparkdiffusion.config;

import io.sparkdiffusion.generate.GenerationOutput;
import io.sparkdiffusion.lock.OutputLock;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class OutputPathsTest {
    @TempDir
    java.nio.file.Path dir;

    private static final String ROOT_MESSAGE = "output file:/ is a file system root; choose a directory below it";

    @Test
    void aRootIsRefusedAndADirectoryBelowItPasses() {
        assertEquals(ROOT_MESSAGE, assertThrows(InputError.class, () -> OutputPaths.belowRoot(new Path("file:///")))
                .getMessage());
        Path below = new Path("file:///out");
        assertSame(below, OutputPaths.belowRoot(below));
    }

    @Test
    void theLockAndTheGenerationOutputRefuseARoot() {
        assertEquals(ROOT_MESSAGE, assertThrows(InputError.class, () -> OutputLock.lockFile(new Path("file:///")))
                .getMessage());
        assertEquals(new Path("file:/.out.lock"), OutputLock.lockFile(new Path("file:///out")));
        assertEquals(ROOT_MESSAGE, assertThrows(InputError.class,
                () -> GenerationOutput.open("file:///", List.of(), new Configuration())).getMessage());
    }

    @Test
    void replacesAFileThroughATemporaryOneAndLeavesNothingElse() throws IOException {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        Path file = new Path(dir.toUri().toString(), "report.html");
        OutputPaths.replaceFile(fs, file, "old".getBytes(StandardCharsets.UTF_8));
        OutputPaths.replaceFile(fs, file, "new".getBytes(StandardCharsets.UTF_8));
        assertEquals("new", Files.readString(dir.resolve("report.html")));
        try (var files = Files.list(dir)) {
            assertEquals(java.util.List.of("report.html"), files.map(p -> p.getFileName().toString())
                    .filter(name -> !name.endsWith(".crc")).toList());
        }
    }
}
