package io.sparkdiffusion.config;

import io.sparkdiffusion.generate.GenerationOutput;
import io.sparkdiffusion.lock.OutputLock;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FilterFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The commit protocol on a local disk: what a reader sees while a writer works, and after it crashed. */
class CommitProtocolTest {
    @TempDir
    java.nio.file.Path dir;

    private static final String ROOT_MESSAGE = "output file:/ is a file system root; choose a directory below it";

    @Test
    void aRootIsRefusedAndADirectoryBelowItPasses() {
        assertEquals(ROOT_MESSAGE, assertThrows(InputError.class, () -> CommitProtocol.belowRoot(new Path("file:///")))
                .getMessage());
        Path below = new Path("file:///out");
        assertSame(below, CommitProtocol.belowRoot(below));
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
        CommitProtocol.replaceFile(fs, file, "old".getBytes(StandardCharsets.UTF_8));
        CommitProtocol.replaceFile(fs, file, "new".getBytes(StandardCharsets.UTF_8));
        assertEquals("new", Files.readString(dir.resolve("report.html")));
        try (var files = Files.list(dir)) {
            assertEquals(java.util.List.of("report.html"), files.map(p -> p.getFileName().toString())
                    .filter(name -> !name.endsWith(".crc")).toList());
        }
    }

    @Test
    void aReaderOfAFileBeingReplacedSeesTheOldContentOrTheNewOneNeverAPart() throws Exception {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        java.nio.file.Path file = dir.resolve("LATEST");
        byte[] a = filled('a');
        byte[] b = filled('b');
        CommitProtocol.replaceFile(fs, hadoop(file), a);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < 40; i++) {
                    CommitProtocol.replaceFile(fs, hadoop(file), i % 2 == 0 ? b : a);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        int reads = 0;
        while (!writer.isDone() || reads == 0) {
            byte[] seen;
            try {
                seen = Files.readAllBytes(file);
            } catch (NoSuchFileException between) { // a local rename over a file deletes it first; never torn
                continue;
            }
            assertTrue(Arrays.equals(seen, a) || Arrays.equals(seen, b), "a torn read of " + seen.length + " bytes");
            reads++;
        }
        writer.get();
    }

    @Test
    void aWriteCutShortLeavesTheOldFileAndNoTemporaryOne() throws IOException {
        FileSystem local = FileSystem.getLocal(new Configuration());
        Path file = hadoop(dir.resolve("metrics.jsonl"));
        CommitProtocol.replaceFile(local, file, "old".getBytes(StandardCharsets.UTF_8));
        FileSystem diskFull = new FilterFileSystem(local) {
            @Override
            public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize,
                                             short replication, long blockSize, Progressable progress)
                    throws IOException {
                FSDataOutputStream out = super.create(f, permission, overwrite, bufferSize, replication, blockSize,
                        progress);
                out.write('x');
                out.close();
                throw new IOException("disk full");
            }
        };

        assertThrows(IOException.class, () -> CommitProtocol.replaceFile(diskFull, file, new byte[] {1, 2, 3}));

        assertEquals("old", Files.readString(dir.resolve("metrics.jsonl")));
        assertEquals(List.of("metrics.jsonl"), names(dir));
    }

    @Test
    void onAFileSystemWithoutFileContextTheFileIsReplacedAllTheSame() throws IOException {
        FileSystem noFileContext = new NoFileContextFileSystem();
        noFileContext.initialize(URI.create(NoFileContextFileSystem.SCHEME + ":///"), new Configuration());
        Path file = new Path(dir.resolve("report.html").toString());
        CommitProtocol.replaceFile(noFileContext, file, "old".getBytes(StandardCharsets.UTF_8));
        CommitProtocol.replaceFile(noFileContext, file, "new".getBytes(StandardCharsets.UTF_8));
        assertEquals("new", Files.readString(dir.resolve("report.html")));
        assertEquals(List.of("report.html"), names(dir));
    }

    @Test
    void aTemporaryFileOfACrashedReplacementIsRecognizedAndNeverRead() throws IOException {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        Path file = hadoop(dir.resolve("LATEST"));
        CommitProtocol.replaceFile(fs, file, "step-1".getBytes(StandardCharsets.UTF_8));
        java.nio.file.Path crashed = Files.writeString(dir.resolve(".LATEST.tmp-dead"), "step-");

        assertTrue(CommitProtocol.isTemporary(crashed.getFileName().toString()));
        assertTrue(CommitProtocol.isTemporary("LATEST.tmp-dead"), "the name an earlier version wrote LATEST under");
        assertFalse(CommitProtocol.isTemporary("LATEST"));
        assertEquals("step-1", Files.readString(dir.resolve("LATEST")));
        CommitProtocol.replaceFile(fs, file, "step-2".getBytes(StandardCharsets.UTF_8));
        assertEquals("step-2", Files.readString(dir.resolve("LATEST")));
    }

    @Test
    void aStagedOutputIsInvisibleUntilCommittedThenCompleteWithNothingBeside() throws IOException {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        Path output = hadoop(dir.resolve("out"));
        Path staging = CommitProtocol.staging(output);
        CommitProtocol.write(fs, new Path(staging, "part-0"), new byte[] {7});

        assertTrue(staging.getName().startsWith(".out.staging-"), "hidden from listings: " + staging.getName());
        assertFalse(Files.exists(dir.resolve("out")));
        assertFalse(CommitProtocol.isComplete(fs, output));

        CommitProtocol.commit(fs, staging, output);

        assertTrue(CommitProtocol.isComplete(fs, output));
        assertEquals(List.of(CommitProtocol.SUCCESS, "part-0"), names(dir.resolve("out")));
        assertEquals(List.of("out"), names(dir));
    }

    @Test
    void replacingAnOutputKeepsTheOldOneCompleteUntilTheNewOneIsIn() throws IOException {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        Path output = hadoop(oldOutput(dir.resolve("out")));
        Path staging = CommitProtocol.staging(output);
        CommitProtocol.write(fs, new Path(staging, "new.txt"), "new".getBytes(StandardCharsets.UTF_8));

        assertEquals("old", Files.readString(dir.resolve("out/old.txt")), "staging leaves the old output alone");
        CommitProtocol.commit(fs, staging, output);

        assertEquals(List.of(CommitProtocol.SUCCESS, "new.txt"), names(dir.resolve("out")));
        assertEquals(List.of("out"), names(dir), "the old one deleted, no staging left");
    }

    @Test
    void aDirectoryThatCannotBeSwappedInPutsTheOldOneBack() throws IOException {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        Path target = hadoop(oldOutput(dir.resolve("step-0000002")));
        Path aside = hadoop(dir.resolve("_old-step-0000002-x"));

        assertThrows(IOException.class, () -> CommitProtocol.swapIn(fs, hadoop(dir.resolve("never-staged")), target,
                aside));

        assertEquals("old", Files.readString(dir.resolve("step-0000002/old.txt")));
        assertEquals(List.of("step-0000002"), names(dir));
        Path staged = hadoop(Files.createDirectories(dir.resolve("_tmp-step-0000002")));
        assertEquals(aside, CommitProtocol.swapIn(fs, staged, target, aside), "replaced: the old one is aside");
        assertEquals(List.of(CommitProtocol.SUCCESS, "old.txt"), names(dir.resolve("_old-step-0000002-x")));
        assertNull(CommitProtocol.swapIn(fs, hadoop(Files.createDirectories(dir.resolve("new"))),
                hadoop(dir.resolve("other")), aside), "nothing replaced");
    }

    @Test
    void afterACrashBetweenTheRenamesTheNextRunPutsTheOldOutputBack() throws IOException {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        oldOutput(dir.resolve(".out.old-1234"));
        Files.createDirectories(dir.resolve(".out.staging-5678")); // hidden, never read

        CommitProtocol.recoverAside(fs, hadoop(dir.resolve("out")));

        assertEquals(List.of(CommitProtocol.SUCCESS, "old.txt"), names(dir.resolve("out")));
        assertEquals(List.of(".out.staging-5678", "out"), names(dir));
    }

    @Test
    void afterACrashBeforeTheMarkerTheNextRunRollsBackAndAfterItDeletesTheOldCopy() throws IOException {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        oldOutput(dir.resolve(".out.old-1"));
        Files.write(Files.createDirectories(dir.resolve("out")).resolve("half-new.txt"), new byte[] {1});
        CommitProtocol.recoverAside(fs, hadoop(dir.resolve("out")));
        assertEquals(List.of(CommitProtocol.SUCCESS, "old.txt"), names(dir.resolve("out")), "rolled back");

        oldOutput(dir.resolve(".out.old-2"));
        CommitProtocol.recoverAside(fs, hadoop(dir.resolve("out")));
        assertEquals(List.of(CommitProtocol.SUCCESS, "old.txt"), names(dir.resolve("out")), "kept: it is complete");
        assertEquals(List.of("out"), names(dir), "the stale copy deleted");
    }

    private static byte[] filled(char c) {
        byte[] bytes = new byte[64 * 1024];
        Arrays.fill(bytes, (byte) c);
        return bytes;
    }

    private static java.nio.file.Path oldOutput(java.nio.file.Path out) throws IOException {
        Files.createDirectories(out);
        Files.writeString(out.resolve("old.txt"), "old");
        Files.write(out.resolve(CommitProtocol.SUCCESS), new byte[0]);
        return out;
    }

    private static Path hadoop(java.nio.file.Path p) {
        return new Path("file:" + p.toAbsolutePath());
    }

    /** Names in a directory, Hadoop's .crc side files aside. */
    private static List<String> names(java.nio.file.Path dir) throws IOException {
        try (Stream<java.nio.file.Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")).sorted().toList();
        }
    }

    /** Local files under a scheme FileContext does not know, as an object store's is taken here. */
    static final class NoFileContextFileSystem extends RawLocalFileSystem {
        static final String SCHEME = "nofilecontext";

        @Override
        public URI getUri() {
            return URI.create(SCHEME + ":///");
        }

        @Override
        public String getScheme() {
            return SCHEME;
        }
    }
}
