package io.sparkdiffusion.bench;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Running sums over K gradients g_i of batches of b images, and the unbiased estimates they give: with ḡ the mean,
 * tr Σ_b = (Σ|g_i|² − K|ḡ|²) / (K − 1) is the trace of one batch gradient's covariance, |G|² = |ḡ|² − tr Σ_b / K
 * the true gradient's squared norm, and b · tr Σ_b the trace of one image's gradient covariance. Sums in double:
 * the signal is a small difference of large sums.
 */
final class NoiseScaleSums {
    private final INDArray sum;
    private double sumOfSquaredNorms;
    private int count;

    NoiseScaleSums(long parameters) {
        sum = Nd4j.zeros(DataType.DOUBLE, parameters);
    }

    /** Adds one batch's gradient (any shape holding the parameters' count of values; copied). */
    void add(INDArray gradient) {
        INDArray g = gradient.castTo(DataType.DOUBLE).reshape(sum.length());
        double norm = g.norm2Number().doubleValue();
        sumOfSquaredNorms += norm * norm;
        sum.addi(g);
        count++;
    }

    /** |G|², the squared norm of the expected gradient. */
    double signal() {
        return meanNormSquared() - batchCovarianceTrace() / count;
    }

    /** tr Σ of one image's gradient, for batches of {@code batchSize} images. */
    double noisePerImage(int batchSize) {
        return batchSize * batchCovarianceTrace();
    }

    private double batchCovarianceTrace() {
        if (count < 2) {
            throw new IllegalStateException("the noise scale needs at least 2 gradients, got " + count);
        }
        return (sumOfSquaredNorms - count * meanNormSquared()) / (count - 1);
    }

    private double meanNormSquared() {
        double meanNorm = sum.norm2Number().doubleValue() / count;
        return meanNorm * meanNorm;
    }
}
