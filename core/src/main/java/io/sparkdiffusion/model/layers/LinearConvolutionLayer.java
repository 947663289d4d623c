package io.sparkdiffusion.model.layers;

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
 * activation's derivative.
 */
public class LinearConvolutionLayer extends ConvolutionLayer {

    /** How many backward passes took the direct path (for tests). */
    long directBackprops;

    public LinearConvolutionLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
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
