package io.sparkdiffusion.data;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Writes idx files that {@link IdxReader} (and every MNIST loader) reads; used to cut small subsets of
 * a data set, e.g. the demo's embedded default. The caller owns the stream: it is flushed, not closed.
 */
public final class IdxWriter {

    private IdxWriter() {
    }

    public static void writeImages(IdxImages images, OutputStream out, boolean gzip) throws IOException {
        write(out, gzip, data -> {
            data.writeInt(IdxReader.IMAGES_MAGIC);
            data.writeInt(images.count());
            data.writeInt(images.height());
            data.writeInt(images.width());
            data.write(images.pixels());
        });
    }

    public static void writeLabels(int[] labels, OutputStream out, boolean gzip) throws IOException {
        byte[] bytes = new byte[labels.length];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] > 255) {
                throw new IllegalArgumentException("idx labels are unsigned bytes, label " + i + " is " + labels[i]);
            }
            bytes[i] = (byte) labels[i];
        }
        write(out, gzip, data -> {
            data.writeInt(IdxReader.LABELS_MAGIC);
            data.writeInt(labels.length);
            data.write(bytes);
        });
    }

    private interface Body {
        void write(DataOutputStream data) throws IOException;
    }

    private static void write(OutputStream out, boolean gzip, Body body) throws IOException {
        if (gzip) {
            GZIPOutputStream zipped = new GZIPOutputStream(new NonClosing(out));
            DataOutputStream data = new DataOutputStream(zipped);
            body.write(data);
            data.flush();
            zipped.finish();
            zipped.close(); // frees the deflater; the caller's stream stays open
        } else {
            DataOutputStream data = new DataOutputStream(out);
            body.write(data);
            data.flush();
        }
        out.flush();
    }

    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
