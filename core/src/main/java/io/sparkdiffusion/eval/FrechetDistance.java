package io.sparkdiffusion.eval;

/**
 * The Fréchet distance between two Gaussians N(μ₁, Σ₁) and N(μ₂, Σ₂), as in FID:
 * ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁Σ₂)^½).
 *
 * <p>Tr (Σ₁Σ₂)^½ is computed without a non-symmetric matrix square root: Σ₁Σ₂ is similar to the symmetric
 * positive semi-definite M = Σ₁^½ Σ₂ Σ₁^½, so its eigenvalues are M's, and the trace is Σ √λ(M). Both steps are
 * symmetric eigendecompositions in double precision; eigenvalues that rounding pushed below zero count as 0.
 */
public final class FrechetDistance {

    private FrechetDistance() {
    }

    public static double between(FeatureStatistics a, FeatureStatistics b) {
        if (a.dimension() != b.dimension()) {
            throw new IllegalArgumentException("feature dimensions differ: " + a.dimension() + " and " + b.dimension());
        }
        return between(a.mean(), a.covariance(), b.mean(), b.covariance());
    }

    /** The distance; never negative (a rounding-level negative result is returned as 0). */
    public static double between(double[] mean1, double[][] cov1, double[] mean2, double[][] cov2) {
        int n = mean1.length;
        if (mean2.length != n || cov1.length != n || cov2.length != n) {
            throw new IllegalArgumentException("means and covariances must all have dimension " + n);
        }
        double meanTerm = 0;
        for (int i = 0; i < n; i++) {
            double d = mean1[i] - mean2[i];
            meanTerm += d * d;
        }
        double[][] sqrt1 = SymmetricEigen.of(cov1).apply(lambda -> Math.sqrt(Math.max(lambda, 0)));
        double[][] m = multiply(multiply(sqrt1, cov2), sqrt1);
        symmetrize(m);
        double traceSqrt = 0;
        for (double lambda : SymmetricEigen.of(m).values()) {
            traceSqrt += Math.sqrt(Math.max(lambda, 0));
        }
        double distance = meanTerm + trace(cov1) + trace(cov2) - 2 * traceSqrt;
        return Math.max(distance, 0);
    }

    static double trace(double[][] m) {
        double t = 0;
        for (int i = 0; i < m.length; i++) {
            t += m[i][i];
        }
        return t;
    }

    static double[][] multiply(double[][] a, double[][] b) {
        int n = a.length;
        int inner = b.length;
        int cols = b[0].length;
        double[][] out = new double[n][cols];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < inner; k++) {
                double aik = a[i][k];
                if (aik == 0) {
                    continue;
                }
                for (int j = 0; j < cols; j++) {
                    out[i][j] += aik * b[k][j];
                }
            }
        }
        return out;
    }

    /** (M + Mᵀ)/2: the product of symmetric factors is symmetric in exact arithmetic, not after rounding. */
    private static void symmetrize(double[][] m) {
        for (int i = 0; i < m.length; i++) {
            for (int j = i + 1; j < m.length; j++) {
                double mean = 0.5 * (m[i][j] + m[j][i]);
                m[i][j] = mean;
                m[j][i] = mean;
            }
        }
    }
}
