package io.sparkdiffusion.model.layers;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

/**
 * Bulk copies between the native memory of a contiguous c-order FLOAT array and Java float[] (memcpy speed), so that
 * plain Java loops, which C2 auto-vectorizes, can work on the values in between. Not thread-safe (it moves a pointer's
 * position): one instance per thread.
 */
final class NativeFloats {

    private final FloatPointer pointer;
    private final long length;

    private NativeFloats(INDArray array) {
        if (array.dataType() != DataType.FLOAT || array.ordering() != 'c' || !Shape.hasDefaultStridesForShape(array)) {
            throw new IllegalArgumentException("expected a contiguous c-order FLOAT array, got " + array.dataType()
                    + " " + array.ordering() + " " + array.shapeInfoToString());
        }
        // the data buffer of a view starts at the view's first element (its offset is applied natively)
        this.pointer = (FloatPointer) array.data().addressPointer();
        this.length = array.length();
    }

    /** A window on the memory of {@code array}, which must be a contiguous c-order FLOAT array. */
    static NativeFloats of(INDArray array) {
        return new NativeFloats(array);
    }

    /** Copies elements [from, from + count) of the array into dst[offset ..]. */
    void read(long from, float[] dst, int offset, int count) {
        check(from, count);
        pointer.position(from).get(dst, offset, count);
    }

    /** Copies src[offset .. offset + count) into elements [from, from + count) of the array. */
    void write(long from, float[] src, int offset, int count) {
        check(from, count);
        pointer.position(from).put(src, offset, count);
    }

    private void check(long from, int count) {
        if (from < 0 || count < 0 || from + count > length) {
            throw new IndexOutOfBoundsException("elements [" + from + ", " + (from + count) + ") of " + length);
        }
    }
}
