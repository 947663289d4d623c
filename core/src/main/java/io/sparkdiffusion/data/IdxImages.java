package io.sparkdiffusion.data;

import java.util.Arrays;

import io.sparkdiffusion.image.ImageShape;
import io.sparkdiffusion.image.Uint8Image;

/**
 * The content of an idx image file: {@code count} grayscale images of {@code height × width} unsigned
 * bytes, stored one after the other, row-major, in one array (60,000 MNIST images are 47 MB).
 */
public record IdxImages(int count, int height, int width, byte[] pixels) {

    public IdxImages {
        if (count < 0 || height < 1 || width < 1) {
            throw new IllegalArgumentException("bad idx image shape " + count + "x" + height + "x" + width);
        }
        if (pixels.length != (long) count * height * width) {
            throw new IllegalArgumentException("expected " + (long) count * height * width + " pixel values for "
                    + count + " images of " + height + "x" + width + ", got " + pixels.length);
        }
    }

    public ImageShape shape() {
        return new ImageShape(1, height, width);
    }

    /** Unsigned value 0 … 255 of image i at row y, column x. */
    public int pixel(int i, int y, int x) {
        return pixels[(i * height + y) * width + x] & 0xFF;
    }

    /** A copy of image i as a one-channel CHW image. */
    public Uint8Image image(int i) {
        int size = height * width;
        return new Uint8Image(shape(), Arrays.copyOfRange(pixels, i * size, (i + 1) * size));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdxImages other && count == other.count && height == other.height
                && width == other.width && Arrays.equals(pixels, other.pixels);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(new int[]{count, height, width, Arrays.hashCode(pixels)});
    }

    @Override
    public String toString() {
        return "IdxImages{" + count + " x " + height + "x" + width + "}";
    }
}
