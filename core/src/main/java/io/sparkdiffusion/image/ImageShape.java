package io.sparkdiffusion.image;

/**
 * The shape of one image, channels first (CHW), as stored in shards, checkpoints and tensors.
 *
 * @param channels 1 (grayscale) or 3 (RGB)
 * @param height   rows
 * @param width    columns
 */
public record ImageShape(int channels, int height, int width) implements java.io.Serializable {

    public ImageShape {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("image channels must be 1 or 3, got " + channels);
        }
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("image height and width must be positive, got " + height + "x" + width);
        }
    }

    /** Number of values of one image: C·H·W. */
    public int size() {
        return channels * height * width;
    }

    @Override
    public String toString() {
        return channels + "x" + height + "x" + width;
    }
}
