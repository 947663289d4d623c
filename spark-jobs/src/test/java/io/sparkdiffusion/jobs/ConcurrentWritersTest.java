package io.sparkdiffusion.jobs;

import io.sparkdiffusion.image.ImageFixtures;
import io.sparkdiffusion.lock.OutputLock;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A job that finds its output locked by another writer (here: the lock a running job holds, taken by the test)
 * exits 2 with one line naming the holder and touches nothing: no second plan.json, no overwrite of an output
 * still being written.
 */
class ConcurrentWritersTest extends SparkPrepareTest {
    @org.junit.jupiter.api.io.TempDir
    static java.nio.file.Path tmp;

    /** The lock a job running elsewhere holds on {@code output}. */
    private static OutputLock heldByAnotherJob(java.nio.file.Path output) throws Exception {
        FileSystem fs = FileSystem.get(output.toUri(), new Configuration());
        return OutputLock.acquire(fs, fs.makeQualified(new Path(output.toUri())), "other.output", Duration.ofSeconds(1),
                Duration.ofMinutes(2));
    }

    @Test
    void prepareWithOverwriteIsRefusedWhileAnotherJobWritesThatOutput() throws Exception {
        java.nio.file.Path in = tmp.resolve("in");
        write(in.resolve("c/a.png"), ImageFixtures.png(ImageFixtures.grey(8, 8, 0)));
        write(in.resolve("d/b.png"), ImageFixtures.png(ImageFixtures.grey(8, 8, 9)));
        java.nio.file.Path out = tmp.resolve("prepared");
        assertEquals(0, prepare(in, out, "prepare.size=4").exitCode());
        byte[] manifest = Files.readAllBytes(out.resolve("manifest.json"));

        try (OutputLock running = heldByAnotherJob(out)) {
            Run second = prepare(in, out, "prepare.size=4", "prepare.overwrite=true");
            assertEquals(2, second.exitCode(), second.stderr());
            assertEquals(1, second.stderrLines().size(), second.stderr());
            assertTrue(second.stderr().contains("pid " + ProcessHandle.current().pid() + "@"), second.stderr());
            assertTrue(Files.exists(java.nio.file.Path.of(running.file().toUri())), "the holder's lock stays");
        }
        assertTrue(java.util.Arrays.equals(manifest, Files.readAllBytes(out.resolve("manifest.json"))),
                "the locked output was left alone");
        assertEquals(0, prepare(in, out, "prepare.size=4", "prepare.overwrite=true").exitCode(), "free again");
        assertFalse(Files.exists(tmp.resolve(".prepared.lock")), "the job released its lock");
    }

    @Test
    void aSecondSampleJobOnTheSameOutputIsRefusedBeforeItWritesAPlan() throws Exception {
        java.nio.file.Path run = GenerationFixtures.checkpoint(tmp.resolve("run"), List.of("a", "b"));
        java.nio.file.Path out = tmp.resolve("samples");
        String[] args = GenerationFixtures.sets(List.of("sample.run-dir=" + run, "sample.output=" + out,
                "sample.per-class={a = 1, b = 1}", "sample.steps=2", "sample.images-per-unit=1", "sample.batch-size=1"));
        try (OutputLock running = heldByAnotherJob(out)) {
            Run second = capture(() -> SampleJob.run(args));
            assertEquals(2, second.exitCode(), second.stderr());
            assertTrue(second.stderr().contains("is being written by another job"), second.stderr());
            assertFalse(Files.exists(out.resolve("plan.json")), "no plan written under another writer");
        }
        Run alone = capture(() -> SampleJob.run(args));
        assertEquals(0, alone.exitCode(), alone.stderr());
        assertTrue(Files.exists(out.resolve("_SUCCESS")));
        assertFalse(Files.exists(tmp.resolve(".samples.lock")), "the job released its lock");
    }
}
