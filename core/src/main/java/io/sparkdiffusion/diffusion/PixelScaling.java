package io.sparkdiffusion.diffusion;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The one home of the uint8 ↔ [−1, 1] conversion: x = u / 127.5 − 1, u = round((x + 1) · 127.5). */
public final class PixelScaling {
    private PixelScaling() {
    }

    /** uint8 CHW images, concatenated, to a float [n, c, h, w] array in [−1, 1]. */
    public static INDArray toUnitRange(byte[] pixels, int n, int c, int h, int w) {
        float[] values = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            values[i] = (pixels[i] & 0xFF) / 127.5f - 1f;
        }
        return Nd4j.create(values, new long[] {n, c, h, w}, DataType.FLOAT);
    }

    /** One value in [−1, 1] (clamped) to 0..255. */
    public static int toByte(double x) {
        long u = Math.round((x + 1.0) * 127.5);
        return (int) Math.max(0, Math.min(255, u));
    }
}
