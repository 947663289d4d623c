package io.sparkdiffusion.lock;

import io.sparkdiffusion.config.InputError;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FilterFileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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

    /** A lock file of another holder, last touched {@code ago}. */
    private Path foreignLock(String owner, Duration ago) throws IOException {
        Path file = OutputLock.lockFile(output);
        try (OutputStream out = fs.create(file, false)) {
            out.write((owner + "\n").getBytes(StandardCharsets.UTF_8));
        }
        fs.setTimes(file, System.currentTimeMillis() - ago.toMillis(), -1);
        return file;
    }

    private String read(Path file) throws IOException {
        try (var in = fs.open(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
    }

    @Test
    void aTakeOverLeavesALockWhoseHeartbeatResumedBeforeTheRename() throws IOException {
        Path file = foreignLock("pid 1@slow-host", Duration.ofMinutes(10));
        // the holder's heartbeat comes back between the taker's read (stale) and its rename
        FileSystem resumingHolder = new FilterFileSystem(fs) {
            @Override
            public boolean rename(Path src, Path dst) throws IOException {
                if (src.equals(file)) {
                    fs.setTimes(file, System.currentTimeMillis(), -1);
                }
                return super.rename(src, dst);
            }
        };
        InputError refused = assertThrows(InputError.class,
                () -> OutputLock.acquire(resumingHolder, output, "b", Duration.ofHours(1), Duration.ofMinutes(5)));
        assertTrue(refused.getMessage().contains("pid 1@slow-host"), refused.getMessage());
        assertEquals("pid 1@slow-host", read(file), "the live holder's lock is back in place");
        assertTrue(System.currentTimeMillis() - fs.getFileStatus(file).getModificationTime() < 60_000);
    }

    @Test
    void aHolderWhoseLockWasTakenOverStopsTouchingItAndLeavesIt() throws Exception {
        OutputLock old = OutputLock.acquire(fs, output, "a", Duration.ofMillis(20), Duration.ofHours(1));
        fs.delete(old.file(), false); // another job judged it dead and took over; its own heartbeat has not run yet
        Path file = foreignLock("pid 2@new-host", Duration.ofMinutes(10));
        long taken = fs.getFileStatus(file).getModificationTime();
        Thread.sleep(300);
        assertEquals(taken, fs.getFileStatus(file).getModificationTime(), "the old holder left the new one's time");
        old.close();
        assertEquals("pid 2@new-host", read(file), "and its release left the new one's file");
    }

    @Test
    void releaseWaitsForAHeartbeatInFlightBeforeDeletingTheFile() throws Exception {
        CountDownLatch touching = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        AtomicInteger finished = new AtomicInteger();
        FileSystem slowTouch = new FilterFileSystem(fs) {
            @Override
            public void setTimes(Path p, long mtime, long atime) throws IOException {
                started.incrementAndGet();
                touching.countDown();
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
                while (System.nanoTime() < until) { // a slow file system, deaf to interrupts
                    Thread.onSpinWait();
                }
                try {
                    super.setTimes(p, mtime, atime);
                } finally {
                    finished.incrementAndGet();
                }
            }
        };
        OutputLock lock = OutputLock.acquire(slowTouch, output, "a", Duration.ofMillis(10), Duration.ofHours(1));
        assertTrue(touching.await(10, TimeUnit.SECONDS));
        lock.close();
        assertEquals(started.get(), finished.get(), "no heartbeat still running once the lock is released");
        assertFalse(fs.exists(lock.file()), "released");
    }
}
