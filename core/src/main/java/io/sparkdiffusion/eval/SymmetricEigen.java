package io.sparkdiffusion.eval;

/**
 * Eigendecomposition of a real symmetric matrix by cyclic Jacobi rotations, in double precision: A = V·diag(λ)·Vᵀ.
 *
 * <p>Jacobi is slow for large matrices (O(n³) per sweep) but accurate, also for tiny eigenvalues, and short;
 * the matrices here are feature covariances of at most a few hundred rows, decomposed twice per evaluation.
 *
 * @param values  eigenvalues λ, in no particular order
 * @param vectors eigenvectors as columns: {@code vectors[i][k]} is component i of eigenvector k
 */
public record SymmetricEigen(double[] values, double[][] vectors) {
    private static final int MAX_SWEEPS = 100;

    /** Decomposes {@code a} (n×n, symmetric; only read, not changed). */
    public static SymmetricEigen of(double[][] a) {
        int n = a.length;
        double[][] m = new double[n][];
        double total = 0;
        for (int i = 0; i < n; i++) {
            if (a[i].length != n) {
                throw new IllegalArgumentException("expected a square matrix, row " + i + " has " + a[i].length
                        + " entries for " + n + " rows");
            }
            m[i] = a[i].clone();
            for (int j = 0; j < n; j++) {
                if (Math.abs(a[i][j] - a[j][i]) > 1e-9 * (Math.abs(a[i][j]) + Math.abs(a[j][i])) + 1e-300) {
                    throw new IllegalArgumentException("matrix is not symmetric at (" + i + ", " + j + ")");
                }
                total += a[i][j] * a[i][j];
            }
        }
        double[][] v = identity(n);
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            double off = 0;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    off += m[p][q] * m[p][q];
                }
            }
            // Converged when what is left off the diagonal is at rounding level of the whole matrix.
            if (off == 0 || off <= 1e-32 * total) {
                break;
            }
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    if (m[p][q] != 0) {
                        rotate(m, v, p, q);
                    }
                }
            }
        }
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = m[i][i];
        }
        return new SymmetricEigen(values, v);
    }

    /** The rotation in the (p, q) plane that zeroes m[p][q]: m ← Jᵀ m J, v ← v J (Numerical Recipes §11.1). */
    private static void rotate(double[][] m, double[][] v, int p, int q) {
        int n = m.length;
        double theta = (m[q][q] - m[p][p]) / (2 * m[p][q]);
        double t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        if (Double.isInfinite(theta)) {
            t = 1 / (2 * theta); // theta² overflowed: t → 1/(2θ)
        }
        double c = 1 / Math.sqrt(t * t + 1);
        double s = t * c;
        for (int k = 0; k < n; k++) { // columns p, q
            double kp = m[k][p];
            double kq = m[k][q];
            m[k][p] = c * kp - s * kq;
            m[k][q] = s * kp + c * kq;
        }
        for (int k = 0; k < n; k++) { // rows p, q
            double pk = m[p][k];
            double qk = m[q][k];
            m[p][k] = c * pk - s * qk;
            m[q][k] = s * pk + c * qk;
        }
        m[p][q] = 0;
        m[q][p] = 0;
        for (int k = 0; k < n; k++) {
            double kp = v[k][p];
            double kq = v[k][q];
            v[k][p] = c * kp - s * kq;
            v[k][q] = s * kp + c * kq;
        }
    }

    /**
     * V·diag(f(λ))·Vᵀ: a function of the matrix, e.g. its square root with f = √max(λ, 0).
     */
    public double[][] apply(java.util.function.DoubleUnaryOperator f) {
        int n = values.length;
        double[] fv = new double[n];
        for (int k = 0; k < n; k++) {
            fv[k] = f.applyAsDouble(values[k]);
        }
        double[][] out = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                double sum = 0;
                for (int k = 0; k < n; k++) {
                    sum += vectors[i][k] * fv[k] * vectors[j][k];
                }
                out[i][j] = sum;
                out[j][i] = sum;
            }
        }
        return out;
    }

    private static double[][] identity(int n) {
        double[][] id = new double[n][n];
        for (int i = 0; i < n; i++) {
            id[i][i] = 1;
        }
        return id;
    }
}
