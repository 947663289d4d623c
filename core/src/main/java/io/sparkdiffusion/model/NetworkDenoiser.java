package io.sparkdiffusion.model;

import io.sparkdiffusion.diffusion.TimestepEmbedding;
import io.sparkdiffusion.sampling.Denoiser;
import io.sparkdiffusion.schedule.NoiseSchedule;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A trained U-Net as a {@link Denoiser}: feeds x_t, the timestep embedding and labels, returns ε̂. */
public final class NetworkDenoiser implements Denoiser {
    private final ComputationGraph network;
    private final UNetSpec spec;
    private final NoiseSchedule schedule;

    public NetworkDenoiser(ComputationGraph network, UNetSpec spec, NoiseSchedule schedule) {
        this.network = network;
        this.spec = spec;
        this.schedule = schedule;
    }

    @Override
    public INDArray predictNoise(INDArray xt, int t, int[] labels) {
        int n = (int) xt.size(0);
        INDArray timeEmbedding = TimestepEmbedding.embed(t, n, spec.timeEmbeddingDim());
        INDArray output = spec.conditional()
                ? network.output(false, xt, timeEmbedding, labelInput(labels, n, spec.numClasses()))[0]
                : network.output(false, xt, timeEmbedding)[0];
        if (spec.prediction() == UNetSpec.Prediction.V) {
            // v = √ᾱ ε − √(1−ᾱ) x0 and x_t = √ᾱ x0 + √(1−ᾱ) ε give ε = √ᾱ v + √(1−ᾱ) x_t
            return output.muli(schedule.sqrtAlphaBar(t)).addi(xt.mul(schedule.sqrtOneMinusAlphaBar(t)));
        }
        return output;
    }

    /**
     * Labels as the network's one-hot input [N, numClasses + 1]; {@link #NO_LABEL} (or no labels at all) is
     * the null class, index numClasses.
     */
    public static INDArray labelInput(int[] labels, int n, int numClasses) {
        INDArray oneHot = Nd4j.zeros(DataType.FLOAT, n, numClasses + 1);
        for (int i = 0; i < n; i++) {
            int label = labels == null ? NO_LABEL : labels[i];
            if (label != NO_LABEL && (label < 0 || label >= numClasses)) {
                throw new IllegalArgumentException("label " + label + " is outside 0.." + (numClasses - 1));
            }
            oneHot.putScalar(i, label == NO_LABEL ? numClasses : label, 1f);
        }
        return oneHot;
    }

    public ComputationGraph network() {
        return network;
    }

    public UNetSpec spec() {
        return spec;
    }
}
