package io.sparkdiffusion.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class FeatureStatisticsTest {

    private static double[][] vectors(int count, int d, SplittableRandom random, boolean integers) {
        double[][] x = new double[count][d];
        for (int k = 0; k < count; k++) {
            for (int i = 0; i < d; i++) {
                x[k][i] = integers ? random.nextInt(-20, 21) : random.nextDouble(-3, 5) * (1 + i % 4);
            }
        }
        return x;
    }

    private static FeatureStatistics onePass(double[][] x) {
        FeatureStatistics s = new FeatureStatistics(x[0].length);
        for (double[] v : x) {
            s.add(v);
        }
        return s;
    }

    /** Partitions of sizes 37, 0, 100, 63 summarized as float batches (as executors do), then added up. */
    private static FeatureStatistics merged(double[][] x) {
        int d = x[0].length;
        FeatureStatistics total = new FeatureStatistics(d);
        int start = 0;
        for (int size : new int[]{37, 0, 100, 63}) {
            FeatureStatistics part = new FeatureStatistics(d);
            if (size > 0) {
                double[][] rows = java.util.Arrays.copyOfRange(x, start, start + size);
                part.add(Nd4j.create(rows).castTo(DataType.FLOAT));
            }
            total.add(part);
            start += size;
        }
        return total;
    }

    @Test
    void mergedPartitionsEqualOnePassExactlyForIntegerFeatures() {
        double[][] x = vectors(200, 7, new SplittableRandom(1), true);
        FeatureStatistics one = onePass(x);
        FeatureStatistics parts = merged(x);
        assertEquals(one.count(), parts.count());
        assertArrayEquals(one.sum(), parts.sum(), 0.0);
        assertArrayEquals(one.sumOuter(), parts.sumOuter(), 0.0);
    }

    @Test
    void mergedPartitionsEqualOnePassUpToRoundingAndGiveTheSampleMeanAndCovariance() {
        double[][] x = vectors(200, 5, new SplittableRandom(2), false);
        // the batches go through float, as network features do: round the reference the same way
        for (double[] v : x) {
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) v[i];
            }
        }
        FeatureStatistics parts = merged(x);
        double[] mean = new double[5];
        for (double[] v : x) {
            for (int i = 0; i < 5; i++) {
                mean[i] += v[i] / x.length;
            }
        }
        double[][] cov = new double[5][5];
        for (double[] v : x) {
            for (int i = 0; i < 5; i++) {
                for (int j = 0; j < 5; j++) {
                    cov[i][j] += (v[i] - mean[i]) * (v[j] - mean[j]) / (x.length - 1);
                }
            }
        }
        assertArrayEquals(mean, parts.mean(), 1e-12);
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(cov[i], parts.covariance()[i], 1e-11);
        }
        assertArrayEquals(onePass(x).sumOuter(), parts.sumOuter(), 1e-9);
    }

    @Test
    void refusesVectorsOfAnotherDimensionAndTooFewForACovariance() {
        FeatureStatistics s = new FeatureStatistics(3);
        assertThrows(IllegalArgumentException.class, () -> s.add(new double[2]));
        INDArray wrong = Nd4j.zeros(DataType.FLOAT, 4, 2);
        assertThrows(IllegalArgumentException.class, () -> s.add(wrong));
        s.add(new double[3]);
        assertThrows(IllegalStateException.class, s::covariance);
    }
}
