package io.sparkdiffusion.lock;

import io.sparkdiffusion.config.InputError;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lock's behaviour, written against any Hadoop file system (integration-tests' OutputLockHdfsTest has its HDFS twin). */
public final class OutputLockChecks {
    private static final Duration LONG = Duration.ofHours(1);

    private OutputLockChecks() {
    }

    public static void secondWriterRefusedUntilRelease(FileSystem fs, Path output) throws IOException {
        OutputLock first = OutputLock.acquire(fs, output, "sample.output", LONG, LONG);
        InputError refused = assertThrows(InputError.class,
                () -> OutputLock.acquire(fs, output, "sample.output", LONG, LONG));
        String message = refused.getMessage();
        assertTrue(message.contains("pid " + ProcessHandle.current().pid() + "@"), message);
        assertTrue(message.contains(output.toString()), message);
        assertFalse(message.contains("\n"), "one line: " + message);
        first.close();
        assertFalse(fs.exists(first.file()), "released");
        OutputLock.acquire(fs, output, "sample.output", LONG, LONG).close();
    }

    public static void heartbeatKeepsHolderFresh(FileSystem fs, Path output) throws Exception {
        Duration staleAfter = Duration.ofMillis(1500);
        try (OutputLock holder = OutputLock.acquire(fs, output, "a", Duration.ofMillis(200), staleAfter)) {
            Thread.sleep(3 * staleAfter.toMillis());
            assertThrows(InputError.class, () -> OutputLock.acquire(fs, output, "b", LONG, staleAfter));
            assertTrue(fs.exists(holder.file()));
        }
    }

    public static void staleLockTakenOver(FileSystem fs, Path output) throws IOException {
        Path file = OutputLock.lockFile(output);
        try (OutputStream out = fs.create(file, false)) {
            out.write("pid 1@dead-host, started long ago\n".getBytes(StandardCharsets.UTF_8));
        }
        long tenMinutesAgo = System.currentTimeMillis() - Duration.ofMinutes(10).toMillis();
        fs.setTimes(file, tenMinutesAgo, -1);
        InputError stillFresh = assertThrows(InputError.class,
                () -> OutputLock.acquire(fs, output, "b", LONG, Duration.ofMinutes(20)));
        assertTrue(stillFresh.getMessage().contains("pid 1@dead-host"), stillFresh.getMessage());
        try (OutputLock taken = OutputLock.acquire(fs, output, "b", LONG, Duration.ofMinutes(5))) {
            assertTrue(fs.exists(taken.file()));
        }
        assertFalse(fs.exists(file));
    }
}
