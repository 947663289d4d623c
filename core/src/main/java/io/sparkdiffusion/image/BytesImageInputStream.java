package io.sparkdiffusion.image;

import java.io.IOException;
import java.util.Objects;

import javax.imageio.stream.ImageInputStreamImpl;

/**
 * An {@link javax.imageio.stream.ImageInputStream} over a byte array, for decoding a file already in memory.
 * TwelveMonkeys' {@code ByteArrayImageInputStream} formats two validation messages with String.format at
 * every construction, which cost a quarter of the decoding time of a 28×28 PNG; the JDK's streams copy the
 * bytes into a cache.
 */
final class BytesImageInputStream extends ImageInputStreamImpl {
    private final byte[] data;

    BytesImageInputStream(byte[] data) {
        this.data = Objects.requireNonNull(data);
    }

    @Override
    public int read() throws IOException {
        checkClosed();
        bitOffset = 0;
        return streamPos < data.length ? data[(int) streamPos++] & 0xFF : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        checkClosed();
        Objects.checkFromIndexSize(off, len, b.length);
        bitOffset = 0;
        if (len == 0) {
            return 0;
        }
        if (streamPos >= data.length) {
            return -1;
        }
        int n = (int) Math.min(len, data.length - streamPos);
        System.arraycopy(data, (int) streamPos, b, off, n);
        streamPos += n;
        return n;
    }

    @Override
    public long length() {
        return data.length;
    }

    /**
     * Nothing to release: a byte array. ImageInputStreamImpl's own {@code finalize} (it closes the stream) makes
     * the JVM register every instance with the finalizer thread at construction and keep it through an extra
     * collection; an empty override spares that (the JVM skips objects whose finalize is empty). It was the
     * largest single cost of decoding a 28×28 PNG in PrepareJob under the C1 compiler (bench/README.md).
     */
    @Override
    @SuppressWarnings({"deprecation", "removal"})
    protected void finalize() {
    }
}
