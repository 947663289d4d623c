package io.sparkdiffusion.image;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;

/**
 * The per-file work of PrepareJob, without Spark: bytes → decode → channel conversion → content hash →
 * shorter side to {@code size} and centre crop → uint8 CHW. Never throws for bad input: every failure comes
 * back as a {@link PreparedImage#rejected reason}.
 *
 * <p>The content hash identifies exact duplicates: a 128-bit hash ({@link Murmur3}) of the decoded image at its
 * full resolution, after conversion to the configured channel count (shape and pixels). So the same picture saved
 * as PNG and as BMP is a duplicate; a re-encoded JPEG or a resized copy is not. The hash is not cryptographic: its
 * user (PrepareJob) also compares the prepared pixels of images whose hashes are equal before calling one a copy.
 */
public final class ImagePreparer {
    private final PrepareOptions options;
    private final ImageDecoder decoder;

    public ImagePreparer(PrepareOptions options) {
        this.options = options;
        this.decoder = new ImageDecoder(options.minSize(), options.maxPixels(),
                new DecodeMemory(options.maxDecodeBytes(), options.channels(), options.size()));
    }

    public PrepareOptions options() {
        return options;
    }

    /** One image file's bytes. */
    public PreparedImage prepare(byte[] fileBytes) {
        DecodeResult decoded = decoder.decode(fileBytes);
        return decoded.ok() ? prepare(decoded.image()) : PreparedImage.rejected(decoded.reason());
    }

    /** An image as ImageIO decoded it. */
    PreparedImage prepare(BufferedImage decoded) {
        try {
            return prepare(ChannelConverter.convert(decoded, options.channels(), options.background()));
        } catch (RuntimeException e) {
            return PreparedImage.rejected("unsupported pixel layout: " + e);
        } catch (OutOfMemoryError e) {
            // the decoded image is garbage now: this image is a reject, the executor goes on with the next
            return PreparedImage.rejected("too large to convert in this executor's memory (" + decoded.getWidth()
                    + "x" + decoded.getHeight() + ")");
        }
    }

    /** An already decoded image (e.g. from an idx file); converted to the options' channel count. */
    public PreparedImage prepare(Uint8Image decoded) {
        if (Math.min(decoded.height(), decoded.width()) < options.minSize()) {
            return PreparedImage.rejected("too small: " + decoded.width() + "x" + decoded.height()
                    + ", shorter side below min-size " + options.minSize());
        }
        Uint8Image converted = withChannels(decoded, options.channels());
        return PreparedImage.kept(SquareResizer.resize(converted, options.size()), contentHash(converted));
    }

    /**
     * 32 hex digits: the {@link Murmur3} hash of the shape (channels, height, width: big-endian ints) followed by the
     * 128-bit hash of the pixels (so the pixels, a photo's megabytes, are hashed where they are, not copied).
     */
    public static String contentHash(Uint8Image image) {
        ImageShape s = image.shape();
        long[] pixels = Murmur3.hash128(image.pixels());
        return Murmur3.hex128(ByteBuffer.allocate(28).putInt(s.channels()).putInt(s.height()).putInt(s.width())
                .putLong(pixels[0]).putLong(pixels[1]).array());
    }

    private static Uint8Image withChannels(Uint8Image image, int channels) {
        if (image.channels() == channels) {
            return image;
        }
        int n = image.height() * image.width();
        if (channels == 1) {
            return new Uint8Image(1, image.height(), image.width(), ChannelConverter.luma(image.pixels()));
        }
        byte[] rgb = new byte[3 * n];
        for (int c = 0; c < 3; c++) {
            System.arraycopy(image.pixels(), 0, rgb, c * n, n);
        }
        return new Uint8Image(3, image.height(), image.width(), rgb);
    }
}
