package io.sparkdiffusion.eval;

import java.io.Serializable;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The sufficient statistics of a set of feature vectors for a Gaussian fit: count n, Σx and Σxxᵀ, in double.
 * Two partial statistics {@link #add(FeatureStatistics) add} up to those of the union, so executors summarize
 * their partitions and the driver adds the summaries (up to the order of double additions: integer-valued
 * features give bit-identical sums in any order).
 */
public final class FeatureStatistics implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int dimension;
    private long count;
    private final double[] sum;
    /** Σxxᵀ, row-major d×d. */
    private final double[] sumOuter;

    public FeatureStatistics(int dimension) {
        if (dimension < 1) {
            throw new IllegalArgumentException("feature dimension must be positive, got " + dimension);
        }
        this.dimension = dimension;
        this.sum = new double[dimension];
        this.sumOuter = new double[dimension * dimension];
    }

    public int dimension() {
        return dimension;
    }

    public long count() {
        return count;
    }

    /** Adds one feature vector. */
    public FeatureStatistics add(double[] x) {
        checkDimension(x.length);
        count++;
        for (int i = 0; i < dimension; i++) {
            sum[i] += x[i];
            double xi = x[i];
            int row = i * dimension;
            for (int j = 0; j < dimension; j++) {
                sumOuter[row + j] += xi * x[j];
            }
        }
        return this;
    }

    /** Adds a batch of feature vectors, one per row of {@code features} [N, d] (any data type; summed in double). */
    public FeatureStatistics add(INDArray features) {
        if (features.rank() != 2) {
            throw new IllegalArgumentException("expected features [N, d], got shape "
                    + java.util.Arrays.toString(features.shape()));
        }
        checkDimension((int) features.size(1));
        INDArray x = features.castTo(DataType.DOUBLE);
        double[] columnSums = x.sum(0).toDoubleVector();
        double[] outer = x.transpose().mmul(x).dup('c').data().asDouble();
        for (int i = 0; i < dimension; i++) {
            sum[i] += columnSums[i];
        }
        for (int i = 0; i < outer.length; i++) {
            sumOuter[i] += outer[i];
        }
        count += x.size(0);
        return this;
    }

    /** Adds another set's statistics to these (the statistics of the union); returns this. */
    public FeatureStatistics add(FeatureStatistics other) {
        checkDimension(other.dimension);
        count += other.count;
        for (int i = 0; i < dimension; i++) {
            sum[i] += other.sum[i];
        }
        for (int i = 0; i < sumOuter.length; i++) {
            sumOuter[i] += other.sumOuter[i];
        }
        return this;
    }

    public double[] mean() {
        if (count == 0) {
            throw new IllegalStateException("no feature vectors: the mean is undefined");
        }
        double[] mean = new double[dimension];
        for (int i = 0; i < dimension; i++) {
            mean[i] = sum[i] / count;
        }
        return mean;
    }

    /** The unbiased sample covariance (divided by n − 1, as numpy's {@code cov} that FID uses), exactly symmetric. */
    public double[][] covariance() {
        if (count < 2) {
            throw new IllegalStateException("a covariance needs at least 2 feature vectors, have " + count);
        }
        double[] mean = mean();
        double[][] cov = new double[dimension][dimension];
        for (int i = 0; i < dimension; i++) {
            for (int j = i; j < dimension; j++) {
                double c = (sumOuter[i * dimension + j] - count * mean[i] * mean[j]) / (count - 1);
                cov[i][j] = c;
                cov[j][i] = c;
            }
        }
        return cov;
    }

    /** Σx (a copy). */
    public double[] sum() {
        return sum.clone();
    }

    /** Σxxᵀ, row-major (a copy). */
    public double[] sumOuter() {
        return sumOuter.clone();
    }

    private void checkDimension(int d) {
        if (d != dimension) {
            throw new IllegalArgumentException("expected feature vectors of dimension " + dimension + ", got " + d);
        }
    }
}
