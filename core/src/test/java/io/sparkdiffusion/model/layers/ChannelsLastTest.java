package io.sparkdiffusion.model.layers;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** NHWC inside a graph: DataFormatVertex, GroupNormalization and BroadcastAddVertex in NHWC against NCHW. */
@ExtendWith(DoublePrecision.class)
class ChannelsLastTest {

    /**
     * x [N, 3, 5, 6] (NCHW input) → [NHWC] → conv 3×3 (8) ; v [N, 5] → dense (8); broadcast add; GroupNorm(4) → SiLU
     * → [NCHW] → MSE. With {@code NCHW} the two format vertices are left out; layer names are the same.
     */
    private static ComputationGraphConfiguration graph(CNN2DFormat layout) {
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE)
                .seed(7)
                .updater(new NoOp())
                .weightInit(WeightInit.XAVIER)
                .convolutionMode(ConvolutionMode.Truncate)
                .graphBuilder()
                .addInputs("x", "v")
                .setInputTypes(InputType.convolutional(5, 6, 3), InputType.feedForward(5));
        String in = "x";
        if (layout == CNN2DFormat.NHWC) {
            b.addVertex("x_nhwc", new DataFormatVertex(CNN2DFormat.NHWC), "x");
            in = "x_nhwc";
        }
        b.addLayer("conv", new LinearConvolution.Builder(3, 3).padding(1, 1).dataFormat(layout).nOut(8)
                        .activation(Activation.IDENTITY).build(), in)
                .addLayer("dense", new DenseLayer.Builder().nOut(8).activation(Activation.TANH).build(), "v")
                .addVertex("add", new BroadcastAddVertex(), "conv", "dense")
                .addLayer("gn", GroupNormalization.of(4), "add")
                .addLayer("act", new ActivationLayer(Activation.SWISH), "gn");
        String last = "act";
        if (layout == CNN2DFormat.NHWC) {
            b.addVertex("act_nchw", new DataFormatVertex(CNN2DFormat.NCHW), "act");
            last = "act_nchw";
        }
        return b.addLayer("out", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
                        .activation(Activation.IDENTITY).build(), last)
                .setOutputs("out")
                .build();
    }

    private static INDArray[] inputs() {
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 2, 3, 5, 6).muli(2).addi(0.5);
        return new INDArray[] {x, Nd4j.randn(DataType.DOUBLE, 2, 5)};
    }

    private static ComputationGraph nhwcWithParamsOf(ComputationGraph nchw) {
        ComputationGraph nhwc = TestGraphs.init(graph(CNN2DFormat.NHWC));
        for (Layer layer : nchw.getLayers()) {
            String name = layer.conf().getLayer().getLayerName();
            if (layer.numParams() > 0) {
                nhwc.getLayer(name).params().assign(layer.params());
            }
        }
        return nhwc;
    }

    @Test
    void layersTakeTheLayoutFromTheInputType() {
        ComputationGraphConfiguration conf = graph(CNN2DFormat.NHWC);
        GroupNormalization gn = (GroupNormalization) ((LayerVertex) conf.getVertices().get("gn")).getLayerConf().getLayer();
        assertEquals(CNN2DFormat.NHWC, gn.getDataFormat());
        assertEquals(CNN2DFormat.NHWC, ((BroadcastAddVertex) conf.getVertices().get("add")).getDataFormat());
        GroupNormalization nchw = (GroupNormalization) ((LayerVertex) graph(CNN2DFormat.NCHW).getVertices().get("gn"))
                .getLayerConf().getLayer();
        assertEquals(CNN2DFormat.NCHW, nchw.getDataFormat());

        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        assertEquals(conf, back);
        assertInstanceOf(DataFormatVertex.class, back.getVertices().get("x_nhwc"));
        assertEquals(CNN2DFormat.NHWC, ((GroupNormalization) ((LayerVertex) back.getVertices().get("gn")).getLayerConf()
                .getLayer()).getDataFormat());
        assertEquals(CNN2DFormat.NHWC, ((BroadcastAddVertex) back.getVertices().get("add")).getDataFormat());
    }

    /** JSON written before the layout fields existed (no "dataFormat") reads as NCHW. */
    @Test
    void jsonWithoutLayoutFieldsReadsAsNchw() {
        ComputationGraphConfiguration conf = graph(CNN2DFormat.NCHW);
        String json = conf.toJson();
        String old = json.replaceAll("\"dataFormat\"\\s*:\\s*\"NCHW\"\\s*,", "")
                .replaceAll(",\\s*\"dataFormat\"\\s*:\\s*\"NCHW\"", "");
        assertTrue(json.contains("\"dataFormat\"") && !old.contains("\"dataFormat\""), "fields removed");
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(old);
        assertEquals(conf, back);
    }

    @Test
    void nhwcGraphGivesTheOutputsAndGradientsOfTheNchwGraph() {
        ComputationGraph nchw = TestGraphs.init(graph(CNN2DFormat.NCHW));
        TestGraphs.randomizeGroupNorm(nchw, "gn", 5);
        ComputationGraph nhwc = nhwcWithParamsOf(nchw);
        INDArray[] in = inputs();
        INDArray expected = nchw.output(false, in)[0];
        INDArray actual = nhwc.output(false, in)[0];
        assertTrue(expected.equalsWithEps(actual, 1e-10), "outputs differ");

        INDArray labels = Nd4j.randn(DataType.DOUBLE, 2, 8, 5, 6);
        nchw.setInputs(in);
        nchw.setLabels(labels);
        nchw.computeGradientAndScore();
        nhwc.setInputs(in);
        nhwc.setLabels(labels);
        nhwc.computeGradientAndScore();
        assertEquals(nchw.score(), nhwc.score(), 1e-12);
        Map<String, INDArray> g1 = nchw.gradient().gradientForVariable();
        Map<String, INDArray> g2 = nhwc.gradient().gradientForVariable();
        assertEquals(g1.keySet(), g2.keySet());
        for (String key : g1.keySet()) {
            assertTrue(g1.get(key).equalsWithEps(g2.get(key), 1e-9), "gradient " + key);
        }
    }

    @Test
    void gradientCheckOfTheNhwcGraph() {
        ComputationGraph nhwc = TestGraphs.init(graph(CNN2DFormat.NHWC));
        TestGraphs.randomizeGroupNorm(nhwc, "gn", 9);
        INDArray[] in = inputs();
        INDArray labels = Nd4j.randn(DataType.DOUBLE, 2, 8, 5, 6);
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(nhwc)
                .inputs(in).labels(new INDArray[] {labels})
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-8)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
        assertTrue(ok);
    }
}
