package io.sparkdiffusion.diffusion;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Deterministic Gaussian noise per image: image i's noise depends only on (seeds[i], stream), never on
 * the batch it is drawn in. That is what makes a sample reproducible whichever Spark partition, batch
 * size or position in the batch it lands in.
 *
 * <p>Streams: {@link #INITIAL_STREAM} is x_T; a sampler's step k (0 = first step) draws its fresh noise
 * from {@link #stepStream(int) stepStream(k)} = k + 1.
 */
public final class ImageNoise {
    /** The stream of the starting noise x_T. */
    public static final long INITIAL_STREAM = 0;

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private ImageNoise() {
    }

    /** The stream of the fresh noise of sampler step {@code step} (0-based): step + 1. */
    public static long stepStream(int step) {
        return step + 1L;
    }

    /** x_T for a batch: {@link #gaussian} on {@link #INITIAL_STREAM}. */
    public static INDArray initial(long[] seeds, int... imageShape) {
        return gaussian(seeds, INITIAL_STREAM, imageShape);
    }

    /**
     * Standard normal noise [N, C, H, W] (FLOAT), N = seeds.length, image i drawn from (seeds[i], stream).
     *
     * @param imageShape [C, H, W] (any positive dimensions; their product is the values per image)
     */
    public static INDArray gaussian(long[] seeds, long stream, int... imageShape) {
        if (seeds == null || seeds.length == 0) {
            throw new IllegalArgumentException("need at least one seed");
        }
        int perImage = valuesPerImage(imageShape);
        float[] data = new float[Math.multiplyExact(seeds.length, perImage)];
        for (int i = 0; i < seeds.length; i++) {
            fill(seeds[i], stream, data, i * perImage, perImage);
        }
        long[] shape = new long[imageShape.length + 1];
        shape[0] = seeds.length;
        for (int d = 0; d < imageShape.length; d++) {
            shape[d + 1] = imageShape[d];
        }
        return Nd4j.create(data, shape, 'c');
    }

    /** The noise of one image as a flat array: the same values {@link #gaussian} puts in that image's slot. */
    public static float[] gaussian(long seed, long stream, int length) {
        float[] out = new float[length];
        fill(seed, stream, out, 0, length);
        return out;
    }

    /**
     * A well-spread per-image seed from a run seed and the image's index (for jobs that number images);
     * nearby indices or run seeds give unrelated noise.
     */
    public static long seedFor(long runSeed, long imageIndex) {
        return mix64(mix64(runSeed) + GOLDEN_GAMMA * (imageIndex + 1));
    }

    /** Marsaglia's polar method in double, two values per accepted pair, cast to float. */
    private static void fill(long seed, long stream, float[] out, int offset, int length) {
        SplittableRandom random = generator(seed, stream);
        int end = offset + length;
        int i = offset;
        while (i < end) {
            double u;
            double v;
            double s;
            do {
                u = 2.0 * random.nextDouble() - 1.0;
                v = 2.0 * random.nextDouble() - 1.0;
                s = u * u + v * v;
            } while (s >= 1.0 || s == 0.0);
            double factor = Math.sqrt(-2.0 * Math.log(s) / s);
            out[i++] = (float) (u * factor);
            if (i < end) {
                out[i++] = (float) (v * factor);
            }
        }
    }

    /**
     * One generator per (seed, stream). The key mixes both through SplitMix64's finalizer; split() then
     * gives the generator its own gamma (increment), so two keys can never yield shifted copies of
     * one sequence, as two SplittableRandoms with the default gamma would.
     */
    private static SplittableRandom generator(long seed, long stream) {
        long key = mix64(mix64(seed) ^ mix64(stream + GOLDEN_GAMMA));
        return new SplittableRandom(key).split();
    }

    /** Stafford's variant 13 of the MurmurHash3 finalizer (the one SplittableRandom uses). */
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static int valuesPerImage(int[] imageShape) {
        if (imageShape == null || imageShape.length == 0) {
            throw new IllegalArgumentException("image shape must be given, e.g. [C, H, W]");
        }
        int n = 1;
        for (int d : imageShape) {
            if (d < 1) {
                throw new IllegalArgumentException("image dimensions must be positive, got " + Arrays.toString(imageShape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }
}
