package io.sparkdiffusion.model.layers;

import io.sparkdiffusion.runtime.NativeRuntime;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Map;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class LinearConvolutionTest {

    @BeforeAll
    static void enableOneDnn() {
        NativeRuntime.init();
    }

    /**
     * x [N, 3, 8, 8] → 3×3 conv (3→8) → 3×3 stride-2 conv (8→8) → 1×1 conv (8→4) → GroupNorm → SiLU → MSE, with the
     * convolutions made by {@code conv(kernel, stride, nIn, nOut)}; padding k/2 as in the U-Net.
     */
    private static ComputationGraphConfiguration graph(boolean linear, DataType type) {
        IntFunction<ConvolutionLayer.Builder> builder = k -> linear ? new LinearConvolution.Builder(k, k)
                : new ConvolutionLayer.Builder(k, k);
        return new NeuralNetConfiguration.Builder()
                .dataType(type)
                .seed(42)
                .updater(new NoOp())
                .weightInit(WeightInit.XAVIER)
                .convolutionMode(ConvolutionMode.Truncate)
                .graphBuilder()
                .addInputs("x")
                .setInputTypes(InputType.convolutional(8, 8, 3))
                .addLayer("c1", builder.apply(3).padding(1, 1).nOut(8).activation(Activation.IDENTITY).build(), "x")
                .addLayer("c2", builder.apply(3).stride(2, 2).padding(1, 1).nOut(8).activation(Activation.IDENTITY)
                        .build(), "c1")
                .addLayer("c3", builder.apply(1).nOut(4).activation(Activation.IDENTITY).build(), "c2")
                .addLayer("gn", GroupNormalization.of(2), "c3")
                .addLayer("act", new ActivationLayer(Activation.SWISH), "gn")
                .addLayer("out", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
                        .activation(Activation.IDENTITY).build(), "act")
                .setOutputs("out")
                .build();
    }

    private static Gradient gradient(ComputationGraph net, INDArray x, INDArray labels) {
        net.setInputs(x);
        net.setLabels(labels);
        net.computeGradientAndScore();
        return net.gradient();
    }

    /** The direct backprop (oneDNN helper, FLOAT) gives DL4J's convolution-layer gradients, for every parameter. */
    @Test
    void gradientsEqualDl4jConvolutionLayerInFloat() {
        assumeTrue(NativeRuntime.layerHelpersEnabled(), "oneDNN layer helpers are not available in this build");
        ComputationGraph reference = TestGraphs.init(graph(false, DataType.FLOAT));
        ComputationGraph linear = TestGraphs.init(graph(true, DataType.FLOAT));
        linear.setParams(reference.params().dup());
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.randn(DataType.FLOAT, 4, 3, 8, 8);
        INDArray labels = Nd4j.randn(DataType.FLOAT, 4, 4, 4, 4);

        assertTrue(reference.outputSingle(x).equalsWithEps(linear.outputSingle(x), 1e-6), "same forward pass");
        Map<String, INDArray> expected = gradient(reference, x, labels).gradientForVariable();
        Map<String, INDArray> actual = gradient(linear, x, labels).gradientForVariable();
        assertEquals(reference.score(), linear.score(), 1e-6);
        assertEquals(expected.keySet(), actual.keySet());
        for (Map.Entry<String, INDArray> e : expected.entrySet()) {
            INDArray a = actual.get(e.getKey());
            double scale = Math.max(1e-3, e.getValue().amaxNumber().doubleValue());
            double diff = e.getValue().sub(a).amaxNumber().doubleValue();
            assertTrue(diff <= 1e-5 * scale, e.getKey() + ": max difference " + diff + " (scale " + scale + ")");
        }
        for (String name : new String[] {"c1", "c2", "c3"}) {
            assertTrue(((LinearConvolutionLayer) linear.getLayer(name)).directBackprops > 0,
                    name + " took DL4J's recomputing path");
            assertTrue(((LinearConvolutionLayer) linear.getLayer(name)).directForwards > 0,
                    name + " took DL4J's forward path");
        }
    }

    /** In DOUBLE (the helper declines) the layer falls back to DL4J's path; the gradient check covers that path. */
    @Test
    @ExtendWith(DoublePrecision.class)
    void gradientCheckInDouble() {
        ComputationGraph net = TestGraphs.init(graph(true, DataType.DOUBLE));
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 2, 3, 8, 8);
        INDArray labels = Nd4j.randn(DataType.DOUBLE, 2, 4, 4, 4);
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(net)
                .inputs(new INDArray[] {x}).labels(new INDArray[] {labels})
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-8)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
        assertTrue(ok);
    }

    @Test
    void survivesJsonRoundTripAndKeepsItsClass() {
        ComputationGraphConfiguration conf = graph(true, DataType.FLOAT);
        String json = conf.toJson();
        assertTrue(json.contains(LinearConvolution.class.getName()));
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
        assertEquals(conf, back);
        assertInstanceOf(LinearConvolution.class, ((LayerVertex) back.getVertices().get("c2")).getLayerConf().getLayer());
        assertNotEquals(conf, graph(false, DataType.FLOAT));
        LinearConvolution c = (LinearConvolution) ((LayerVertex) conf.getVertices().get("c2")).getLayerConf().getLayer();
        assertEquals(c, c.clone());
        assertEquals(c.hashCode(), c.clone().hashCode());
    }
}
