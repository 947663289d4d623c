package io.sparkdiffusion.train;

import java.util.Arrays;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exponential moving average of a flat parameter vector, with the decay schedule of diffusers'
 * {@code EMAModel}: ema ← d·ema + (1 − d)·params, where d depends on how many updates were made
 * ({@link #decayAt}). The first update (more precisely, every update up to
 * {@code updateAfterStep + 1}) copies the parameters, so the starting value does not matter.
 *
 * <p>Lives on the driver: DL4J's training hooks run on the workers, so the trainer calls
 * {@link #update} with the averaged parameters after each averaging round.
 */
public final class Ema {

    /**
     * diffusers' knobs.
     *
     * @param maxDecay        the decay once warmed up (diffusers' {@code decay}), e.g. 0.9999
     * @param minDecay        lower bound of the decay after the first steps
     * @param updateAfterStep updates up to this one (+1) just copy the parameters
     * @param useWarmup       true: d = 1 − (1 + s/invGamma)^(−power); false: d = (1 + s)/(10 + s)
     * @param invGamma        warm-up speed
     * @param power           warm-up exponent (2/3 reaches 0.999 after ~31k steps, 3/4 after ~10k)
     */
    public record Settings(double maxDecay, double minDecay, long updateAfterStep, boolean useWarmup,
                           double invGamma, double power) {

        public Settings {
            if (!(maxDecay >= 0 && maxDecay < 1) || !(minDecay >= 0 && minDecay <= maxDecay)) {
                throw new IllegalArgumentException("EMA decay must satisfy 0 <= min-decay <= decay < 1, got min "
                        + minDecay + " and decay " + maxDecay);
            }
            if (updateAfterStep < 0 || !(invGamma > 0) || !(power > 0)) {
                throw new IllegalArgumentException("EMA update-after-step must be >= 0 and inv-gamma, power > 0");
            }
        }

        /** diffusers' defaults with the given decay: no warm-up formula, so d = (1 + s)/(10 + s) capped. */
        public static Settings of(double maxDecay) {
            return new Settings(maxDecay, 0.0, 0, false, 1.0, 2.0 / 3.0);
        }

        public Settings withWarmup(double newInvGamma, double newPower) {
            return new Settings(maxDecay, minDecay, updateAfterStep, true, newInvGamma, newPower);
        }
    }

    private final Settings settings;
    private final INDArray ema;
    private long step;
    private double lastDecay;

    private Ema(Settings settings, INDArray ema, long step) {
        this.settings = settings;
        this.ema = ema;
        this.step = step;
    }

    /** Starts from a copy of the current parameters (as float), before any update. */
    public static Ema start(INDArray params, Settings settings) {
        return new Ema(settings, params.castTo(DataType.FLOAT).dup(), 0);
    }

    /** Resumes from a checkpoint: the saved EMA vector (taken over, not copied) and its update count. */
    public static Ema resume(INDArray emaParams, long step, Settings settings) {
        if (step < 0) {
            throw new IllegalArgumentException("EMA step must be >= 0, got " + step);
        }
        INDArray values = emaParams.dataType() == DataType.FLOAT ? emaParams : emaParams.castTo(DataType.FLOAT);
        return new Ema(settings, values, step);
    }

    /**
     * diffusers' {@code get_decay}: s = max(0, optimizationStep − updateAfterStep − 1); 0 when s ≤ 0, else the
     * warm-up value capped at maxDecay and floored at minDecay.
     *
     * @param optimizationStep the 1-based number of the update being made
     */
    public static double decayAt(long optimizationStep, Settings settings) {
        long s = Math.max(0, optimizationStep - settings.updateAfterStep() - 1);
        if (s <= 0) {
            return 0.0;
        }
        double decay = settings.useWarmup()
                ? 1.0 - Math.pow(1.0 + s / settings.invGamma(), -settings.power())
                : (1.0 + s) / (10.0 + s);
        decay = Math.min(decay, settings.maxDecay());
        return Math.max(decay, settings.minDecay());
    }

    /** One EMA step towards {@code params} (same length; any shape and float type), in place. */
    public void update(INDArray params) {
        if (params.length() != ema.length()) {
            throw new IllegalArgumentException("EMA holds " + ema.length() + " parameters, got " + params.length()
                    + " " + Arrays.toString(params.shape()));
        }
        INDArray p = params.dataType() == DataType.FLOAT ? params : params.castTo(DataType.FLOAT);
        if (!Arrays.equals(p.shape(), ema.shape())) {
            p = p.reshape(ema.shape());
        }
        step++;
        lastDecay = decayAt(step, settings);
        if (lastDecay == 0.0) {
            ema.assign(p); // exact copy, also clears whatever the vector held before
        } else {
            // d·ema + (1 − d)·p written as d·(ema − p) + p: three in-place ops, no temporary vector.
            ema.subi(p).muli(lastDecay).addi(p);
        }
    }

    /** The live EMA vector (float); copy it before changing it. */
    public INDArray params() {
        return ema;
    }

    /** How many updates were made (diffusers' {@code optimization_step}); saved with checkpoints. */
    public long step() {
        return step;
    }

    /** The decay used by the latest update (0 before any). */
    public double lastDecay() {
        return lastDecay;
    }

    public Settings settings() {
        return settings;
    }
}
