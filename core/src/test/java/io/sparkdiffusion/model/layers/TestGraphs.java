package io.sparkdiffusion.model.layers;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Small graphs shared by the tests of this package. */
final class TestGraphs {

    static final int IMAGE = 4;

    private TestGraphs() {
    }

    /** x [N, 4, 4, 4] → conv 3×3 (channels) → GroupNorm(groups) → SiLU → MSE. */
    static ComputationGraphConfiguration groupNormGraph(int channels, int groups, IUpdater updater, DataType type) {
        return new NeuralNetConfiguration.Builder()
                .dataType(type)
                .seed(12345)
                .updater(updater)
                .weightInit(WeightInit.XAVIER)
                .convolutionMode(ConvolutionMode.Same)
                .graphBuilder()
                .addInputs("x")
                .setInputTypes(InputType.convolutional(IMAGE, IMAGE, 4))
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(channels)
                        .activation(Activation.IDENTITY).build(), "x")
                .addLayer("gn", GroupNormalization.of(groups), "conv")
                .addLayer("act", new ActivationLayer(Activation.SWISH), "gn")
                .addLayer("out", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
                        .activation(Activation.IDENTITY).build(), "act")
                .setOutputs("out")
                .build();
    }

    /**
     * Two inputs: x [N, 4, 4, 4] → conv (4 channels) and v [N, 6] → dense (4); BroadcastAddVertex; then a
     * GroupNorm and SiLU so the loss is not linear in the sum; MSE.
     */
    static ComputationGraphConfiguration broadcastAddGraph(IUpdater updater, DataType type) {
        return new NeuralNetConfiguration.Builder()
                .dataType(type)
                .seed(12345)
                .updater(updater)
                .weightInit(WeightInit.XAVIER)
                .convolutionMode(ConvolutionMode.Same)
                .graphBuilder()
                .addInputs("x", "v")
                .setInputTypes(InputType.convolutional(IMAGE, IMAGE, 4), InputType.feedForward(6))
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(4)
                        .activation(Activation.IDENTITY).build(), "x")
                .addLayer("dense", new DenseLayer.Builder().nOut(4).activation(Activation.TANH).build(), "v")
                .addVertex("add", new BroadcastAddVertex(), "conv", "dense")
                .addLayer("gn", GroupNormalization.of(2, 4), "add")
                .addLayer("act", new ActivationLayer(Activation.SWISH), "gn")
                .addLayer("out", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
                        .activation(Activation.IDENTITY).build(), "act")
                .setOutputs("out")
                .build();
    }

    static ComputationGraph init(ComputationGraphConfiguration conf) {
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    /** Random gamma ~ U(0.5, 1.5) and beta ~ N(0, 0.5) so the checks do not run at the trivial init 1 / 0. */
    static void randomizeGroupNorm(ComputationGraph graph, String name, long seed) {
        org.deeplearning4j.nn.api.Layer layer = graph.getLayer(name);
        Nd4j.getRandom().setSeed(seed);
        INDArray gamma = layer.getParam(GroupNormParamInitializer.GAMMA);
        layer.setParam(GroupNormParamInitializer.GAMMA, Nd4j.rand(gamma.dataType(), gamma.shape()).addi(0.5));
        INDArray beta = layer.getParam(GroupNormParamInitializer.BETA);
        layer.setParam(GroupNormParamInitializer.BETA, Nd4j.randn(beta.dataType(), beta.shape()).muli(0.5));
    }

    /** DL4J's GradientCheckUtil on one input and one label array, with the settings every check here uses. */
    static boolean gradientCheck(ComputationGraph graph, INDArray x, INDArray labels) {
        return GradientCheckUtil.checkGradients(
                new GradientCheckUtil.GraphConfig().net(graph)
                        .inputs(new INDArray[] {x}).labels(new INDArray[] {labels})
                        .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-8)
                        .print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
    }
}
