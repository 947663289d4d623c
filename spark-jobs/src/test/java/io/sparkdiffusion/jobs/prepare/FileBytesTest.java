package io.sparkdiffusion.jobs.prepare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
        FileBytes files = new FileBytes(new Configuration());
        for (String name : new String[] {"a b.png", "plain_name-1.png"}) { // through Hadoop's path, and straight
            Path file = tmp.resolve(name);
            Files.write(file, content);
            String source = "file:" + file.toAbsolutePath();
            if (name.contains(" ")) {
                assertFalse(FileBytes.isPlainUri(source), source);
            }

            assertArrayEquals(content, files.read(source, content.length), source);
            assertArrayEquals(content, files.read(source, 100), "grew since listed: " + source);
            assertArrayEquals(content, files.read(source, 20_000), "shrank since listed: " + source);
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

        assertArrayEquals(new byte[] {1, 2, 3}, new FileBytes(new Configuration()).read("file:" + file.toAbsolutePath(), 3));
    }

    @Test
    void aSourceIsTheSamePathWhetherParsedQuicklyOrAsHadoopDoes() {
        String[] sources = {"file:/data/fm/bag/00001.png", "file:/d/x~1_a-b.c.PNG", "hdfs://nn:8020/corpus/cat/1.jpg",
            "s3a://bucket/a/b.png", "file:///data/x.png", "file:/a//b.png", "file:/a/./b.png", "file:/a/../b.png",
            "file:/a/b/", "file:/a/b/.", "file:/a b/c.png", "file:/a%20b/c.png", "file:/été/c.png", "file:/a/b#c.png",
            "file:/a:b/c.png", "relative/x.png", "/abs/x.png", "file:/a/b..png", "/abs/x:/y.png", "rel/a:/b"};
        for (String source : sources) {
            org.apache.hadoop.fs.Path hadoops = new org.apache.hadoop.fs.Path(source);
            org.apache.hadoop.fs.Path ours = FileBytes.pathOf(source);
            assertEquals(hadoops, ours, source);
            assertEquals(hadoops.toString(), ours.toString(), source);
            assertEquals(hadoops.toUri().getPath(), ours.toUri().getPath(), source);
        }
    }

    private String writeEmpty() throws Exception {
        Path empty = tmp.resolve("empty.png");
        Files.write(empty, new byte[0]);
        return "file:" + empty.toAbsolutePath();
    }
}
