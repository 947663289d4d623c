package io.sparkdiffusion.sampling;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Mean and standard deviation of all values of an array, in double. */
record SampleStats(double mean, double std, long count) {
    static SampleStats of(INDArray x) {
        double[] v = x.dup().data().asDouble();
        double sum = 0;
        for (double d : v) {
            sum += d;
        }
        double mean = sum / v.length;
        double squares = 0;
        for (double d : v) {
            squares += (d - mean) * (d - mean);
        }
        return new SampleStats(mean, Math.sqrt(squares / (v.length - 1)), v.length);
    }

    /** k standard errors of the mean for data of standard deviation sigma. */
    double meanTolerance(double sigma, double k) {
        return k * sigma / Math.sqrt(count);
    }

    /** k standard errors of the sample standard deviation (Gaussian data): σ/√(2n). */
    double stdTolerance(double sigma, double k) {
        return k * sigma / Math.sqrt(2.0 * count);
    }
}
