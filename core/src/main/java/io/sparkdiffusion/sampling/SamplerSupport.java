package io.sparkdiffusion.sampling;

import io.sparkdiffusion.diffusion.ImageNoise;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** What every sampler does the same way: check its inputs, clip x̂_0, draw a step's fresh noise. */
final class SamplerSupport {
    private SamplerSupport() {
    }

    static void checkInputs(INDArray noise, int[] labels, long[] seeds) {
        if (noise == null || noise.rank() != 4 || noise.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("noise must be a FLOAT [N, C, H, W] array, got "
                    + (noise == null ? "null" : noise.dataType() + " " + Arrays.toString(noise.shape())));
        }
        long n = noise.size(0);
        if (labels != null && labels.length != n) {
            throw new IllegalArgumentException("need one label per image: batch " + n + ", labels " + labels.length);
        }
        if (seeds == null || seeds.length != n) {
            throw new IllegalArgumentException("need one seed per image: batch " + n + ", seeds "
                    + (seeds == null ? "null" : seeds.length));
        }
    }

    static void checkFirstStep(int firstStep, int steps) {
        if (firstStep < 0 || firstStep >= steps) {
            throw new IllegalArgumentException("first step must be in 0 … " + (steps - 1) + ", got " + firstStep);
        }
    }

    /** Clips x̂_0 to the data range [−1, 1] in place. */
    static INDArray clipToDataRange(INDArray x0) {
        return Transforms.min(Transforms.max(x0, -1.0, false), 1.0, false);
    }

    /** The fresh noise of step k for every image (depends on each image's seed only). */
    static INDArray stepNoise(long[] seeds, int step, INDArray like) {
        long[] shape = like.shape();
        return ImageNoise.gaussian(seeds, ImageNoise.stepStream(step),
                Math.toIntExact(shape[1]), Math.toIntExact(shape[2]), Math.toIntExact(shape[3]));
    }
}
