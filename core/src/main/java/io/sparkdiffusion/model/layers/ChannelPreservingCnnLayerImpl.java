package io.sparkdiffusion.model.layers;

import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * What the implementations of {@link ChannelPreservingCnnLayer}s ({@link GroupNormLayer},
 * {@link SpatialSelfAttentionLayer}) answer alike to DL4J: they are trained only as part of a network, and backprop
 * gets an epsilon of the input's shape; both compute on NCHW activations of the configured channel count.
 */
public abstract class ChannelPreservingCnnLayerImpl<C extends ChannelPreservingCnnLayer> extends BaseLayer<C> {

    protected ChannelPreservingCnnLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    /** No layer-wise pretraining: the layer learns only through the network's backprop. */
    @Override
    public void fit(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        throw new UnsupportedOperationException(layerConf().kind() + " cannot be fit on its own " + layerId());
    }

    /** Refuses x unless it is NCHW activations [N, C, H, W] with the layer's C channels. */
    protected void checkNchwShape(INDArray x) {
        if (x.rank() != 4) {
            throw new DL4JInvalidInputException(layerConf().kind() + " expects rank 4 input [N, C, H, W], got shape "
                    + Arrays.toString(x.shape()) + " " + layerId());
        }
        long channels = layerConf().getNOut();
        if (x.size(1) != channels) {
            throw new DL4JInvalidInputException(layerConf().kind() + " expects " + channels
                    + " channels (NCHW), got shape " + Arrays.toString(x.shape()) + " " + layerId());
        }
    }

    /** Refuses an epsilon whose shape is not the input's (the output has the input's shape). */
    protected void checkEpsilonShape(INDArray epsilon, long[] inputShape) {
        if (!Arrays.equals(epsilon.shape(), inputShape)) {
            throw new DL4JInvalidInputException(layerConf().kind() + ": epsilon shape "
                    + Arrays.toString(epsilon.shape()) + " differs from input shape " + Arrays.toString(inputShape)
                    + " " + layerId());
        }
    }
}
