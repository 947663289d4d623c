package io.sparkdiffusion.jobs.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import io.sparkdiffusion.config.InputError;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replacing an output never loses both the old and the new one, and a rerun settles what a crash left. */
class StagedOutputTest {
    @TempDir
    Path tmp;

    @Test
    void replacingAnOutputKeepsTheOldOneUntilTheNewOneIsIn() throws Exception {
        Path out = oldOutput(tmp.resolve("out"));
        StagedOutput staged = StagedOutput.prepare(hadoopPath(out), true, "prepare.output", new Configuration());
        staged.writeFile("new.txt", bytes("new"));

        staged.commit();

        assertEquals(List.of("_SUCCESS", "new.txt"), names(out));
        assertEquals(List.of("out"), names(tmp), "no aside copy or staging directory left");
    }

    @Test
    void aFileSystemRootIsRefused() {
        InputError refused = assertThrows(InputError.class, () -> StagedOutput.prepare(
                new org.apache.hadoop.fs.Path("file:///"), true, "prepare.output", new Configuration()));

        assertEquals("output file:/ is a file system root; choose a directory below it", refused.getMessage());
    }

    @Test
    void failedRenameOfTheNewOutputKeepsTheOldOne() throws Exception {
        Path out = oldOutput(tmp.resolve("out"));
        // Nothing staged: the staging directory does not exist, so renaming it into place fails.
        StagedOutput staged = StagedOutput.prepare(hadoopPath(out), true, "prepare.output", new Configuration());

        assertThrows(IOException.class, staged::commit);

        assertEquals("old", Files.readString(out.resolve("old.txt")), "the old output is where it was");
        assertEquals(List.of("out"), names(tmp));
    }

    @Test
    void rerunAfterACrashBetweenTheRenamesRestoresTheOldOutput() throws Exception {
        // The crash left the old output aside and no output (the staging directory is a hidden leftover).
        oldOutput(tmp.resolve(".out.old-1234"));
        Files.createDirectories(tmp.resolve(".out.staging-5678"));
        Path out = tmp.resolve("out");

        InputError refused = assertThrows(InputError.class,
                () -> StagedOutput.prepare(hadoopPath(out), false, "prepare.output", new Configuration()));

        assertTrue(refused.getMessage().contains("already exists"), refused.getMessage());
        assertEquals("old", Files.readString(out.resolve("old.txt")));
        assertTrue(Files.exists(out.resolve("_SUCCESS")));
        assertEquals(List.of(".out.staging-5678", "out"), names(tmp));
    }

    @Test
    void rerunAfterACrashBeforeTheMarkerRollsBackToTheOldOutput() throws Exception {
        oldOutput(tmp.resolve(".out.old-1234"));
        Path out = tmp.resolve("out");
        Files.createDirectories(out);
        Files.write(out.resolve("half-new.txt"), bytes("new")); // renamed in, but no _SUCCESS yet

        StagedOutput.prepare(hadoopPath(out), true, "prepare.output", new Configuration());

        assertEquals(List.of("_SUCCESS", "old.txt"), names(out));
        assertEquals(List.of("out"), names(tmp));
    }

    @Test
    void rerunAfterACrashBeforeTheOldCopyWasDeletedDeletesIt() throws Exception {
        oldOutput(tmp.resolve(".out.old-1234"));
        Path out = tmp.resolve("out");
        Files.createDirectories(out);
        Files.write(out.resolve("new.txt"), bytes("new"));
        Files.write(out.resolve("_SUCCESS"), new byte[0]);

        StagedOutput.prepare(hadoopPath(out), true, "prepare.output", new Configuration());

        assertEquals(List.of("_SUCCESS", "new.txt"), names(out));
        assertEquals(List.of("out"), names(tmp));
    }

    @Test
    void failedWorkLeavesNoStagingAndRethrowsTheInputErrorATaskWrapped() throws Exception {
        Path out = oldOutput(tmp.resolve("out"));
        StagedOutput staged = StagedOutput.prepare(hadoopPath(out), true, "prepare.output", new Configuration());

        InputError bad = new InputError("image 7 has the wrong shape");
        Exception thrown = assertThrows(Exception.class, () -> staged.runOrAbandon(() -> {
            staged.writeFile("half.txt", bytes("half"));
            throw new RuntimeException("Job aborted", bad); // as Spark wraps an error of a task
        }));

        assertSame(bad, thrown, "the task's InputError, unwrapped: one line, exit 2");
        assertEquals(List.of("out"), names(tmp), "no staging directory left");
        assertEquals(List.of("_SUCCESS", "old.txt"), names(out), "the old output untouched");
    }

    @Test
    void anErrorAlsoLeavesNoStagingAndIsRethrownAsItIs() throws Exception {
        Path out = tmp.resolve("out");
        StagedOutput staged = StagedOutput.prepare(hadoopPath(out), false, "prepare.output", new Configuration());
        OutOfMemoryError oom = new OutOfMemoryError("test");

        Error thrown = assertThrows(Error.class, () -> staged.runOrAbandon(() -> {
            staged.writeFile("half.txt", bytes("half"));
            throw oom;
        }));

        assertSame(oom, thrown);
        assertEquals(List.of(), names(tmp));
    }

    @Test
    void workThatCommitsReturnsItsResult() throws Exception {
        Path out = tmp.resolve("out");
        StagedOutput staged = StagedOutput.prepare(hadoopPath(out), false, "prepare.output", new Configuration());

        String result = staged.runOrAbandon(() -> {
            staged.writeFile("new.txt", bytes("new"));
            staged.commit();
            return "done";
        });

        assertEquals("done", result);
        assertEquals(List.of("_SUCCESS", "new.txt"), names(out));
    }

    private static Path oldOutput(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve("old.txt"), bytes("old"));
        Files.write(dir.resolve("_SUCCESS"), new byte[0]);
        return dir;
    }

    private static org.apache.hadoop.fs.Path hadoopPath(Path p) {
        return new org.apache.hadoop.fs.Path("file:" + p.toAbsolutePath());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Names in a directory, Hadoop's .crc side files aside. */
    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")).sorted().toList();
        }
    }
}
