package io.sparkdiffusion.jobs.prepare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumException;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole files, whatever length the listing gave, and no checksum side file needed or trusted. */
class FileBytesTest {
    @TempDir
    Path tmp;

    @Test
    void readsTheWholeFileEvenWhenItChangedSinceTheListing() throws Exception {
        byte[] content = new byte[10_000];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 31);
        }
        FileBytes files = new FileBytes(new Configuration(), "file:" + tmp.toAbsolutePath(), 1 << 20);
        for (String name : new String[] {"a b.png", "plain_name-1.png"}) {
            Path file = tmp.resolve(name);
            Files.write(file, content);
            String source = "file:" + file.toAbsolutePath();

            // a local file is read by its own length (lstat), whatever the listing said
            assertArrayEquals(content, files.read(source, content.length), source);
            assertArrayEquals(content, files.read(source, 100), "listed shorter: " + source);
            assertArrayEquals(content, files.read(source, 20_000), "listed longer: " + source);
        }
        assertArrayEquals(new byte[0], files.read(writeEmpty(), 0));
        assertThrows(FileNotFoundException.class, () -> files.read("file:" + tmp.resolve("gone.png"), 5));
    }

    @Test
    void aStaleHadoopChecksumFileIsIgnored() throws Exception {
        Path file = tmp.resolve("x.png");
        Files.write(file, new byte[] {1, 2, 3});
        // A Hadoop checksum file (magic "crc\0", 512 bytes per sum) whose sum does not match the content.
        Files.write(tmp.resolve(".x.png.crc"), new byte[] {'c', 'r', 'c', 0, 0, 0, 2, 0, 9, 9, 9, 9});
        Configuration conf = new Configuration();
        org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path("file:" + file.toAbsolutePath());
        assertThrows(ChecksumException.class, () -> {
            try (java.io.InputStream in = FileSystem.getLocal(conf).open(path)) {
                in.readAllBytes();
            }
        }, "the checksummed local file system trusts the side file");

        assertArrayEquals(new byte[] {1, 2, 3}, new FileBytes(new Configuration(), "file:" + tmp.toAbsolutePath(), 1 << 20).read("file:" + file.toAbsolutePath(), 3));
    }

    @Test
    void throughAnotherFileSystemAFileThatGrewOrShrankSinceTheListingIsReadWhole() throws Exception {
        byte[] content = new byte[10_000];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 31);
        }
        Files.write(tmp.resolve("x.png"), content);
        FileBytes files = new FileBytes(listedLengthConf(), ListedLengthFileSystem.SCHEME + ":" + tmp.toAbsolutePath(),
                1 << 20);
        String source = ListedLengthFileSystem.SCHEME + ":" + tmp.resolve("x.png").toAbsolutePath();

        assertArrayEquals(content, files.read(source, content.length), "as listed");
        assertArrayEquals(content, files.read(source, 100), "grew since listed");
        assertArrayEquals(content, files.read(source, 20_000), "shrank since listed");
        assertArrayEquals(content, files.read(source, 0), "listed empty");
    }

    @Test
    void aFileThatGrewPastTheByteCapSinceTheListingIsRefused() throws Exception {
        // Through a file system other than the local one, the buffer is sized by the listed length: the cap is
        // enforced on what the file gives as well.
        writeBytes("grew.png", 5_000);
        writeBytes("cap.png", 4_096);
        String root = ListedLengthFileSystem.SCHEME + ":" + tmp.toAbsolutePath();
        FileBytes files = new FileBytes(listedLengthConf(), root, 4_096);

        RefusedFile refused = assertThrows(RefusedFile.class, () -> files.read(root + "/grew.png", 100)); // listed at 100
        assertEquals("too large: over 4096 bytes, over prepare.max-file-bytes = 4096: not read", refused.getMessage());
        RefusedFile listedOver = assertThrows(RefusedFile.class, () -> files.read(root + "/grew.png", 5_000));
        assertEquals("too large: 5000 bytes, over prepare.max-file-bytes = 4096: not read", listedOver.getMessage());
        assertEquals(4_096, files.read(root + "/cap.png", 100).length, "exactly the cap is read");
        // on the local file system the file's own length is over the cap: refused before a byte is read
        FileBytes local = new FileBytes(new Configuration(), "file:" + tmp.toAbsolutePath(), 4_096);
        RefusedFile localRefused = assertThrows(RefusedFile.class,
                () -> local.read("file:" + tmp.resolve("grew.png").toAbsolutePath(), 100));
        assertEquals("too large: 5000 bytes, over prepare.max-file-bytes = 4096: not read", localRefused.getMessage());
    }

    private static Configuration listedLengthConf() {
        Configuration conf = new Configuration();
        conf.setClass("fs." + ListedLengthFileSystem.SCHEME + ".impl", ListedLengthFileSystem.class, FileSystem.class);
        conf.setBoolean("fs." + ListedLengthFileSystem.SCHEME + ".impl.disable.cache", true);
        return conf;
    }

    /**
     * The local files under another scheme, through a file system that is neither raw local nor checksummed: FileBytes
     * reads it as it reads HDFS, trusting the listed length to size its buffer.
     */
    public static final class ListedLengthFileSystem extends org.apache.hadoop.fs.FilterFileSystem {
        static final String SCHEME = "listedlength";

        public ListedLengthFileSystem() {
            super(new org.apache.hadoop.fs.RawLocalFileSystem());
        }

        @Override
        public void initialize(java.net.URI name, Configuration conf) throws java.io.IOException {
            fs.initialize(java.net.URI.create("file:///"), conf);
            setConf(conf);
        }

        @Override
        public java.net.URI getUri() {
            return java.net.URI.create(SCHEME + ":///");
        }

        @Override
        public String getScheme() {
            return SCHEME;
        }

        @Override
        public org.apache.hadoop.fs.FSDataInputStream open(org.apache.hadoop.fs.Path f, int bufferSize)
                throws java.io.IOException {
            return fs.open(new org.apache.hadoop.fs.Path("file", null, f.toUri().getPath()), bufferSize);
        }
    }

    @Test
    void hadoopsLocalFileSystemFollowsLinksAndCallsAFifoAFile() throws Exception {
        // Why FileBytes looks at local files itself: Hadoop's statuses cannot tell a FIFO or a link from a file.
        Path fifo = tmp.resolve("x.png");
        PrepareFileFixtures.mkfifo(fifo);
        Path target = Files.write(tmp.resolve("target.png"), new byte[] {1, 2});
        Path link = Files.createSymbolicLink(tmp.resolve("link.png"), target);
        org.apache.hadoop.fs.RawLocalFileSystem raw = new org.apache.hadoop.fs.RawLocalFileSystem();
        raw.initialize(java.net.URI.create("file:///"), new Configuration());

        org.apache.hadoop.fs.FileStatus fifoStatus = raw.getFileStatus(hadoopPath(fifo));
        assertTrue(fifoStatus.isFile(), "a FIFO is a 'file' to Hadoop");
        assertEquals(0, fifoStatus.getLen());
        org.apache.hadoop.fs.FileStatus linkStatus = raw.getFileStatus(hadoopPath(link));
        assertTrue(linkStatus.isFile() && !linkStatus.isSymlink(), "getFileStatus follows the link");
        for (org.apache.hadoop.fs.FileStatus listed : raw.listStatus(hadoopPath(tmp))) {
            assertFalse(listed.isSymlink(), "listStatus follows links: " + listed.getPath());
        }
    }

    private static org.apache.hadoop.fs.Path hadoopPath(Path p) {
        return new org.apache.hadoop.fs.Path("file:" + p.toAbsolutePath());
    }

    private String writeBytes(String name, int length) throws Exception {
        Path file = tmp.resolve(name);
        Files.write(file, new byte[length]);
        return "file:" + file.toAbsolutePath();
    }

    private String writeEmpty() throws Exception {
        Path empty = tmp.resolve("empty.png");
        Files.write(empty, new byte[0]);
        return "file:" + empty.toAbsolutePath();
    }
}
