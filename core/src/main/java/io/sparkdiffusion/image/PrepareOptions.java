package io.sparkdiffusion.image;

import java.io.Serializable;

/**
 * How every image of a corpus is made uniform.
 *
 * @param size      side of the square output (shorter side scaled to it, then centre-cropped)
 * @param channels  1 (grey) or 3 (RGB)
 * @param minSize   reject images whose shorter side (as stored) is below this; 0 = no minimum
 * @param maxPixels reject images with more pixels than this, before decoding them
 * @param maxDecodeBytes reject images whose decoding and conversion would take more bytes than this (estimated from
 *                       the header: pixels, bands, bit depth), before decoding them
 * @param background what transparent pixels are composited over
 */
public record PrepareOptions(int size, int channels, int minSize, long maxPixels, long maxDecodeBytes,
                             Background background) implements Serializable {
    /** The default of {@code prepare.max-decode-bytes}: 512 MiB. */
    public static final long DEFAULT_MAX_DECODE_BYTES = 512L << 20;

    /** The default decode budget, transparent pixels over white. */
    public PrepareOptions(int size, int channels, int minSize, long maxPixels) {
        this(size, channels, minSize, maxPixels, DEFAULT_MAX_DECODE_BYTES, Background.WHITE);
    }

    public PrepareOptions {
        if (size < 1) {
            throw new IllegalArgumentException("size must be positive, got " + size);
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
        if (minSize < 0 || maxPixels < 1 || maxDecodeBytes < 1) {
            throw new IllegalArgumentException("min size must be >= 0, max pixels and max decode bytes >= 1");
        }
        if (background == null) {
            background = Background.WHITE;
        }
    }

    public ImageShape shape() {
        return new ImageShape(channels, size, size);
    }
}
