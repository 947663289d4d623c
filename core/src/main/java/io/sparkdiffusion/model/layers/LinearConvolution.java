package io.sparkdiffusion.model.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * DL4J's 2D {@link ConvolutionLayer} (same configuration, parameters, JSON fields and forward pass) whose backprop does
 * not recompute the forward convolution. DL4J M2's convolution layer runs the whole forward convolution again in every
 * backward pass, only to apply the activation's derivative; with the identity activation (the only one the U-Net uses
 * on its convolutions) that result is never needed. Measured on the default U-Net with oneDNN: the recomputation was
 * about a third of all forward-convolution time in a training step.
 *
 * <p>Use it exactly like {@code ConvolutionLayer}: {@code new LinearConvolution.Builder(3, 3).nIn(32).nOut(32)
 * .activation(Activation.IDENTITY).build()}. With another activation, without the oneDNN helper, or with dropout or
 * weight noise the implementation ({@link LinearConvolutionLayer}) takes DL4J's own backprop path.
 */
public class LinearConvolution extends ConvolutionLayer {

    /** For JSON deserialization. */
    public LinearConvolution() {
        super();
    }

    protected LinearConvolution(Builder builder) {
        super(builder);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
                             int layerIndex, INDArray layerParamsView, boolean initializeParams,
                             DataType networkDataType) {
        LayerValidation.assertNInNOutSet("LinearConvolution", getLayerName(), layerIndex, getNIn(), getNOut());
        return NativeLayers.bind(new LinearConvolutionLayer(conf, networkDataType), conf, initializer(), trainingListeners,
                layerIndex, layerParamsView, initializeParams);
    }

    @Override
    public LinearConvolution clone() {
        return (LinearConvolution) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LinearConvolution && super.equals(o);
    }

    @Override
    protected boolean canEqual(Object other) {
        return other instanceof LinearConvolution;
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + 1;
    }

    /** {@link ConvolutionLayer.Builder} building a {@link LinearConvolution}. */
    public static class Builder extends ConvolutionLayer.Builder {

        public Builder(int... kernelSize) {
            super(kernelSize);
        }

        @Override
        @SuppressWarnings("unchecked")
        public LinearConvolution build() {
            org.deeplearning4j.util.ConvolutionUtils.validateConvolutionModePadding(convolutionMode, padding);
            org.deeplearning4j.util.ConvolutionUtils.validateCnnKernelStridePadding(kernelSize, stride, padding);
            return new LinearConvolution(this);
        }
    }
}
