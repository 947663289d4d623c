package io.sparkdiffusion.data;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

import io.sparkdiffusion.image.Uint8Image;

/**
 * Reads an idx image file one image at a time, so that a large file never has to fit in memory at once
 * ({@link IdxReader#readImages} reads it whole). Plain or gzip, as {@link IdxReader}. The caller owns the
 * stream.
 */
public final class IdxImageStream {
    /** The largest byte array a JVM allocates. */
    private static final long MAX_IMAGE_BYTES = Integer.MAX_VALUE - 8;
    private final DataInputStream data;
    private final int count;
    private final int rows;
    private final int cols;
    private int read;

    public IdxImageStream(InputStream in) throws IOException {
        this.data = new DataInputStream(IdxReader.maybeGunzip(in));
        int magic = header();
        if (magic != IdxReader.IMAGES_MAGIC) {
            throw new IdxFormatException(String.format("not an idx image file: magic number 0x%08X, expected 0x%08X",
                    magic, IdxReader.IMAGES_MAGIC));
        }
        this.count = header();
        this.rows = header();
        this.cols = header();
        if (count < 0 || rows < 1 || cols < 1) {
            throw new IdxFormatException("idx image file has an impossible shape " + count + "x" + rows + "x" + cols);
        }
        if ((long) rows * cols > MAX_IMAGE_BYTES) { // one image is one byte array
            throw new IdxFormatException("idx images of " + rows + "x" + cols + " are too large for one array");
        }
    }

    public int count() {
        return count;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public boolean hasNext() {
        return read < count;
    }

    /** The next image as one grey channel. */
    public Uint8Image next() throws IOException {
        if (!hasNext()) {
            throw new IllegalStateException("all " + count + " images were read");
        }
        byte[] pixels = new byte[rows * cols];
        try {
            data.readFully(pixels);
        } catch (EOFException e) {
            throw new IdxFormatException("idx image file truncated: image " + read + " of " + count + " ends early");
        }
        read++;
        return new Uint8Image(1, rows, cols, pixels);
    }

    private int header() throws IOException {
        try {
            return data.readInt();
        } catch (EOFException e) {
            throw new IdxFormatException("idx image file truncated: the header ends early");
        }
    }
}
