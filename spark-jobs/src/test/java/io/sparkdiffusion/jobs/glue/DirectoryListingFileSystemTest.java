package io.sparkdiffusion.jobs.glue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The faster listing gives what Hadoop's own local file system gives, entry by entry and field by field. */
class DirectoryListingFileSystemTest {
    @TempDir
    java.nio.file.Path tmp;

    private FileSystem hadoops;
    private FileSystem ours;
    private Path root;

    @BeforeEach
    void fileSystems() throws Exception {
        Configuration plain = new Configuration();
        hadoops = FileSystem.newInstance(java.net.URI.create("file:///"), plain);
        ours = FileSystem.newInstance(java.net.URI.create("file:///"), DirectoryListingFileSystem.useFor(new Configuration()));
        assertInstanceOf(LocalFileSystem.class, hadoops);
        assertFalse(hadoops instanceof DirectoryListingFileSystem);
        assertInstanceOf(DirectoryListingFileSystem.class, ours);
        root = new Path("file:" + tmp.toAbsolutePath());
    }

    @Test
    void listsATreeAsHadoopDoes() throws Exception {
        java.nio.file.Path top = tmp;
        write(top.resolve("dress/00001.png"), 300);
        write(top.resolve("dress/deeper/still/t10k-00002.png"), 17);
        write(top.resolve("dress/.hidden.png"), 5);
        write(top.resolve("dress/_metadata"), 7);
        write(top.resolve("bag/a b%20c#d:e?f.png"), 11); // names that need escaping in a URI
        write(top.resolve("bag/été~x_y-z.PNG"), 12);
        write(top.resolve("bag/x~1_a-b.c.png"), 13); // only unreserved characters: the short path
        write(top.resolve("bag/empty.png"), 0);
        Files.createDirectories(top.resolve("empty/also-empty"));
        Files.createDirectories(top.resolve(".hidden-dir"));
        write(top.resolve(".hidden-dir/inside.png"), 3);
        Files.createSymbolicLink(top.resolve("bag/link.png"), top.resolve("dress/00001.png"));
        Files.createSymbolicLink(top.resolve("bag/dangling.png"), top.resolve("nowhere.png"));
        Files.createSymbolicLink(top.resolve("linked-dir"), top.resolve("dress/deeper"));
        // Written through Hadoop's checksummed file system: a .crc side file that both listings must hide.
        try (FSDataOutputStream out = hadoops.create(new Path(root, "bag/with-checksum.png"))) {
            out.write(new byte[] {1, 2, 3});
        }
        assertTrue(Files.exists(top.resolve("bag/.with-checksum.png.crc")));

        walk(hadoops, root); // reading a directory the first time moves its access time (relatime): settle them
        List<FileStatus> expected = walk(hadoops, root);
        List<FileStatus> actual = walk(ours, root);
        assertEquals(expected.size(), actual.size(), "entries");
        assertTrue(expected.size() >= 18, "the tree was walked: " + expected.size());
        for (int i = 0; i < expected.size(); i++) {
            assertSameStatus(expected.get(i), actual.get(i));
        }
        assertEquals(recursiveFiles(hadoops), recursiveFiles(ours));
    }

    @Test
    void aFileListsAsItselfAndAMissingPathIsNotFound() throws Exception {
        write(tmp.resolve("one.png"), 4);
        Path file = new Path(root, "one.png");
        FileStatus[] expected = hadoops.listStatus(file);
        FileStatus[] actual = ours.listStatus(file);
        assertEquals(1, actual.length);
        assertSameStatus(expected[0], actual[0]);
        assertThrows(FileNotFoundException.class, () -> hadoops.listStatus(new Path(root, "missing")));
        assertThrows(FileNotFoundException.class, () -> ours.listStatus(new Path(root, "missing")));
    }

    @Test
    void onlyNamesWithoutReservedCharactersTakeTheShortPath() {
        assertTrue(DirectoryListingRawFileSystem.isPlain("t10k-00001.png"));
        assertTrue(DirectoryListingRawFileSystem.isPlain("..png"));
        assertFalse(DirectoryListingRawFileSystem.isPlain(".."));
        assertFalse(DirectoryListingRawFileSystem.isPlain("a b.png"));
        assertFalse(DirectoryListingRawFileSystem.isPlain("a:b.png"));
        assertFalse(DirectoryListingRawFileSystem.isPlain("été.png"));
        assertFalse(DirectoryListingRawFileSystem.isPlain("100%.png"));
    }

    /** Every status below {@code dir}, depth first, each directory's entries sorted by path. */
    private static List<FileStatus> walk(FileSystem fs, Path dir) throws Exception {
        FileStatus[] entries = fs.listStatus(dir);
        Arrays.sort(entries, Comparator.comparing(s -> s.getPath().toString()));
        List<FileStatus> all = new ArrayList<>();
        for (FileStatus s : entries) {
            all.add(s);
            if (s.isDirectory()) {
                all.addAll(walk(fs, s.getPath()));
            }
        }
        return all;
    }

    private List<String> recursiveFiles(FileSystem fs) throws Exception {
        List<String> files = new ArrayList<>();
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
        while (it.hasNext()) {
            LocatedFileStatus s = it.next();
            files.add(s.getPath() + " " + s.getLen() + " " + s.getModificationTime() + " "
                    + Arrays.toString(s.getBlockLocations()));
        }
        files.sort(null);
        return files;
    }

    @Test
    void theEntriesOfAFolderShareTheirParentAndSerializeAsPlainPaths() throws Exception {
        write(tmp.resolve("dress/1.png"), 3);
        write(tmp.resolve("dress/2.png"), 4);
        FileStatus[] listed = ours.listStatus(new Path(root, "dress"));
        assertEquals(2, listed.length);
        assertTrue(listed[0].getPath().getParent() == listed[1].getPath().getParent(), "one parent object per folder");

        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(listed[0].getPath());
        }
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            Path copy = (Path) in.readObject();
            assertEquals(Path.class, copy.getClass());
            assertEquals(listed[0].getPath(), copy);
            assertEquals(new Path(root, "dress"), copy.getParent());
        }
    }

    private static void assertSameStatus(FileStatus expected, FileStatus actual) {
        String what = expected.getPath().toString();
        assertEquals(expected.getPath(), actual.getPath(), what);
        assertEquals(expected.getPath().toString(), actual.getPath().toString(), what);
        assertEquals(expected.getPath().toUri().toString(), actual.getPath().toUri().toString(), what);
        assertEquals(expected.getPath().getName(), actual.getPath().getName(), what);
        assertEquals(expected.getPath().getParent(), actual.getPath().getParent(), what);
        assertEquals(expected.getPath().getParent().toString(), actual.getPath().getParent().toString(), what);
        assertEquals(expected.getLen(), actual.getLen(), what);
        assertEquals(expected.isDirectory(), actual.isDirectory(), what);
        assertEquals(expected.isFile(), actual.isFile(), what);
        assertEquals(expected.isSymlink(), actual.isSymlink(), what);
        assertEquals(expected.getModificationTime(), actual.getModificationTime(), what);
        assertEquals(expected.getAccessTime(), actual.getAccessTime(), what);
        assertEquals(expected.getReplication(), actual.getReplication(), what);
        assertEquals(expected.getBlockSize(), actual.getBlockSize(), what);
        assertEquals(expected.getPermission(), actual.getPermission(), what);
        assertEquals(expected.getOwner(), actual.getOwner(), what);
        assertEquals(expected.getGroup(), actual.getGroup(), what);
    }

    private static void write(java.nio.file.Path file, int bytes) throws Exception {
        Files.createDirectories(file.getParent());
        byte[] content = new byte[bytes];
        Arrays.fill(content, (byte) 7);
        Files.write(file, content);
        assertEquals(bytes, new String(content, StandardCharsets.ISO_8859_1).length());
    }
}
