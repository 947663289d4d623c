package io.sparkdiffusion.model.layers;

import io.sparkdiffusion.runtime.NativeRuntime;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ActivationSiLUTest {


    /** Values over the whole useful range, including where sigmoid saturates. */
    private static INDArray inputs(DataType type) {
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.randn(type, 4, 8, 5, 5).muli(4);
        x.putScalar(0, 30.0);
        x.putScalar(1, -30.0);
        x.putScalar(2, 0.0);
        return x;
    }

    private static double silu(double x) {
        return x / (1 + Math.exp(-x));
    }

    private static double siluDerivative(double x) {
        double s = 1 / (1 + Math.exp(-x));
        return s * (1 + x * (1 - s));
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void forwardIsXTimesSigmoidInPlace(DataType type) {
        NativeRuntime.init();
        INDArray x = inputs(type);
        INDArray in = x.dup();
        INDArray out = new ActivationSiLU().getActivation(in, true);
        assertSame(in, out);
        double tolerance = type == DataType.FLOAT ? 2e-6 : 1e-12;
        for (long i = 0; i < x.length(); i++) {
            double expected = silu(x.getDouble(i));
            assertEquals(expected, out.getDouble(i), tolerance * Math.max(1, Math.abs(expected)), "at " + x.getDouble(i));
        }
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void backpropIsEpsilonTimesDerivative(DataType type) {
        NativeRuntime.init();
        INDArray x = inputs(type);
        INDArray epsilon = Nd4j.randn(type, x.shape());
        INDArray epsilonBefore = epsilon.dup();
        INDArray in = x.dup();
        INDArray dx = new ActivationSiLU().backprop(in, epsilon).getFirst();
        assertEquals(epsilonBefore, epsilon); // epsilon is not modified
        double tolerance = type == DataType.FLOAT ? 5e-6 : 1e-12;
        for (long i = 0; i < x.length(); i++) {
            double expected = siluDerivative(x.getDouble(i)) * epsilon.getDouble(i);
            assertEquals(expected, dx.getDouble(i), tolerance * Math.max(1, Math.abs(expected)), "at " + x.getDouble(i));
        }
    }

    /** The same values as DL4J's own swish (ND4J's Swish / SwishDerivative ops), forward and backward, in float. */
    @Test
    void agreesWithDl4jSwish() {
        NativeRuntime.init();
        INDArray x = inputs(DataType.FLOAT);
        INDArray epsilon = Nd4j.randn(DataType.FLOAT, x.shape());
        INDArray ours = new ActivationSiLU().getActivation(x.dup(), true);
        INDArray theirs = Activation.SWISH.getActivationFunction().getActivation(x.dup(), true);
        assertTrue(ours.equalsWithEps(theirs, 1e-5), "forward differs from DL4J's swish");
        INDArray ourGradient = new ActivationSiLU().backprop(x.dup(), epsilon).getFirst();
        INDArray theirGradient = Activation.SWISH.getActivationFunction().backprop(x.dup(), epsilon).getFirst();
        assertTrue(ourGradient.equalsWithEps(theirGradient, 1e-5), "backprop differs from DL4J's swish");
    }

    @Test
    @ExtendWith(DoublePrecision.class)
    void gradientCheckInGraph() {
        ComputationGraph graph = TestGraphs.init(graph(new NoOp(), DataType.DOUBLE));
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 2, 4, 4, 4);
        INDArray v = Nd4j.randn(DataType.DOUBLE, 2, 6);
        INDArray labels = Nd4j.randn(DataType.DOUBLE, 2, 4, 4, 4);
        INDArray vLabels = Nd4j.randn(DataType.DOUBLE, 2, 5);
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(graph)
                .inputs(new INDArray[] {x, v}).labels(new INDArray[] {labels, vLabels})
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-8)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
        assertTrue(ok, "gradient check failed");
    }

    @Test
    void trainsInFloatWithWorkspaces() {
        NativeRuntime.init();
        ComputationGraph graph = TestGraphs.init(graph(new Adam(1e-2), DataType.FLOAT));
        Nd4j.getRandom().setSeed(9);
        MultiDataSet data = new org.nd4j.linalg.dataset.MultiDataSet(
                new INDArray[] {Nd4j.randn(DataType.FLOAT, 8, 4, 4, 4), Nd4j.randn(DataType.FLOAT, 8, 6)},
                new INDArray[] {Nd4j.randn(DataType.FLOAT, 8, 4, 4, 4).muli(0.5), Nd4j.randn(DataType.FLOAT, 8, 5)});
        double before = graph.score(data);
        for (int i = 0; i < 30; i++) {
            graph.fit(data);
        }
        assertTrue(graph.score(data) < 0.8 * before, "loss " + before + " -> " + graph.score(data));
    }

    @Test
    void survivesJsonRoundTrip() {
        ComputationGraphConfiguration conf = graph(new Adam(1e-3), DataType.FLOAT);
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        assertEquals(conf, back);
        Layer act = ((org.deeplearning4j.nn.conf.graph.LayerVertex) back.getVertices().get("act")).getLayerConf().getLayer();
        assertInstanceOf(ActivationSiLU.class, ((ActivationLayer) act).getActivationFn());
        assertTrue(conf.toJson().contains(ActivationSiLU.class.getName()));
    }

    /** x [N, 4, 4, 4] → conv → SiLU layer → MSE; v [N, 6] → dense with SiLU → dense → MSE. */
    private static ComputationGraphConfiguration graph(org.nd4j.linalg.learning.config.IUpdater updater, DataType type) {
        return new NeuralNetConfiguration.Builder()
                .dataType(type)
                .seed(12345)
                .updater(updater)
                .weightInit(WeightInit.XAVIER)
                .convolutionMode(ConvolutionMode.Same)
                .graphBuilder()
                .addInputs("x", "v")
                .setInputTypes(InputType.convolutional(TestGraphs.IMAGE, TestGraphs.IMAGE, 4), InputType.feedForward(6))
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(4)
                        .activation(Activation.IDENTITY).build(), "x")
                .addLayer("act", new ActivationLayer(new ActivationSiLU()), "conv")
                .addLayer("out", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
                        .activation(Activation.IDENTITY).build(), "act")
                .addLayer("dense", new DenseLayer.Builder().nOut(7).activation(new ActivationSiLU()).build(), "v")
                .addLayer("vOut", new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder(LossFunctions.LossFunction.MSE)
                        .nOut(5).activation(Activation.IDENTITY).build(), "dense")
                .setOutputs("out", "vOut")
                .build();
    }
}
