package io.sparkdiffusion.train;

import java.util.Locale;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import io.sparkdiffusion.runtime.NativeArrays;

/**
 * The driver's step after each averaging round of local SGD (DiLoCo, Douillard et al. 2023): the change the round
 * made to the parameters is a pseudo-gradient Δ = θ_before − θ_averaged, and an outer optimizer decides how far to
 * move along it.
 *
 * <ul>
 *   <li>{@code average}: θ ← θ_averaged (plain parameter averaging, as DL4J's training master leaves it);</li>
 *   <li>{@code nesterov}: SGD with Nesterov momentum on Δ, as PyTorch's {@code SGD(nesterov=True)}:
 *       v ← μ·v + Δ; θ ← θ_before − η·(Δ + μ·v).</li>
 * </ul>
 *
 * <p>The update is computed as θ_averaged − (η − 1)·Δ − η·μ·v, which is the same quantity written from the averaged
 * parameters, so that η = 1, μ = 0 gives back θ_averaged bit for bit (up to the sign of a parameter that is exactly
 * zero). The momentum vector v is the optimizer's only
 * state; it goes into every checkpoint.
 */
public final class OuterOptimizer {

    /** The outer update rule. */
    public enum Kind {
        AVERAGE, NESTEROV;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Kind kind;
    private final double learningRate;
    private final double momentum;
    private INDArray velocity; // null until the first step, or when restored without state

    public OuterOptimizer(Kind kind, double learningRate, double momentum) {
        if (!(learningRate > 0) || !(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("outer learning rate must be > 0 and momentum in [0, 1), got "
                    + learningRate + " and " + momentum);
        }
        this.kind = kind;
        this.learningRate = learningRate;
        this.momentum = momentum;
    }

    /** Plain parameter averaging: the step leaves the averaged parameters as they are. */
    public static OuterOptimizer average() {
        return new OuterOptimizer(Kind.AVERAGE, 1.0, 0.0);
    }

    /**
     * Continues from a checkpoint's momentum vector (taken over, not copied); null starts from zero momentum.
     */
    public OuterOptimizer withVelocity(INDArray saved) {
        velocity = saved == null || kind == Kind.AVERAGE ? null : saved.castTo(DataType.FLOAT);
        return this;
    }

    /**
     * One outer step, in place: on return {@code averaged} holds the new parameters.
     *
     * @param before   the parameters the round started from (θ_before); not changed
     * @param averaged the workers' averaged parameters (θ_averaged); replaced by the outer step's result
     */
    public void step(INDArray before, INDArray averaged) {
        if (!java.util.Arrays.equals(before.shape(), averaged.shape())) {
            throw new IllegalArgumentException("the round started from parameters of shape "
                    + java.util.Arrays.toString(before.shape()) + " and ended with "
                    + java.util.Arrays.toString(averaged.shape()));
        }
        if (kind == Kind.AVERAGE) {
            return;
        }
        if (velocity == null) {
            velocity = Nd4j.zeros(averaged.dataType(), averaged.shape());
        } else if (!java.util.Arrays.equals(velocity.shape(), averaged.shape())) {
            velocity = velocity.reshape(averaged.shape());
        }
        INDArray delta = before.sub(averaged);
        velocity.muli(momentum).addi(delta);
        INDArray momentumTerm = velocity.mul(learningRate * momentum);
        averaged.subi(delta.muli(learningRate - 1.0)).subi(momentumTerm);
        NativeArrays.free(delta, momentumTerm); // two parameter-sized temporaries, dead now
    }

    /** The momentum vector to checkpoint, or null (plain averaging, or no step yet). */
    public INDArray velocity() {
        return velocity;
    }

    public Kind kind() {
        return kind;
    }

    public double learningRate() {
        return learningRate;
    }

    public double momentum() {
        return momentum;
    }

    /** e.g. "nesterov (lr 0.7, momentum 0.9)" or "average". */
    public String describe() {
        return kind == Kind.AVERAGE ? kind.key()
                : String.format(Locale.ROOT, "%s (lr %s, momentum %s)", kind.key(), learningRate, momentum);
    }
}
