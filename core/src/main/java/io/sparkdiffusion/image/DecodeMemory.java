package io.sparkdiffusion.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.MultiPixelPackedSampleModel;
import java.awt.image.SampleModel;
import java.awt.image.SinglePixelPackedSampleModel;

import javax.imageio.ImageTypeSpecifier;

/**
 * What preparing one image takes in memory at once, told from its header before it is decoded: the decoded raster
 * (by the reader's image type: bands and bit depth), the arrays {@link ChannelConverter} makes of it, and
 * {@link SquareResizer}'s. The pixel count alone says too little: a 16-bit grey+alpha PNG takes 4 bytes a pixel
 * decoded and 9 more while converted, 13 times an 8-bit grey one. A reader's own buffers come on top.
 *
 * @param maxBytes the most one image may take
 * @param channels the channels prepared (1 or 3)
 * @param size     the side of the prepared square
 */
record DecodeMemory(long maxBytes, int channels, int size) {
    /** More than any image type takes a pixel (4 bands of 8 bytes decoded, and the conversion's arrays). */
    private static final int MOST_BYTES_PER_PIXEL = 48;

    /** No limit. */
    static final DecodeMemory UNLIMITED = new DecodeMemory(Long.MAX_VALUE, 3, 1);

    /** True when an image of this size fits whatever its type: the type (a reader call) need not be asked for. */
    boolean fitsAnyType(int width, int height) {
        return maxBytes == Long.MAX_VALUE || estimate(width, height, MOST_BYTES_PER_PIXEL) <= maxBytes;
    }

    /** The bytes preparing a {@code width × height} image of this type takes. */
    long estimate(int width, int height, ImageTypeSpecifier type) {
        SampleModel samples = type.getSampleModel(1, 1);
        int elementBytes = Math.max(1, DataBuffer.getDataTypeSize(samples.getDataType()) / 8);
        int bands = samples.getNumBands();
        int raster = samples instanceof SinglePixelPackedSampleModel ? elementBytes
                : samples instanceof MultiPixelPackedSampleModel ? 1 : bands * elementBytes;
        boolean grey = type.getColorModel().getNumColorComponents() == 1
                && !(type.getColorModel() instanceof java.awt.image.IndexColorModel);
        int converted;
        if (grey) {
            // an 8-bit grey raster is copied; others are read as an int array per band used (grey, alpha)
            converted = type.getBufferedImageType() == BufferedImage.TYPE_BYTE_GRAY ? 1 : 4 * Math.min(bands, 2) + 1;
            converted += channels == 3 ? 3 : 0;
        } else {
            converted = 3 + (channels == 1 ? 1 : 0);
        }
        return estimate(width, height, raster + converted);
    }

    private long estimate(int width, int height, int bytesPerPixel) {
        long pixels = (long) width * height;
        long resize = 4L * height * size + (long) channels * size * size; // a float row buffer, the output
        return pixels * bytesPerPixel + resize;
    }
}
