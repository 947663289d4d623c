package io.sparkdiffusion.image;

import java.util.List;
import java.util.function.IntFunction;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The one home of the uint8 ↔ [−1, 1] conversion: x = v / 127.5 − 1 on the way in, and
 * v = round((x + 1) · 127.5) clamped to 0 … 255 on the way out. The two are exact inverses on 0 … 255.
 */
public final class Pixels {

    private Pixels() {
    }

    /** 0 … 255 → [−1, 1]. */
    public static float toUnit(int uint8) {
        return uint8 / 127.5f - 1f;
    }

    /** [−1, 1] → 0 … 255, rounding half up; values outside [−1, 1] (and NaN) are clamped. */
    public static int toUint8(double x) {
        long v = Math.round((x + 1.0) * 127.5);
        return (int) Math.max(0, Math.min(255, v));
    }

    /** An image tensor (any shape, usually [C, H, W]) in [−1, 1] → its values as uint8, in C order. */
    public static byte[] toUint8(INDArray image) {
        float[] values = image.castTo(DataType.FLOAT).dup('c').data().asFloat();
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) toUint8(values[i]);
        }
        return out;
    }

    /** An image tensor [C, H, W] in [−1, 1] → an exact 8-bit image. */
    public static Uint8Image toImage(INDArray chw) {
        if (chw.rank() != 3) {
            throw new IllegalArgumentException("expected an image tensor [C, H, W], got shape "
                    + java.util.Arrays.toString(chw.shape()));
        }
        ImageShape shape = new ImageShape((int) chw.size(0), (int) chw.size(1), (int) chw.size(2));
        return new Uint8Image(shape, toUint8(chw));
    }

    /** An 8-bit image → a float tensor [C, H, W] in [−1, 1]. */
    public static INDArray toTensor(Uint8Image image) {
        ImageShape s = image.shape();
        return Nd4j.create(toUnit(image.pixels()), new long[]{s.channels(), s.height(), s.width()}, 'c');
    }

    /** Same-shaped 8-bit images → a float batch [N, C, H, W] in [−1, 1]. */
    public static INDArray toBatch(List<Uint8Image> images) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("cannot build a batch from no images");
        }
        ImageShape s = images.get(0).shape();
        for (int i = 0; i < images.size(); i++) {
            if (!images.get(i).shape().equals(s)) {
                throw new IllegalArgumentException("all images of a batch need shape " + s + ", image " + i
                        + " has " + images.get(i).shape());
            }
        }
        return toBatch(s, images.size(), i -> images.get(i).pixels());
    }

    /**
     * {@code count} 8-bit images of one shape → a float batch [N, C, H, W] in [−1, 1]; image i's pixels (CHW,
     * {@code shape.size()} values) are {@code pixels.apply(i)}. The one place uint8 becomes a model's input.
     */
    public static INDArray toBatch(ImageShape shape, int count, IntFunction<byte[]> pixels) {
        int size = shape.size();
        float[] values = new float[count * size];
        for (int i = 0; i < count; i++) {
            byte[] p = pixels.apply(i);
            if (p.length != size) {
                throw new IllegalArgumentException("image " + i + " of the batch has " + p.length
                        + " values; shape " + shape + " has " + size);
            }
            for (int j = 0; j < size; j++) {
                values[i * size + j] = toUnit(p[j] & 0xFF);
            }
        }
        return Nd4j.create(values, new long[]{count, shape.channels(), shape.height(), shape.width()}, 'c');
    }

    static float[] toUnit(byte[] uint8) {
        float[] out = new float[uint8.length];
        for (int i = 0; i < uint8.length; i++) {
            out[i] = toUnit(uint8[i] & 0xFF);
        }
        return out;
    }
}
