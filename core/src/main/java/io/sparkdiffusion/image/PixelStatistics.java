package io.sparkdiffusion.image;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Per-channel mean and standard deviation of 8-bit images, accumulated exactly (integer sums of v and v²)
 * so that the result does not depend on how a corpus is partitioned or in which order partial sums are
 * merged. Reported on the [0, 1] scale (v / 255), population standard deviation. For the [−1, 1] scale the
 * models see: mean' = 2·mean − 1, std' = 2·std.
 */
public final class PixelStatistics implements Serializable {
    private static final long serialVersionUID = 1L;

    private final long[] sum;
    private final long[] sumOfSquares;
    private long valuesPerChannel;
    private long images;

    public PixelStatistics(int channels) {
        this.sum = new long[channels];
        this.sumOfSquares = new long[channels];
    }

    public int channels() {
        return sum.length;
    }

    public long images() {
        return images;
    }

    /** Adds one image with this statistic's channel count (CHW uint8). */
    public PixelStatistics add(byte[] chw) {
        int c = sum.length;
        if (chw.length % c != 0) {
            throw new IllegalArgumentException(chw.length + " values do not split into " + c + " channels");
        }
        int n = chw.length / c;
        for (int ch = 0; ch < c; ch++) {
            long s = 0;
            long q = 0;
            for (int i = ch * n, end = i + n; i < end; i++) {
                int v = chw[i] & 0xFF;
                s += v;
                q += v * v;
            }
            sum[ch] += s;
            sumOfSquares[ch] += q;
        }
        valuesPerChannel += n;
        images++;
        return this;
    }

    /** Per channel: the sum of the values added (what {@link #addImage} takes back). */
    public long[] sums() {
        return sum.clone();
    }

    /** Per channel: the sum of the squared values added. */
    public long[] sumsOfSquares() {
        return sumOfSquares.clone();
    }

    /**
     * Adds one image known only by its sums (an incremental prepare keeps them per file, so that a removed image can
     * leave the statistics without being read again).
     */
    public PixelStatistics addImage(long[] imageSum, long[] imageSumOfSquares, long valuesPerChannel) {
        if (imageSum.length != sum.length || imageSumOfSquares.length != sum.length) {
            throw new IllegalArgumentException("sums of " + imageSum.length + " channels, statistics of " + sum.length);
        }
        for (int ch = 0; ch < sum.length; ch++) {
            sum[ch] += imageSum[ch];
            sumOfSquares[ch] += imageSumOfSquares[ch];
        }
        this.valuesPerChannel += valuesPerChannel;
        images++;
        return this;
    }

    /** Adds another partial result into this one. */
    public PixelStatistics merge(PixelStatistics other) {
        if (other.channels() != channels()) {
            throw new IllegalArgumentException("cannot merge statistics of " + other.channels() + " and " + channels() + " channels");
        }
        for (int ch = 0; ch < sum.length; ch++) {
            sum[ch] += other.sum[ch];
            sumOfSquares[ch] += other.sumOfSquares[ch];
        }
        valuesPerChannel += other.valuesPerChannel;
        images += other.images;
        return this;
    }

    /** Mean per channel on the [0, 1] scale; NaN when empty. */
    public double[] mean() {
        double[] mean = new double[sum.length];
        for (int ch = 0; ch < sum.length; ch++) {
            mean[ch] = (double) sum[ch] / valuesPerChannel / 255.0;
        }
        return mean;
    }

    /** Population standard deviation per channel on the [0, 1] scale; NaN when empty. */
    public double[] std() {
        double[] std = new double[sum.length];
        for (int ch = 0; ch < sum.length; ch++) {
            double n = valuesPerChannel;
            // n·Σv² − (Σv)² is exact in integers for any corpus that fits a long; avoids cancellation.
            double numerator = exactVarianceNumerator(ch);
            std[ch] = Math.sqrt(Math.max(0, numerator) / (n * n)) / 255.0;
        }
        return std;
    }

    private double exactVarianceNumerator(int ch) {
        java.math.BigInteger n = java.math.BigInteger.valueOf(valuesPerChannel);
        java.math.BigInteger s = java.math.BigInteger.valueOf(sum[ch]);
        return n.multiply(java.math.BigInteger.valueOf(sumOfSquares[ch])).subtract(s.multiply(s)).doubleValue();
    }

    @Override
    public String toString() {
        return "PixelStatistics{images=" + images + ", mean=" + Arrays.toString(mean()) + ", std=" + Arrays.toString(std()) + "}";
    }
}
