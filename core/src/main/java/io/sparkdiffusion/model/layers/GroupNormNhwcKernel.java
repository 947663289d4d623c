package io.sparkdiffusion.model.layers;

import java.util.Arrays;

/**
 * The forward pass of {@link GroupNormKernel} on FLOAT NHWC activations [N, H·W, C] (the layout of the sampling
 * network's NHWC twin). A sample's H·W·C values are copied into a float[] once; the loops run over tiles of
 * k whole positions (k·C values, ~1,000) against per-channel arrays repeated k times, so they are long, unit-stride
 * and vectorizable although a group's channels are interleaved with the others'.
 */
final class GroupNormNhwcKernel {

    private static final int TILE_VALUES = 1024;

    private final int channels;
    private final int groups;
    private final int perGroup;
    private final int hw;
    private final int tile;
    private final float eps;
    private final boolean silu;

    GroupNormNhwcKernel(long channels, int groups, long hw, double eps, boolean silu) {
        if (channels * hw > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("GroupNorm sample of " + channels + " x " + hw + " is too large");
        }
        this.channels = (int) channels;
        this.groups = groups;
        this.perGroup = (int) channels / groups;
        this.hw = (int) hw;
        int positionsPerTile = (int) Math.max(1, Math.min(hw, TILE_VALUES / channels));
        this.tile = positionsPerTile * this.channels;
        this.eps = (float) eps;
        this.silu = silu;
    }

    /** y for samples [from, to) of x. */
    void forward(NativeFloats x, NativeFloats y, float[] gamma, float[] beta, int from, int to) {
        int sampleSize = hw * channels;
        float[] sample = new float[sampleSize];
        float[] acc = new float[tile];
        float[] shiftT = new float[tile];
        float[] scaleT = new float[tile];
        float[] groupMean = new float[groups];
        float[] groupRstd = new float[groups];
        float count = (float) perGroup * hw;
        for (int n = from; n < to; n++) {
            long base = (long) n * sampleSize;
            x.read(base, sample, 0, sampleSize);

            sumsPerGroup(sample, null, acc, groupMean);
            for (int g = 0; g < groups; g++) {
                groupMean[g] /= count;
            }
            for (int j = 0; j < tile; j++) {
                shiftT[j] = groupMean[(j % channels) / perGroup];
            }
            sumsPerGroup(sample, shiftT, acc, groupRstd);
            for (int g = 0; g < groups; g++) {
                groupRstd[g] = (float) (1.0 / Math.sqrt(groupRstd[g] / count + eps));
            }
            for (int j = 0; j < tile; j++) {
                int ch = j % channels;
                int g = ch / perGroup;
                scaleT[j] = gamma[ch] * groupRstd[g];
                shiftT[j] = beta[ch] - groupMean[g] * scaleT[j];
            }
            for (int start = 0; start < sampleSize; start += tile) {
                int len = Math.min(tile, sampleSize - start);
                for (int j = 0; j < len; j++) {
                    sample[start + j] = sample[start + j] * scaleT[j] + shiftT[j];
                }
            }
            if (silu) {
                FastSigmoid.siluInPlace(sample);
            }
            y.write(base, sample, 0, sampleSize);
        }
    }

    /**
     * Per group into out[g]: Σ x over the sample's positions and the group's channels, or Σ (x − meanT)² when meanT (the
     * group means repeated like a tile) is given. acc: scratch of one tile.
     */
    private void sumsPerGroup(float[] sample, float[] meanT, float[] acc, float[] out) {
        Arrays.fill(acc, 0f);
        int sampleSize = hw * channels;
        for (int start = 0; start < sampleSize; start += tile) {
            int len = Math.min(tile, sampleSize - start);
            if (meanT == null) {
                for (int j = 0; j < len; j++) {
                    acc[j] += sample[start + j];
                }
            } else {
                for (int j = 0; j < len; j++) {
                    float d = sample[start + j] - meanT[j];
                    acc[j] += d * d;
                }
            }
        }
        Arrays.fill(out, 0f);
        for (int j = 0; j < tile; j++) {
            out[(j % channels) / perGroup] += acc[j];
        }
    }
}
