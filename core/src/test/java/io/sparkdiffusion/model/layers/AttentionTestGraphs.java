package io.sparkdiffusion.model.layers;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static io.sparkdiffusion.model.layers.SpatialSelfAttentionParamInitializer.BIAS_OUT;
import static io.sparkdiffusion.model.layers.SpatialSelfAttentionParamInitializer.BIAS_QKV;
import static io.sparkdiffusion.model.layers.SpatialSelfAttentionParamInitializer.WEIGHT_OUT;
import static io.sparkdiffusion.model.layers.SpatialSelfAttentionParamInitializer.WEIGHT_QKV;

/** Small graphs with a {@link SpatialSelfAttention} layer, shared by the attention tests. */
final class AttentionTestGraphs {

    private AttentionTestGraphs() {
    }

    /** x [N, channels, size, size] → attention "attn" → identity MSE output: to take a fully set-up layer out of. */
    static ComputationGraphConfiguration attentionOnly(int channels, int heads, int size, DataType type) {
        return new NeuralNetConfiguration.Builder()
                .dataType(type)
                .seed(12345)
                .weightInit(WeightInit.XAVIER)
                .graphBuilder()
                .addInputs("x")
                .setInputTypes(InputType.convolutional(size, size, channels))
                .addLayer("attn", SpatialSelfAttention.of(heads), "x")
                .addLayer("out", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
                        .activation(Activation.IDENTITY).build(), "attn")
                .setOutputs("out")
                .build();
    }

    /**
     * The residual attention block as the U-Net builder wires it (normalization left out): x [N, 4, size, size] →
     * conv 3×3 (channels) → attention(heads) → ElementWiseVertex Add with the conv output → MSE.
     */
    static ComputationGraphConfiguration residualBlock(int channels, int heads, int size, IUpdater updater,
                                                       DataType type, WorkspaceMode workspaceMode) {
        return residualBlock(new SpatialSelfAttention.Builder().nHeads(heads).build(), channels, size, updater, type,
                workspaceMode);
    }

    /** {@link #residualBlock(int, int, int, IUpdater, DataType, WorkspaceMode)} with the given attention layer. */
    static ComputationGraphConfiguration residualBlock(SpatialSelfAttention attention, int channels, int size,
                                                       IUpdater updater, DataType type, WorkspaceMode workspaceMode) {
        return new NeuralNetConfiguration.Builder()
                .dataType(type)
                .seed(12345)
                .updater(updater)
                .weightInit(WeightInit.XAVIER)
                .convolutionMode(ConvolutionMode.Same)
                .trainingWorkspaceMode(workspaceMode)
                .inferenceWorkspaceMode(workspaceMode)
                .graphBuilder()
                .addInputs("x")
                .setInputTypes(InputType.convolutional(size, size, 4))
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(channels)
                        .activation(Activation.IDENTITY).build(), "x")
                .addLayer("attn", attention, "conv")
                .addVertex("add", new ElementWiseVertex(ElementWiseVertex.Op.Add), "conv", "attn")
                .addLayer("out", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
                        .activation(Activation.IDENTITY).build(), "add")
                .setOutputs("out")
                .build();
    }

    static ComputationGraph init(ComputationGraphConfiguration conf) {
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    /**
     * Random values for all four attention parameters (Wo is zero after init, which would make the gradients of
     * Wqkv and bqkv trivially zero): weights ~ N(0, scale²/C), biases ~ N(0, 0.1²).
     */
    static void randomizeAttention(ComputationGraph graph, String name, double scale, long seed) {
        org.deeplearning4j.nn.api.Layer layer = graph.getLayer(name);
        Nd4j.getRandom().setSeed(seed);
        for (String key : new String[] {WEIGHT_QKV, WEIGHT_OUT}) {
            INDArray w = layer.getParam(key);
            layer.setParam(key, Nd4j.randn(w.dataType(), w.shape()).muli(scale / Math.sqrt(w.size(0))));
        }
        for (String key : new String[] {BIAS_QKV, BIAS_OUT}) {
            INDArray b = layer.getParam(key);
            layer.setParam(key, Nd4j.randn(b.dataType(), b.shape()).muli(0.1));
        }
    }
}
