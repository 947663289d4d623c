package io.sparkdiffusion.jobs.prepare;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Arrays;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * Reads whole files on an executor with one open each, through the Hadoop file system of their URI. Spark's
 * binaryFile reader asks for each file's status again before opening it, and Hadoop's checksummed local
 * file system looks for a {@code .crc} side file (and builds an exception when there is none) at every open:
 * for a tree of tiny images that costs more than decoding them. Image trees carry no Hadoop checksums, so a
 * checksummed file system is read through its raw one. A local file is opened directly at the real path that
 * {@link LocalFileCheck} resolved, so that the file checked is the file read.
 *
 * <p>What is read is bounded: no file longer than the byte cap (by its length or, if it grew, by what it gives), and
 * on the local file system only regular files inside the input root ({@link LocalFileCheck}: a FIFO or a device is
 * never opened). A symbolic link listed by another file system (HDFS, when links are enabled there) is not followed.
 */
final class FileBytes {
    /** The largest byte array a JVM allocates: the highest byte cap. */
    static final int MAX_ARRAY = Integer.MAX_VALUE - 8;
    private final Configuration conf;
    private final String root;
    private final long maxBytes;
    private LocalFileCheck localCheck;
    private FileSystem fs;
    private String fsScheme;
    private String fsAuthority;

    /**
     * @param root     the qualified input root: local files are read only where their real path lies inside it
     * @param maxBytes the longest file read ({@code prepare.max-file-bytes}), at most {@link #MAX_ARRAY}
     */
    FileBytes(Configuration conf, String root, long maxBytes) {
        if (maxBytes < 0 || maxBytes > MAX_ARRAY) {
            throw new IllegalArgumentException("max bytes must be in 0.." + MAX_ARRAY + ", got " + maxBytes);
        }
        this.conf = conf;
        this.root = root;
        this.maxBytes = maxBytes;
    }

    /**
     * The file's whole content; {@code length} (from the listing) sizes the buffer.
     *
     * @throws RefusedFile when the file is not read: not a regular file, a symbolic link (confined to the root on the
     *                     local file system, never followed elsewhere), outside the root, or over the byte cap
     */
    byte[] read(String source, long length) throws IOException {
        Path path = new Path(source);
        FileSystem fs = fileSystemOf(path);
        if (fs instanceof RawLocalFileSystem local) {
            return readLocal(local.pathToFile(path).toPath());
        }
        if (length == FileGroup.LINK) {
            throw new RefusedFile("a symbolic link (followed on the local file system only): not followed");
        }
        try (InputStream in = fs.open(path)) {
            return readCapped(in, length);
        }
    }

    private byte[] readLocal(java.nio.file.Path file) throws IOException {
        if (localCheck == null) {
            localCheck = new LocalFileCheck(java.nio.file.Path.of(new Path(root).toUri().getPath()));
        }
        LocalFileCheck.Checked checked;
        try {
            checked = localCheck.check(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new java.io.FileNotFoundException(file + " (No such file or directory)"); // as Hadoop says it
        }
        try (InputStream in = new FileInputStream(checked.real().toFile())) {
            return readCapped(in, checked.length());
        }
    }

    /**
     * At most {@code maxBytes}, in a buffer of {@code length} unless the file grew or shrank since; a file whose length
     * is over the cap is refused before a byte is read.
     */
    private byte[] readCapped(InputStream in, long length) throws IOException {
        if (length > maxBytes) {
            throw tooLarge(Long.toString(length));
        }
        byte[] bytes = new byte[(int) Math.max(0, length)];
        int n = in.readNBytes(bytes, 0, bytes.length);
        int more = in.read();
        if (more < 0) {
            return n == bytes.length ? bytes : Arrays.copyOf(bytes, n); // as listed, or shrunk since
        }
        // grew since it was listed: read on, one byte past the cap at most
        byte[] rest = n + 1 > maxBytes ? new byte[0] : in.readNBytes((int) (maxBytes - n));
        if (n + 1L + rest.length > maxBytes) {
            throw tooLarge("over " + maxBytes);
        }
        byte[] all = Arrays.copyOf(bytes, n + 1 + rest.length);
        all[n] = (byte) more;
        System.arraycopy(rest, 0, all, n + 1, rest.length);
        return all;
    }

    private RefusedFile tooLarge(String bytes) {
        return new RefusedFile("too large: " + bytes + " bytes, over prepare.max-file-bytes = " + maxBytes + ": not read");
    }

    private FileSystem fileSystemOf(Path path) throws IOException {
        URI uri = path.toUri();
        if (fs == null || !java.util.Objects.equals(uri.getScheme(), fsScheme)
                || !java.util.Objects.equals(uri.getAuthority(), fsAuthority)) {
            FileSystem found = path.getFileSystem(conf);
            fs = found instanceof ChecksumFileSystem checksummed ? checksummed.getRawFileSystem() : found;
            fsScheme = uri.getScheme();
            fsAuthority = uri.getAuthority();
        }
        return fs;
    }
}
