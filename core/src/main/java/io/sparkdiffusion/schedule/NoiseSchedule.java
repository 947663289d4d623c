package io.sparkdiffusion.schedule;

/**
 * The tables of a discrete noise schedule, index t = 0 … T−1 (t = 0 is the least noisy step).
 *
 * <p>q(x_t | x_0) = N(√ᾱ_t · x_0, (1 − ᾱ_t) I). All tables are computed in double precision once; callers
 * read them and never change them.
 */
public final class NoiseSchedule {
    /** Nichol &amp; Dhariwal's offset s of the cosine schedule. */
    static final double COSINE_OFFSET = 0.008;
    /** Nichol &amp; Dhariwal clip β of the cosine schedule to avoid a singularity at t = T. */
    static final double COSINE_MAX_BETA = 0.999;

    private final ScheduleSpec spec;
    private final double[] betas;
    private final double[] alphas;
    private final double[] alphasBar;
    private final double[] sqrtAlphasBar;
    private final double[] sqrtOneMinusAlphasBar;
    private final double[] posteriorVariance;

    private NoiseSchedule(ScheduleSpec spec, double[] betas) {
        this.spec = spec;
        int n = betas.length;
        this.betas = betas;
        this.alphas = new double[n];
        this.alphasBar = new double[n];
        this.sqrtAlphasBar = new double[n];
        this.sqrtOneMinusAlphasBar = new double[n];
        this.posteriorVariance = new double[n];
        double product = 1.0;
        for (int t = 0; t < n; t++) {
            alphas[t] = 1.0 - betas[t];
            product *= alphas[t];
            alphasBar[t] = product;
            sqrtAlphasBar[t] = Math.sqrt(product);
            sqrtOneMinusAlphasBar[t] = Math.sqrt(1.0 - product);
            double alphaBarPrev = t == 0 ? 1.0 : alphasBar[t - 1];
            posteriorVariance[t] = betas[t] * (1.0 - alphaBarPrev) / (1.0 - product);
        }
    }

    public static NoiseSchedule of(ScheduleSpec spec) {
        return new NoiseSchedule(spec, switch (spec.kind()) {
            case LINEAR -> linearBetas(spec.timesteps(), spec.betaStart(), spec.betaEnd());
            case COSINE -> cosineBetas(spec.timesteps());
        });
    }

    static double[] linearBetas(int timesteps, double betaStart, double betaEnd) {
        double[] b = new double[timesteps];
        for (int t = 0; t < timesteps; t++) {
            b[t] = betaStart + (betaEnd - betaStart) * t / (timesteps - 1);
        }
        return b;
    }

    /** β_t = 1 − ᾱ(t+1)/ᾱ(t) with ᾱ(t) = cos²(((t/T) + s)/(1 + s) · π/2), clipped at 0.999. */
    static double[] cosineBetas(int timesteps) {
        double[] b = new double[timesteps];
        for (int t = 0; t < timesteps; t++) {
            double ratio = cosineAlphaBar((t + 1.0) / timesteps) / cosineAlphaBar((double) t / timesteps);
            b[t] = Math.min(1.0 - ratio, COSINE_MAX_BETA);
        }
        return b;
    }

    private static double cosineAlphaBar(double fraction) {
        double c = Math.cos((fraction + COSINE_OFFSET) / (1.0 + COSINE_OFFSET) * Math.PI / 2.0);
        return c * c;
    }

    public ScheduleSpec spec() {
        return spec;
    }

    public int timesteps() {
        return betas.length;
    }

    public double beta(int t) {
        return betas[t];
    }

    public double alpha(int t) {
        return alphas[t];
    }

    public double alphaBar(int t) {
        return alphasBar[t];
    }

    /** ᾱ at t, with ᾱ_{−1} = 1 (the clean image) so samplers can step to "before t = 0". */
    public double alphaBarOrOne(int t) {
        return t < 0 ? 1.0 : alphasBar[t];
    }

    public double sqrtAlphaBar(int t) {
        return sqrtAlphasBar[t];
    }

    public double sqrtOneMinusAlphaBar(int t) {
        return sqrtOneMinusAlphasBar[t];
    }

    /** Variance of q(x_{t−1} | x_t, x_0): β_t (1 − ᾱ_{t−1}) / (1 − ᾱ_t). */
    public double posteriorVariance(int t) {
        return posteriorVariance[t];
    }

    /** Copies, for callers that need whole tables (plots, tests). */
    public double[] betas() {
        return betas.clone();
    }

    public double[] alphasBar() {
        return alphasBar.clone();
    }
}
