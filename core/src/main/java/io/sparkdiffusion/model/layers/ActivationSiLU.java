package io.sparkdiffusion.model.layers;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.TanhDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * SiLU (swish), x·sigmoid(x): the same function as DL4J's {@code Activation.SWISH}, computed faster. ND4J M2's swish
 * ops are scalar loops of {@code expf} and (for the derivative) {@code powf}; this one goes through
 * {@code sigmoid(x) = (1 + tanh(x/2)) / 2} and libnd4j's {@code tanh} / {@code tanh_bp} ops, which the oneDNN build
 * runs as vectorized oneDNN kernels, plus a few simple vectorized passes. Measured on a [64, 32, 28, 28] float array
 * with 2 threads: forward 1.1 ms instead of 1.9-3.7 ms, backward ~2.5 ms instead of ~7.5 ms.
 *
 * <p>With t = tanh(x/2): {@code silu(x) = x·(1 + t)/2} and
 * {@code silu'(x) = (1 + t)/2 + x·(1 − t²)/4}, so {@code dL/dx = (dy·(1 + t) + (x·dy)·(1 − t²)/2) / 2}.
 *
 * <p>Stateless; serializes to JSON by class name like DL4J's own activations.
 */
public class ActivationSiLU extends BaseActivationFunction {

    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        INDArray t = in.mul(0.5);
        tanhInPlace(t);
        t.addi(1.0);
        in.muli(t);
        return in.muli(0.5);
    }

    /** dL/dx into {@code in} (a copy DL4J makes for backprop, as its own activations overwrite it too). */
    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        assertShape(in, epsilon);
        INDArray t = in.mul(0.5);
        INDArray xdy = in.ulike();
        Nd4j.exec(new MulOp(in, epsilon, xdy));
        Nd4j.exec(new TanhDerivative(t, xdy, xdy));             // x·dy·(1 − t²)
        tanhInPlace(t);
        t.addi(1.0).muli(epsilon);                              // dy·(1 + t)
        Nd4j.getBlasWrapper().level1().axpy(t.length(), 0.5, xdy, t);
        Nd4j.exec(new ScalarMultiplication(t, null, in, 0.5));
        return new Pair<>(in, null);
    }

    private static void tanhInPlace(INDArray x) {
        Nd4j.exec(DynamicCustomOp.builder("tanh").addInputs(x).addOutputs(x).build());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ActivationSiLU;
    }

    @Override
    public int hashCode() {
        return ActivationSiLU.class.hashCode();
    }

    @Override
    public String toString() {
        return "silu";
    }
}
