package io.sparkdiffusion.model.layers;

import io.sparkdiffusion.runtime.NativeRuntime;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GroupNormalization with SiLU fused in: the DOUBLE path against finite differences, and the FLOAT Java kernels against
 * the unfused ND4J form (GroupNorm on ND4J ops, then ActivationLayer(ActivationSiLU)), which main shipped.
 */
@ExtendWith(DoublePrecision.class)
class FusedGroupNormSiluTest {

    /** x [N, 4, H, W] → conv 3×3 (channels) → GroupNorm(groups) [fused SiLU | + ActivationLayer(SiLU) | none] → MSE. */
    private static ComputationGraph graph(int channels, int groups, int size, String form, DataType type) {
        GroupNormalization norm = GroupNormalization.of(groups);
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder()
                .dataType(type).seed(12345).updater(new NoOp()).weightInit(WeightInit.XAVIER)
                .convolutionMode(ConvolutionMode.Same).graphBuilder()
                .addInputs("x").setInputTypes(InputType.convolutional(size, size + 1, 4))
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(channels).activation(Activation.IDENTITY)
                        .build(), "x")
                .addLayer("gn", "fused".equals(form) ? norm.withSilu() : norm, "conv");
        String last = "gn";
        if ("separate".equals(form)) {
            b.addLayer("act", new ActivationLayer(new ActivationSiLU()), "gn");
            last = "act";
        }
        ComputationGraph graph = TestGraphs.init(b.addLayer("out", new CnnLossLayer.Builder(
                LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).build(), last).setOutputs("out").build());
        TestGraphs.randomizeGroupNorm(graph, "gn", 17);
        return graph;
    }

    private static ComputationGraph withParamsOf(ComputationGraph graph, ComputationGraph source) {
        graph.setParams(source.params().dup());
        return graph;
    }

    private static void useJavaKernels(ComputationGraph graph, boolean on) {
        ((GroupNormLayer) graph.getLayer("gn")).javaKernels = on;
    }

    /** Inputs with a mean far from 0 and a spread that drives SiLU through its curved part and into both tails. */
    private static INDArray input(int n, int size, DataType type) {
        Nd4j.getRandom().setSeed(42);
        return Nd4j.randn(DataType.DOUBLE, n, 4, size, size + 1).muli(3).addi(1.5).castTo(type);
    }

    /** Output, score and every gradient of two graphs on the same data agree to {@code tolerance} × their scale. */
    private static void assertSameOutputsAndGradients(ComputationGraph expected, ComputationGraph actual, INDArray x,
                                                      double tolerance) {
        assertClose(expected.outputSingle(x), actual.outputSingle(x), tolerance, "output");
        INDArray labels = Nd4j.randn(x.dataType(), expected.outputSingle(x).shape());
        for (ComputationGraph g : new ComputationGraph[] {expected, actual}) {
            g.setInputs(x);
            g.setLabels(labels);
            g.computeGradientAndScore();
        }
        assertEquals(expected.score(), actual.score(), tolerance * Math.abs(expected.score()));
        // a parameter whose gradient is ~0 (a conv bias before a one-channel group) is compared at the largest scale
        double gradientScale = expected.gradient().gradient().amaxNumber().doubleValue();
        for (String key : expected.gradient().gradientForVariable().keySet()) {
            assertClose(expected.gradient().getGradientFor(key), actual.gradient().getGradientFor(key), tolerance,
                    gradientScale, key);
        }
    }

    private static void assertClose(INDArray expected, INDArray actual, double tolerance, String what) {
        assertClose(expected, actual, tolerance, 1e-3, what);
    }

    private static void assertClose(INDArray expected, INDArray actual, double tolerance, double minScale,
                                    String what) {
        double scale = Math.max(minScale, expected.amaxNumber().doubleValue());
        double diff = expected.castTo(DataType.DOUBLE).sub(actual.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        assertTrue(diff <= tolerance * scale, what + ": max difference " + diff + " at scale " + scale);
    }

    /** GradientCheckUtil in double: the fused layer's backprop (through z recomputed for SiLU) is the true gradient. */
    @ParameterizedTest
    @CsvSource({"8, 4, 4", "8, 1, 3", "6, 3, 4"})
    void gradientCheckOfTheFusedLayer(int channels, int groups, int size) {
        ComputationGraph graph = graph(channels, groups, size, "fused", DataType.DOUBLE);
        INDArray x = input(2, size, DataType.DOUBLE);
        INDArray labels = Nd4j.randn(DataType.DOUBLE, 2, channels, size, size + 1);
        boolean ok = TestGraphs.gradientCheck(graph, x, labels);
        assertTrue(ok, "gradient check failed for " + channels + " channels, " + groups + " groups");
    }

    /** In double the fused layer computes exactly GroupNorm followed by ActivationLayer(ActivationSiLU). */
    @Test
    void fusedEqualsSeparateInDouble() {
        ComputationGraph separate = graph(8, 4, 4, "separate", DataType.DOUBLE);
        ComputationGraph fused = withParamsOf(graph(8, 4, 4, "fused", DataType.DOUBLE), separate);
        assertSameOutputsAndGradients(separate, fused, input(3, 4, DataType.DOUBLE), 1e-12);
    }

    /**
     * FLOAT: the Java kernel of the fused layer against main's ND4J GroupNorm + ActivationLayer(SiLU); odd H·W and
     * channel counts exercise the loops' tails, 16 channels in 2 groups a long block.
     */
    @ParameterizedTest
    @CsvSource({"8, 4, 5", "16, 2, 7", "6, 3, 4", "4, 4, 3"})
    void javaKernelMatchesTheUnfusedNd4jLayersInFloat(int channels, int groups, int size) {
        ComputationGraph separate = graph(channels, groups, size, "separate", DataType.FLOAT);
        useJavaKernels(separate, false);
        ComputationGraph fused = withParamsOf(graph(channels, groups, size, "fused", DataType.FLOAT), separate);
        assertSameOutputsAndGradients(separate, fused, input(3, size, DataType.FLOAT), 2e-5);
    }

    /** FLOAT GroupNorm without activation (the attention block's): Java kernel against the ND4J ops. */
    @Test
    void javaKernelWithoutActivationMatchesNd4j() {
        ComputationGraph nd4j = graph(8, 4, 5, "none", DataType.FLOAT);
        useJavaKernels(nd4j, false);
        ComputationGraph java = withParamsOf(graph(8, 4, 5, "none", DataType.FLOAT), nd4j);
        assertSameOutputsAndGradients(nd4j, java, input(3, 5, DataType.FLOAT), 2e-5);
    }

    /** The batch split over 2 and 3 threads (as when ND4J runs with 2 OpenMP threads) gives the 1-thread results. */
    @Test
    void splittingTheBatchOverThreadsChangesNothing() {
        int before = NativeRuntime.ompThreads();
        try {
            NativeRuntime.setOmpThreads(1);
            ComputationGraph one = graph(8, 4, 5, "fused", DataType.FLOAT);
            INDArray x = input(5, 5, DataType.FLOAT);
            for (int threads : new int[] {2, 3}) {
                ComputationGraph split = withParamsOf(graph(8, 4, 5, "fused", DataType.FLOAT), one);
                NativeRuntime.setOmpThreads(1);
                INDArray expected = one.outputSingle(x);
                NativeRuntime.setOmpThreads(threads);
                assertClose(expected, split.outputSingle(x), 1e-7, threads + " threads, output");
                NativeRuntime.setOmpThreads(1);
                assertSameOutputsAndGradients(one, split, x, 0); // sanity of the helper on identical runs
                NativeRuntime.setOmpThreads(threads);
                INDArray labels = Nd4j.randn(DataType.FLOAT, expected.shape());
                one.setInputs(x);
                one.setLabels(labels);
                NativeRuntime.setOmpThreads(1);
                one.computeGradientAndScore();
                NativeRuntime.setOmpThreads(threads);
                split.setInputs(x);
                split.setLabels(labels);
                split.computeGradientAndScore();
                for (String key : one.gradient().gradientForVariable().keySet()) {
                    assertClose(one.gradient().getGradientFor(key), split.gradient().getGradientFor(key), 1e-6,
                            one.gradient().gradient().amaxNumber().doubleValue(), threads + " threads, " + key);
                }
            }
        } finally {
            NativeRuntime.setOmpThreads(before);
        }
    }

    /** FLOAT NHWC forward (the sampling twin's): the NHWC kernel gives the NCHW kernel's output, also split. */
    @Test
    void nhwcForwardMatchesNchw() {
        int before = NativeRuntime.ompThreads();
        try {
            for (int threads : new int[] {1, 2}) {
                NativeRuntime.setOmpThreads(threads);
                // 8 channels: the whole sample (30 positions) in one tile; 48: tiles of 21 positions, the last one partial
                for (int channels : new int[] {8, 48}) {
                    ComputationGraph nchw = normOnly(channels, CNN2DFormat.NCHW);
                    ComputationGraph nhwc = normOnly(channels, CNN2DFormat.NHWC);
                    nhwc.getLayer("gn").params().assign(nchw.getLayer("gn").params());
                    Nd4j.getRandom().setSeed(5);
                    INDArray x = Nd4j.randn(DataType.FLOAT, 3, channels, 5, 6).muli(2).addi(1);
                    assertClose(nchw.outputSingle(x), nhwc.outputSingle(x), 2e-6, channels + " channels, " + threads
                            + " threads");
                }
            }
        } finally {
            NativeRuntime.setOmpThreads(before);
        }
    }

    /** x [N, C, 5, 6] (NCHW input) [→ NHWC] → GroupNorm(4) with SiLU [→ NCHW] → MSE, FLOAT. */
    private static ComputationGraph normOnly(int channels, CNN2DFormat layout) {
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT)
                .updater(new NoOp()).graphBuilder().addInputs("x")
                .setInputTypes(InputType.convolutional(5, 6, channels));
        String in = "x";
        if (layout == CNN2DFormat.NHWC) {
            b.addVertex("x_nhwc", new DataFormatVertex(CNN2DFormat.NHWC), "x");
            in = "x_nhwc";
        }
        b.addLayer("gn", GroupNormalization.of(4).withSilu(), in);
        String last = "gn";
        if (layout == CNN2DFormat.NHWC) {
            b.addVertex("gn_nchw", new DataFormatVertex(CNN2DFormat.NCHW), "gn");
            last = "gn_nchw";
        }
        ComputationGraph graph = TestGraphs.init(b.addLayer("out", new CnnLossLayer.Builder(
                LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).build(), last).setOutputs("out").build());
        TestGraphs.randomizeGroupNorm(graph, "gn", 23);
        return graph;
    }
}
