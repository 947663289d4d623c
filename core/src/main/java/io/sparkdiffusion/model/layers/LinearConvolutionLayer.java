package io.sparkdiffusion.model.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The implementation of {@link LinearConvolution}: DL4J's convolution layer, with a backprop that hands epsilon straight
 * to the oneDNN helper's {@code conv2d_bp} instead of first recomputing the forward convolution for the (identity)
 * activation's derivative, and a forward pass that goes straight to the helper's {@code conv2d}.
 */
public class LinearConvolutionLayer extends ConvolutionLayer {

    /** How many backward passes took the direct path (for tests). */
    long directBackprops;
    /** How many forward passes went straight to the helper (for tests). */
    long directForwards;

    public LinearConvolutionLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /**
     * With the helper: straight to its {@code conv2d}. DL4J's own preOutput first makes an NCHW copy of NHWC input
     * ({@code input.permute(0, 3, 1, 2).dup()}) that the helper never reads (it is given the original input); that copy
     * was ~14% of an NHWC forward pass of the U-Net.
     */
    @Override
    protected Pair<INDArray, INDArray> preOutput(boolean training, boolean forBackprop, LayerWorkspaceMgr workspaceMgr) {
        org.deeplearning4j.nn.conf.layers.ConvolutionLayer conf = layerConf();
        if (helper == null || helperCountFail > 0 || !conf.hasBias() || conf.getWeightNoise() != null) {
            return super.preOutput(training, forBackprop, workspaceMgr);
        }
        assertInputSet(false);
        validateInputRank();
        INDArray weights = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, training, workspaceMgr);
        INDArray bias = getParamWithNoise(ConvolutionParamInitializer.BIAS_KEY, training, workspaceMgr);
        INDArray in = input.castTo(dataType);
        long inDepth = in.size(conf.getCnn2dDataFormat() == CNN2DFormat.NHWC ? 3 : 1);
        if (inDepth != weights.size(1)) {
            return super.preOutput(training, forBackprop, workspaceMgr); // DL4J's error message
        }
        INDArray z = helper.preOutput(in, weights, bias, conf.getKernelSize(), conf.getStride(), conf.getPadding(),
                conf.getCudnnAlgoMode(), conf.getCudnnFwdAlgo(), convolutionMode, conf.getDilation(),
                conf.getCnn2dDataFormat(), workspaceMgr);
        if (z == null) { // the helper declined (e.g. not FLOAT)
            return super.preOutput(training, forBackprop, workspaceMgr);
        }
        directForwards++;
        return new Pair<>(z, null);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        org.deeplearning4j.nn.conf.layers.ConvolutionLayer conf = layerConf();
        if (helper == null || helperCountFail > 0 || !(conf.getActivationFn() instanceof ActivationIdentity)
                || conf.getIDropout() != null || conf.getWeightNoise() != null) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        assertInputSet(true);
        INDArray weights = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, true, workspaceMgr);
        INDArray bias = getParamWithNoise(ConvolutionParamInitializer.BIAS_KEY, true, workspaceMgr);
        INDArray in = input.castTo(dataType);
        INDArray delta = epsilon.castTo(dataType);
        Pair<Gradient, INDArray> result = helper.backpropGradient(in, weights, bias, delta, conf.getKernelSize(),
                conf.getStride(), conf.getPadding(), gradientViews.get(ConvolutionParamInitializer.BIAS_KEY),
                gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY), conf.getActivationFn(),
                conf.getCudnnAlgoMode(), conf.getCudnnBwdFilterAlgo(), conf.getCudnnBwdDataAlgo(), convolutionMode,
                conf.getDilation(), conf.getCnn2dDataFormat(), workspaceMgr);
        if (result == null) { // the helper declined (e.g. not FLOAT)
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        directBackprops++;
        return result;
    }
}
