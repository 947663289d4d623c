package io.sparkdiffusion.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.RealMatrix;
import org.junit.jupiter.api.Test;

class FrechetDistanceTest {

    @Test
    void jacobiDecomposesASymmetricMatrix() {
        double[][] a = randomCovariance(12, new SplittableRandom(1));
        SymmetricEigen eigen = SymmetricEigen.of(a);
        double[][] v = eigen.vectors();
        for (int i = 0; i < 12; i++) {
            for (int k = 0; k < 12; k++) {
                double av = 0;
                double vtv = 0;
                for (int j = 0; j < 12; j++) {
                    av += a[i][j] * v[j][k];
                    vtv += v[j][i] * v[j][k];
                }
                assertEquals(eigen.values()[k] * v[i][k], av, 1e-10, "A v = λ v");
                assertEquals(i == k ? 1 : 0, vtv, 1e-12, "V is orthonormal");
            }
        }
        double[][] sqrt = eigen.apply(Math::sqrt);
        double[][] square = FrechetDistance.multiply(sqrt, sqrt);
        for (int i = 0; i < 12; i++) {
            for (int j = 0; j < 12; j++) {
                assertEquals(a[i][j], square[i][j], 1e-10, "sqrt(A)² = A");
            }
        }
    }

    @Test
    void diagonalGaussiansMatchTheClosedForm() {
        // For diagonal Σ₁, Σ₂: FD = Σ (μ₁ − μ₂)² + Σ (σ₁ − σ₂)².
        double[] m1 = {0, 1, -2, 0.5};
        double[] m2 = {1, 1, 0, -0.5};
        double[] v1 = {1, 4, 0.25, 9};
        double[] v2 = {4, 1, 0.25, 0.01};
        double expected = 1 + 0 + 4 + 1 + (1 - 2) * (1 - 2) + (2 - 1) * (2 - 1) + 0 + (3 - 0.1) * (3 - 0.1);
        assertEquals(expected, FrechetDistance.between(m1, diagonal(v1), m2, diagonal(v2)), 1e-12);
    }

    @Test
    void commutingNonDiagonalCovariancesMatchTheClosedForm() {
        // Σᵢ = R diag(aᵢ) Rᵀ with one rotation R: Tr(Σ₁Σ₂)^½ = Σ √(a₁ a₂), so FD = ‖Δμ‖² + Σ (√a₁ − √a₂)².
        SplittableRandom random = new SplittableRandom(2);
        int n = 6;
        double[][] r = randomRotation(n, random);
        double[] a1 = {0.5, 1, 2, 3, 0.1, 7};
        double[] a2 = {2, 1, 0.5, 0.2, 0.1, 1};
        double[] m1 = new double[n];
        double[] m2 = new double[n];
        double expected = 0;
        for (int i = 0; i < n; i++) {
            m1[i] = random.nextDouble(-1, 1);
            m2[i] = random.nextDouble(-1, 1);
            expected += (m1[i] - m2[i]) * (m1[i] - m2[i]) + Math.pow(Math.sqrt(a1[i]) - Math.sqrt(a2[i]), 2);
        }
        double[][] s1 = conjugate(r, diagonal(a1));
        double[][] s2 = conjugate(r, diagonal(a2));
        assertTrue(Math.abs(s1[0][1]) > 1e-3, "the test covariances are not diagonal");
        assertEquals(expected, FrechetDistance.between(m1, s1, m2, s2), 1e-10);
    }

    @Test
    void nonCommutingTwoByTwoMatchesTheTraceDeterminantFormula() {
        // For 2×2 PSD products with eigenvalues λ₁, λ₂ ≥ 0: (√λ₁ + √λ₂)² = tr + 2√det, det(Σ₁Σ₂) = det Σ₁ · det Σ₂.
        double[][] s1 = {{2, 0.9}, {0.9, 1}};
        double[][] s2 = {{0.5, -0.3}, {-0.3, 3}};
        double trProduct = s1[0][0] * s2[0][0] + s1[0][1] * s2[1][0] + s1[1][0] * s2[0][1] + s1[1][1] * s2[1][1];
        double det1 = s1[0][0] * s1[1][1] - s1[0][1] * s1[1][0];
        double det2 = s2[0][0] * s2[1][1] - s2[0][1] * s2[1][0];
        double traceSqrt = Math.sqrt(trProduct + 2 * Math.sqrt(det1 * det2));
        double expected = 1 + 4 + (2 + 1) + (0.5 + 3) - 2 * traceSqrt;
        assertEquals(expected, FrechetDistance.between(new double[]{1, 0}, s1, new double[]{0, 2}, s2), 1e-12);

        // a singular Σ₁ (rank 1): det = 0, so Tr(Σ₁Σ₂)^½ = √tr(Σ₁Σ₂)
        double[][] singular = {{1, 2}, {2, 4}};
        double tr = 1 * 0.5 + 2 * -0.3 + 2 * -0.3 + 4 * 3;
        assertEquals(5 + 3.5 - 2 * Math.sqrt(tr), FrechetDistance.between(new double[2], singular, new double[2], s2), 1e-12);
    }

    @Test
    void largerNonCommutingCaseMatchesAnEigenvalueSolverOfTheProductItself() {
        // Independent route: the (real, non-negative) eigenvalues of the non-symmetric Σ₁Σ₂ from commons-math.
        SplittableRandom random = new SplittableRandom(3);
        int n = 16;
        double[][] s1 = randomCovariance(n, random);
        double[][] s2 = randomCovariance(n, random);
        double[] m1 = new double[n];
        double[] m2 = new double[n];
        double meanTerm = 0;
        for (int i = 0; i < n; i++) {
            m1[i] = random.nextDouble(-2, 2);
            m2[i] = random.nextDouble(-2, 2);
            meanTerm += (m1[i] - m2[i]) * (m1[i] - m2[i]);
        }
        RealMatrix product = MatrixUtils.createRealMatrix(s1).multiply(MatrixUtils.createRealMatrix(s2));
        double traceSqrt = 0;
        for (double lambda : new EigenDecomposition(product).getRealEigenvalues()) {
            traceSqrt += Math.sqrt(Math.max(lambda, 0));
        }
        double expected = meanTerm + FrechetDistance.trace(s1) + FrechetDistance.trace(s2) - 2 * traceSqrt;
        assertEquals(expected, FrechetDistance.between(m1, s1, m2, s2), 1e-8 * expected);
    }

    @Test
    void aSetAgainstItselfIsZeroAndTheDistanceIsSymmetric() {
        SplittableRandom random = new SplittableRandom(4);
        int n = 32;
        FeatureStatistics a = new FeatureStatistics(n);
        FeatureStatistics b = new FeatureStatistics(n);
        for (int k = 0; k < 500; k++) {
            a.add(randomVector(n, random, 0));
            b.add(randomVector(n, random, 0.3));
        }
        double self = FrechetDistance.between(a, a);
        double ab = FrechetDistance.between(a, b);
        assertTrue(self < 1e-9 * ab, "FD(a, a) = " + self + " vs FD(a, b) = " + ab);
        assertEquals(ab, FrechetDistance.between(b, a), 1e-10 * ab);
    }

    @Test
    void statisticsOfSamplesFromKnownGaussiansApproachTheirDistance() {
        // N((0,0,0), diag(1,4,1)) vs N((1,0,0), diag(1,1,0.25)): FD = 1 + 0 + (2−1)² + (1−0.5)² = 2.25
        SplittableRandom random = new SplittableRandom(5);
        FeatureStatistics a = new FeatureStatistics(3);
        FeatureStatistics b = new FeatureStatistics(3);
        for (int k = 0; k < 200_000; k++) {
            a.add(new double[]{gaussian(random), 2 * gaussian(random), gaussian(random)});
            b.add(new double[]{1 + gaussian(random), gaussian(random), 0.5 * gaussian(random)});
        }
        assertEquals(2.25, FrechetDistance.between(a, b), 0.03);
    }

    static double gaussian(SplittableRandom random) {
        // Box–Muller
        double u = 1 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    /** A correlated vector: shared factors plus noise, shifted by {@code shift}. */
    private static double[] randomVector(int n, SplittableRandom random, double shift) {
        double f1 = gaussian(random);
        double f2 = gaussian(random);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = shift * i / n + f1 * Math.sin(i) + f2 * (i % 3) + 0.5 * gaussian(random);
        }
        return x;
    }

    static double[][] diagonal(double[] values) {
        double[][] d = new double[values.length][values.length];
        for (int i = 0; i < values.length; i++) {
            d[i][i] = values[i];
        }
        return d;
    }

    /** B Bᵀ / n + 0.01 I for a random B: symmetric positive definite, not diagonal. */
    static double[][] randomCovariance(int n, SplittableRandom random) {
        double[][] b = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                b[i][j] = random.nextDouble(-1, 1);
            }
        }
        double[][] c = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < n; k++) {
                    c[i][j] += b[i][k] * b[j][k] / n;
                }
            }
            c[i][i] += 0.01;
        }
        return c;
    }

    /** A random orthogonal matrix: Gram–Schmidt on random columns. */
    private static double[][] randomRotation(int n, SplittableRandom random) {
        double[][] q = new double[n][n];
        for (int k = 0; k < n; k++) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = random.nextDouble(-1, 1);
            }
            for (int j = 0; j < k; j++) {
                double dot = 0;
                for (int i = 0; i < n; i++) {
                    dot += v[i] * q[i][j];
                }
                for (int i = 0; i < n; i++) {
                    v[i] -= dot * q[i][j];
                }
            }
            double norm = 0;
            for (double x : v) {
                norm += x * x;
            }
            for (int i = 0; i < n; i++) {
                q[i][k] = v[i] / Math.sqrt(norm);
            }
        }
        return q;
    }

    /** R D Rᵀ. */
    private static double[][] conjugate(double[][] r, double[][] d) {
        int n = r.length;
        double[][] rt = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                rt[i][j] = r[j][i];
            }
        }
        return FrechetDistance.multiply(FrechetDistance.multiply(r, d), rt);
    }
}
