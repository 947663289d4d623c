package io.sparkdiffusion.model;

import org.deeplearning4j.nn.weights.IWeightInit;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * PyTorch's default initialisation of {@code Conv2d} and {@code Linear} weights: U(−1/√fanIn, 1/√fanIn)
 * ({@code kaiming_uniform_} with a = √5), so weights have variance 1/(3·fanIn).
 *
 * <p>Why not DL4J's Xavier: Xavier's variance 2/(fanIn + fanOut) is 3× larger on a square convolution and ~6×
 * on the 1-channel output convolution, so every residual branch, time projection and the initial prediction start
 * much larger than the reference's; measured on the reference U-Net and on ours, training then lags by ~100-300 steps
 * (bench/results/readme-until-2026-12-07.md, "Quality: the weight initialisation").
 */
public final class FanInUniformInit implements IWeightInit {
    private static final long serialVersionUID = 1L;

    @Override
    public INDArray init(double fanIn, double fanOut, long[] shape, char order, INDArray paramView) {
        if (!(fanIn > 0)) {
            throw new IllegalArgumentException("fan-in must be > 0, got " + fanIn);
        }
        double bound = 1.0 / Math.sqrt(fanIn);
        Nd4j.rand(paramView, Nd4j.getDistributions().createUniform(-bound, bound));
        return paramView.reshape(order, shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FanInUniformInit;
    }

    @Override
    public int hashCode() {
        return FanInUniformInit.class.hashCode();
    }
}
