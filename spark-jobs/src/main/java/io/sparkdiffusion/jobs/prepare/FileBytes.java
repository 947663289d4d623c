package io.sparkdiffusion.jobs.prepare;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Arrays;

import io.sparkdiffusion.jobs.glue.DirectoryListingRawFileSystem;
import io.sparkdiffusion.jobs.glue.UriCharacters;
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
 * checksummed file system is read through its raw one. The raw local one in turn stats the file again at
 * every open and wraps it in a fresh buffer of {@code io.file.buffer.size} (Spark sets 64 KB, allocated and zeroed
 * for a 300-byte PNG), so its files are opened directly, at the path it maps them to.
 *
 * <p>What is read is bounded: no file longer than the byte cap (by its length or, if it grew, by what it gives), and
 * on the local file system only regular files inside the input root ({@link LocalFileCheck}: a FIFO or a device is
 * never opened). A symbolic link listed by another file system (HDFS, when links are enabled there) is not followed.
 */
final class FileBytes {
    /** The largest byte array a JVM allocates: the highest byte cap. */
    static final int MAX_ARRAY = Integer.MAX_VALUE - 8;
    private static final String LOCAL = "file:/";
    private final Configuration conf;
    private final String root;
    private final long maxBytes;
    private LocalFileCheck localCheck;
    private FileSystem fs;
    private String fsScheme;
    private String fsAuthority;
    private Boolean localIsRaw;

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
        if (source.startsWith(LOCAL) && !source.startsWith("//", LOCAL.length() - 1) && isPlainUri(source)
                && localIsRaw()) {
            // plainly named: opened by its name, as the raw local file system maps it, with no URI to parse (under
            // the C1 compiler of a short PrepareJob, parsing the source was ~9 % of a task's time on 300-byte PNGs)
            return readLocal(java.nio.file.Path.of(source.substring(LOCAL.length() - 1)));
        }
        Path path = pathOf(source);
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

    /**
     * {@code new Path(source)}, parsed as a URI at once when the source {@link #isPlainUri is plain} (as Spark lists a
     * tree of plainly named files): Path's own parsing runs a regular expression and builds its URI twice.
     */
    static Path pathOf(String source) {
        return isPlainUri(source) ? new Path(URI.create(source)) : new Path(source);
    }

    /**
     * True when {@code source} is a qualified path ({@code scheme:/...}) that reads the same as a URI: only unreserved
     * characters, {@code :} and single slashes after the scheme (and authority), no dot segments, no trailing slash.
     */
    static boolean isPlainUri(String source) {
        int colon = source.indexOf(':');
        if (colon <= 0 || colon + 1 >= source.length() || source.charAt(colon + 1) != '/' || !isScheme(source, colon)) {
            return false; // not qualified
        }
        int start = source.startsWith("//", colon + 1) ? colon + 3 : colon + 1;
        for (int i = start; i < source.length(); i++) {
            char c = source.charAt(i);
            boolean plain = UriCharacters.isUnreserved(c) || c == ':' || c == '/' && source.charAt(i - 1) != '/';
            if (!plain) {
                return false;
            }
        }
        return !(source.endsWith("/") || source.contains("/./") || source.contains("/../") || source.endsWith("/.")
                || source.endsWith("/.."));
    }

    /** A URI scheme: a letter, then letters, digits, {@code +}, {@code -} or {@code .}. */
    private static boolean isScheme(String source, int end) {
        for (int i = 0; i < end; i++) {
            char c = source.charAt(i);
            boolean letter = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
            if (!(letter || i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code file://} reads through Hadoop's raw local file system or ours (looked up once): those map a
     * path to the file of that name; a subclass of another kind might not.
     */
    private boolean localIsRaw() throws IOException {
        if (localIsRaw == null) {
            FileSystem local = new Path(LOCAL).getFileSystem(conf);
            Class<?> raw = (local instanceof ChecksumFileSystem checksummed ? checksummed.getRawFileSystem() : local).getClass();
            localIsRaw = raw == RawLocalFileSystem.class || raw == DirectoryListingRawFileSystem.class;
        }
        return localIsRaw;
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
