package io.sparkdiffusion.sampling;

import io.sparkdiffusion.schedule.NoiseSchedule;

/**
 * The exact output distribution of each sampler for the Gaussian oracle, from x_T ~ N(0, 1), without
 * clipping. Every step is affine in x plus independent Gaussian noise, so the output is Gaussian and its
 * mean and variance follow from a scalar recurrence in double. The equations are written here from the
 * papers in their ε form, independently of the ND4J code, so a wrong coefficient in a sampler shows as a
 * mismatch far outside the sampling error. The difference between these moments and (μ, σ) is the
 * sampler's own discretization error.
 */
final class GaussianMoments {
    final double mean;
    final double std;

    private GaussianMoments(double mean, double variance) {
        this.mean = mean;
        this.std = Math.sqrt(variance);
    }

    /** Oracle ε̂ = gain·x + offset at t. */
    private record Affine(double gain, double offset) {
        static Affine eps(NoiseSchedule s, int t, double mu, double sigma) {
            double ab = s.alphaBar(t);
            double g = Math.sqrt(1 - ab) / (ab * sigma * sigma + 1 - ab);
            return new Affine(g, -g * Math.sqrt(ab) * mu);
        }

        /** x̂_0 = (x − √(1−ᾱ)·ε̂)/√ᾱ as an affine function of x. */
        static Affine x0(NoiseSchedule s, int t, double mu, double sigma) {
            Affine e = eps(s, t, mu, sigma);
            double ab = s.alphaBar(t);
            return new Affine((1 - Math.sqrt(1 - ab) * e.gain) / Math.sqrt(ab), -Math.sqrt(1 - ab) * e.offset / Math.sqrt(ab));
        }
    }

    /** Ho et al.: x_{t−1} = (x_t − β_t/√(1−ᾱ_t)·ε̂)/√α_t + σ_t z (no z at t = 0). */
    static GaussianMoments ddpm(NoiseSchedule s, double mu, double sigma, boolean betaVariance) {
        double m = 0;
        double v = 1;
        for (int t = s.timesteps() - 1; t >= 0; t--) {
            Affine e = Affine.eps(s, t, mu, sigma);
            double c = s.beta(t) / Math.sqrt(1 - s.alphaBar(t));
            double gain = (1 - c * e.gain) / Math.sqrt(s.alpha(t));
            double offset = -c * e.offset / Math.sqrt(s.alpha(t));
            double ab = s.alphaBar(t);
            double abPrev = t == 0 ? 1.0 : s.alphaBar(t - 1);
            double noiseVar = t == 0 ? 0 : betaVariance ? s.beta(t) : (1 - abPrev) / (1 - ab) * s.beta(t);
            m = gain * m + offset;
            v = gain * gain * v + noiseVar;
        }
        return new GaussianMoments(m, v);
    }

    /** Song et al. (12): x_p = √ᾱ_p·x̂_0 + √(1−ᾱ_p−σ²)·ε̂ + σ z, σ = η√((1−ᾱ_p)/(1−ᾱ_t))√(1−ᾱ_t/ᾱ_p). */
    static GaussianMoments ddim(NoiseSchedule s, int[] ts, double eta, double mu, double sigma) {
        double m = 0;
        double v = 1;
        for (int i = 0; i < ts.length; i++) {
            double ab = s.alphaBar(ts[i]);
            double abPrev = i + 1 < ts.length ? s.alphaBar(ts[i + 1]) : 1.0;
            Affine e = Affine.eps(s, ts[i], mu, sigma);
            Affine x0 = Affine.x0(s, ts[i], mu, sigma);
            double sd = eta * Math.sqrt((1 - abPrev) / (1 - ab) * (1 - ab / abPrev));
            double dir = Math.sqrt(1 - abPrev - sd * sd);
            double gain = Math.sqrt(abPrev) * x0.gain + dir * e.gain;
            double offset = Math.sqrt(abPrev) * x0.offset + dir * e.offset;
            m = gain * m + offset;
            v = gain * gain * v + sd * sd;
        }
        return new GaussianMoments(m, v);
    }

    /**
     * Lu et al. 2022, DPM-Solver++(2M) (their Algorithm 2), tracking x = p·x_T + q and D = x̂_0 likewise;
     * first step first order, last step to σ = 0 (x = D).
     */
    static GaussianMoments dpmSolverPlusPlus2M(NoiseSchedule s, int[] ts, double mu, double sigma) {
        double p = 1;
        double q = 0;
        double prevDp = 0;
        double prevDq = 0;
        double prevH = 0;
        for (int i = 0; i < ts.length; i++) {
            Affine x0 = Affine.x0(s, ts[i], mu, sigma);
            double dp = x0.gain * p;
            double dq = x0.gain * q + x0.offset;
            if (i == ts.length - 1) {
                return new GaussianMoments(dq, dp * dp);
            }
            double alphaT = Math.sqrt(s.alphaBar(ts[i + 1]));
            double sigmaT = Math.sqrt(1 - s.alphaBar(ts[i + 1]));
            double sigmaS = Math.sqrt(1 - s.alphaBar(ts[i]));
            double lambdaT = Math.log(alphaT / sigmaT);
            double lambdaS = Math.log(Math.sqrt(s.alphaBar(ts[i])) / sigmaS);
            double h = lambdaT - lambdaS;
            double up = dp;
            double uq = dq;
            if (i > 0) {
                double r = prevH / h;
                up = (1 + 1 / (2 * r)) * dp - prevDp / (2 * r);
                uq = (1 + 1 / (2 * r)) * dq - prevDq / (2 * r);
            }
            double decay = Math.exp(-h);
            p = sigmaT / sigmaS * p + alphaT * (1 - decay) * up;
            q = sigmaT / sigmaS * q + alphaT * (1 - decay) * uq;
            prevDp = dp;
            prevDq = dq;
            prevH = h;
        }
        throw new IllegalArgumentException("no timesteps");
    }

    @Override
    public String toString() {
        return String.format("N(%.5f, %.5f²)", mean, std);
    }
}
