package io.sparkdiffusion.model.layers;

/**
 * Group normalization with an optional fused SiLU on FLOAT NCHW activations, as plain Java loops that C2 vectorizes.
 * Each (sample, group) block of C/G·H·W values is copied into a float[] once (memcpy), normalized, activated and
 * copied out, so the activations cross main memory once in and once out; the statistics and all other passes run on
 * the block while it sits in the L1/L2 cache. With z = x·a + b (a = γ·rstd, b = β − mean·a, per channel):
 * <pre>
 *   forward   y = silu(z) (or z)
 *   backward  dz = dy·silu'(z) = dy·s·(1 + z·(1 − s)), s = sigmoid(z)      (or dz = dy)
 *             db_c = Σ_hw dz, ds_c = Σ_hw dz·x
 *             dβ_c += db_c, dγ_c += (ds_c − mean·db_c)·rstd
 *             dx = a·dz + c2·x + c3, c2 = (mean·Σ_g γ db − Σ_g γ ds)·rstd³/M, c3 = −c2·mean − rstd·Σ_g γ db/M
 * </pre>
 * (the same as {@link GroupNormLayer}'s ND4J formulation; z is recomputed in backward instead of being stored).
 * One instance per layer call; its methods work on a range of samples so that threads can split a batch.
 */
final class GroupNormKernel {

    private final int channels;
    private final int groups;
    private final int perGroup;
    private final int hw;
    private final int blockSize;
    private final float eps;
    private final boolean silu;

    GroupNormKernel(long channels, int groups, long hw, double eps, boolean silu) {
        if ((channels / groups) * hw > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("GroupNorm block of " + channels / groups + " x " + hw + " is too large");
        }
        this.channels = (int) channels;
        this.groups = groups;
        this.perGroup = (int) channels / groups;
        this.hw = (int) hw;
        this.blockSize = perGroup * (int) hw;
        this.eps = (float) eps;
        this.silu = silu;
    }

    /** y for samples [from, to) of x; the per-(sample, group) mean and rstd go to mean[], rstd[] ([N·G]). */
    void forward(NativeFloats x, NativeFloats y, float[] gamma, float[] beta, float[] mean, float[] rstd,
                 int from, int to) {
        float[] block = new float[blockSize];
        for (int n = from; n < to; n++) {
            for (int g = 0; g < groups; g++) {
                long base = ((long) n * channels + (long) g * perGroup) * hw;
                x.read(base, block, 0, blockSize);
                int stat = n * groups + g;
                statistics(block, mean, rstd, stat);
                float mu = mean[stat];
                float r = rstd[stat];
                for (int k = 0; k < perGroup; k++) {
                    int ch = g * perGroup + k;
                    float a = gamma[ch] * r;
                    float b = beta[ch] - mu * a;
                    for (int j = k * hw, end = j + hw; j < end; j++) {
                        block[j] = block[j] * a + b;
                    }
                }
                if (silu) {
                    FastSigmoid.siluInPlace(block);
                }
                y.write(base, block, 0, blockSize);
            }
        }
    }

    /**
     * dx for samples [from, to), and their share of the parameter gradients added into dGamma[], dBeta[] ([C]).
     * {@code mean}/{@code rstd}: the forward pass's statistics of x, or null to compute them here.
     */
    void backward(NativeFloats x, NativeFloats dy, NativeFloats dx, float[] gamma, float[] beta, float[] mean,
                  float[] rstd, double[] dGamma, double[] dBeta, int from, int to) {
        float[] xb = new float[blockSize];
        float[] dz = new float[blockSize];
        float[] sums = new float[2];
        float[] ownMean = mean == null ? new float[1] : null;
        float[] ownRstd = mean == null ? new float[1] : null;
        double invM = 1.0 / blockSize;
        for (int n = from; n < to; n++) {
            for (int g = 0; g < groups; g++) {
                long base = ((long) n * channels + (long) g * perGroup) * hw;
                x.read(base, xb, 0, blockSize);
                dy.read(base, dz, 0, blockSize);
                float mu;
                float r;
                if (mean == null) {
                    statistics(xb, ownMean, ownRstd, 0);
                    mu = ownMean[0];
                    r = ownRstd[0];
                } else {
                    mu = mean[n * groups + g];
                    r = rstd[n * groups + g];
                }
                double gammaDb = 0;
                double gammaDs = 0;
                for (int k = 0; k < perGroup; k++) {
                    int ch = g * perGroup + k;
                    float a = gamma[ch] * r;
                    float b = beta[ch] - mu * a;
                    int off = k * hw;
                    if (silu) { // dz = dy·silu'(z) in place of dy
                        for (int j = off, end = off + hw; j < end; j++) {
                            float z = xb[j] * a + b;
                            float s = FastSigmoid.sigmoid(z);
                            dz[j] = dz[j] * s * (1f + z * (1f - s));
                        }
                    }
                    FloatSums.sumAndDot(dz, xb, off, hw, sums);
                    double db = sums[0];
                    double ds = sums[1];
                    dBeta[ch] += db;
                    dGamma[ch] += (ds - mu * db) * r;
                    gammaDb += gamma[ch] * db;
                    gammaDs += gamma[ch] * ds;
                }
                double r3 = (double) r * r * r;
                float c2 = (float) ((mu * gammaDb - gammaDs) * r3 * invM);
                float c3 = (float) (-c2 * (double) mu - r * gammaDb * invM);
                for (int k = 0; k < perGroup; k++) {
                    float a = gamma[g * perGroup + k] * r;
                    for (int j = k * hw, end = j + hw; j < end; j++) {
                        xb[j] = a * dz[j] + c2 * xb[j] + c3;
                    }
                }
                dx.write(base, xb, 0, blockSize);
            }
        }
    }

    /** mean and 1/sqrt(var + eps) of one block into mean[at], rstd[at] (two passes: no cancellation). */
    private void statistics(float[] block, float[] mean, float[] rstd, int at) {
        float mu = FloatSums.sum(block, 0, blockSize) / blockSize;
        float variance = FloatSums.sumOfSquares(block, 0, blockSize, mu) / blockSize;
        mean[at] = mu;
        rstd[at] = (float) (1.0 / Math.sqrt(variance + eps));
    }
}
