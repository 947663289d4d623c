package io.sparkdiffusion.model;

import io.sparkdiffusion.sampling.Denoiser;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The U-Net's inputs, in the order {@link UNetBuilder} declares them: the noisy images x_t, the timestep embedding
 * ({@link TimestepEmbedding}) and, for a conditional model only, the one-hot label with a null class. Training
 * batches and the denoiser both assemble them here.
 */
public final class NetworkInputs {
    private NetworkInputs() {
    }

    /** @param labels one per image ({@link Denoiser#NO_LABEL}: none), or null; ignored by an unconditional model */
    public static INDArray[] of(UNetSpec spec, INDArray xt, INDArray timeEmbedding, int[] labels) {
        return spec.conditional()
                ? new INDArray[] {xt, timeEmbedding, labelInput(labels, (int) xt.size(0), spec.numClasses())}
                : new INDArray[] {xt, timeEmbedding};
    }

    /**
     * Labels as the network's one-hot input [N, numClasses + 1]; {@link Denoiser#NO_LABEL} (or no labels at all) is
     * the null class, index numClasses.
     */
    public static INDArray labelInput(int[] labels, int n, int numClasses) {
        INDArray oneHot = Nd4j.zeros(DataType.FLOAT, n, numClasses + 1);
        for (int i = 0; i < n; i++) {
            int label = labels == null ? Denoiser.NO_LABEL : labels[i];
            if (label != Denoiser.NO_LABEL && (label < 0 || label >= numClasses)) {
                throw new IllegalArgumentException("label " + label + " is outside 0.." + (numClasses - 1));
            }
            oneHot.putScalar(i, label == Denoiser.NO_LABEL ? numClasses : label, 1f);
        }
        return oneHot;
    }
}
