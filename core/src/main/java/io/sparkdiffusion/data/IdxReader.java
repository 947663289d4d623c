package io.sparkdiffusion.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * Reads MNIST-style idx files (the format of MNIST and Fashion-MNIST): a big-endian header (magic number,
 * then one int per dimension) followed by unsigned bytes. Plain or gzip-compressed, told apart by the
 * gzip magic bytes rather than the file name, so any stream works (a Hadoop {@code FSDataInputStream} too).
 *
 * <p>The caller owns the stream: it is read but not closed.
 */
public final class IdxReader {
    /** Unsigned bytes, 3 dimensions: images [n, rows, cols]. */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Unsigned bytes, 1 dimension: labels [n]. */
    public static final int LABELS_MAGIC = 0x00000801;

    private static final int GZIP_MAGIC_1 = 0x1f;
    private static final int GZIP_MAGIC_2 = 0x8b;

    private IdxReader() {
    }

    public static IdxImages readImages(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(maybeGunzip(in));
        checkMagic(readHeaderInt(data, 0), IMAGES_MAGIC, "image");
        int n = readHeaderInt(data, 4);
        int rows = readHeaderInt(data, 8);
        int cols = readHeaderInt(data, 12);
        if (n < 0 || rows < 1 || cols < 1) {
            throw new IdxFormatException("idx image file has an impossible shape " + n + "x" + rows + "x" + cols);
        }
        long size = (long) n * rows * cols;
        if (size > Integer.MAX_VALUE - 8) {
            throw new IdxFormatException("idx image file too large for one array: " + n + "x" + rows + "x" + cols);
        }
        // readNBytes grows its buffer as data arrives, so a corrupt header cannot make us allocate gigabytes.
        byte[] pixels = readBody(data, (int) size);
        if (pixels.length != size) {
            throw new IdxFormatException("idx image file truncated: expected " + size + " pixel bytes for " + n
                    + " images of " + rows + "x" + cols + ", got " + pixels.length);
        }
        return new IdxImages(n, rows, cols, pixels);
    }

    public static int[] readLabels(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(maybeGunzip(in));
        checkMagic(readHeaderInt(data, 0), LABELS_MAGIC, "label");
        int n = readHeaderInt(data, 4);
        if (n < 0) {
            throw new IdxFormatException("idx label file has a negative count " + n);
        }
        byte[] bytes = readBody(data, n);
        if (bytes.length != n) {
            throw new IdxFormatException("idx label file truncated: expected " + n + " labels, got " + bytes.length);
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = bytes[i] & 0xFF;
        }
        return labels;
    }

    static InputStream maybeGunzip(InputStream in) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in);
        buffered.mark(2);
        int b1 = buffered.read();
        int b2 = buffered.read();
        buffered.reset();
        return b1 == GZIP_MAGIC_1 && b2 == GZIP_MAGIC_2 ? new BufferedInputStream(new GZIPInputStream(buffered)) : buffered;
    }

    /** Up to {@code size} bytes; fewer when the file ends early (the caller names the shortfall). */
    private static byte[] readBody(DataInputStream data, int size) throws IOException {
        try {
            return data.readNBytes(size);
        } catch (EOFException e) {
            // GZIPInputStream reports a cut-off compressed file as an EOFException mid-read.
            throw new IdxFormatException("idx file truncated: the compressed data ends early (" + e.getMessage() + ")");
        }
    }

    private static int readHeaderInt(DataInputStream data, int offset) throws IOException {
        try {
            return data.readInt();
        } catch (EOFException e) {
            throw new IdxFormatException("idx file truncated: the header ends before byte " + (offset + 4));
        }
    }

    private static void checkMagic(int magic, int expected, String kind) throws IdxFormatException {
        if (magic == expected) {
            return;
        }
        String hint = magic == IMAGES_MAGIC ? " (an idx image file)"
                : magic == LABELS_MAGIC ? " (an idx label file)" : "";
        throw new IdxFormatException(String.format("not an idx %s file: magic number 0x%08X%s, expected 0x%08X (%d)",
                kind, magic, hint, expected, expected));
    }
}
