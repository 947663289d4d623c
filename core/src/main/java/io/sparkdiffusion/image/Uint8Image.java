package io.sparkdiffusion.image;

import java.util.Arrays;

/**
 * One decoded image as exact 8-bit values in CHW order: the representation kept in shards and on disk.
 * Normalization to [−1, 1] happens only when batches are built ({@link Pixels}).
 *
 * @param shape  channels, height, width
 * @param pixels C·H·W values, channel-major then row-major; read as unsigned ({@code b & 0xFF})
 */
public record Uint8Image(ImageShape shape, byte[] pixels) {

    public Uint8Image {
        if (shape == null || pixels == null) {
            throw new IllegalArgumentException("shape and pixels are required");
        }
        if (pixels.length != shape.size()) {
            throw new IllegalArgumentException("an image of shape " + shape + " needs " + shape.size()
                    + " pixel values, got " + pixels.length);
        }
    }

    public Uint8Image(int channels, int height, int width, byte[] pixels) {
        this(new ImageShape(channels, height, width), pixels);
    }

    /** Unsigned value 0 … 255 of channel c at row y, column x. */
    public int get(int c, int y, int x) {
        return pixels[(c * shape.height() + y) * shape.width() + x] & 0xFF;
    }

    public int channels() {
        return shape.channels();
    }

    public int height() {
        return shape.height();
    }

    public int width() {
        return shape.width();
    }

    // Records compare arrays by identity; images are compared by content.
    @Override
    public boolean equals(Object o) {
        return o instanceof Uint8Image other && shape.equals(other.shape) && Arrays.equals(pixels, other.pixels);
    }

    @Override
    public int hashCode() {
        return 31 * shape.hashCode() + Arrays.hashCode(pixels);
    }

    @Override
    public String toString() {
        return "Uint8Image{" + shape + "}";
    }
}
