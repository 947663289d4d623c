package io.sparkdiffusion.lock;

import io.sparkdiffusion.config.InputError;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lock on file:// (OutputLockHdfsTest in integration-tests runs the same checks on HDFS). */
class OutputLockTest {
    @TempDir
    java.nio.file.Path temp;

    private FileSystem fs;
    private Path output;

    @BeforeEach
    void localFs() throws IOException {
        fs = FileSystem.get(temp.toUri(), new Configuration());
        output = fs.makeQualified(new Path(temp.toUri().toString(), "out"));
    }

    @Test
    void aSecondWriterIsRefusedNamingTheHolderUntilTheFirstReleases() throws IOException {
        OutputLockChecks.secondWriterRefusedUntilRelease(fs, output);
    }

    @Test
    void theHeartbeatKeepsALongRunningHolderFromGoingStale() throws Exception {
        OutputLockChecks.heartbeatKeepsHolderFresh(fs, output);
    }

    @Test
    void aLockWhoseHeartbeatStoppedIsTakenOverAfterTheTimeout() throws IOException {
        OutputLockChecks.staleLockTakenOver(fs, output);
    }

    @Test
    void releaseLeavesALockThatIsNoLongerItsOwnAlone() throws IOException {
        OutputLock lock = OutputLock.acquire(fs, output, "x.output", Duration.ofHours(1), Duration.ofHours(1));
        fs.delete(lock.file(), false);
        try (OutputStream out = fs.create(lock.file(), false)) {
            out.write("someone else\n".getBytes(StandardCharsets.UTF_8));
        }
        lock.close();
        assertTrue(fs.exists(lock.file()));
    }

    @Test
    void theLockFileIsAHiddenSiblingSoOverwritingTheOutputKeepsIt() {
        assertEquals(new Path(output.getParent(), ".out.lock"), OutputLock.lockFile(output));
        assertThrows(InputError.class, () -> OutputLock.lockFile(new Path("file:/")));
        assertFalse(OutputLock.lockFile(output).toString().startsWith(output + "/"));
        assertEquals(OutputLock.lockFile(output), OutputLock.lockFile(new Path(java.net.URI.create(output + "/"))),
                "a trailing slash names the same output");
    }
}
