package io.sparkdiffusion.model.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(DoublePrecision.class)
class GroupNormLayerTest {

    private static final LayerWorkspaceMgr NO_WS = LayerWorkspaceMgr.noWorkspaces();

    /** A GroupNorm layer over 8 channels with random gamma/beta, taken out of a graph (so it is fully set up). */
    private static Layer groupNormLayer(int groups) {
        ComputationGraph graph = TestGraphs.init(TestGraphs.groupNormGraph(8, groups, new NoOp(), DataType.DOUBLE));
        graph.initGradientsView();
        TestGraphs.randomizeGroupNorm(graph, "gn", 7 + groups);
        return graph.getLayer("gn");
    }

    /** Input with per-channel offsets and scales, so group statistics are far from 0 / 1. */
    private static INDArray input(long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 2, 8, 4, 4);
        INDArray scale = Nd4j.rand(DataType.DOUBLE, 1, 8, 1, 1).muli(3).addi(0.2);
        INDArray shift = Nd4j.randn(DataType.DOUBLE, 1, 8, 1, 1).muli(2);
        return x.muli(scale).addi(shift);
    }

    /** Plain-Java PyTorch nn.GroupNorm. */
    private static double[] reference(INDArray xArr, int groups, double[] gamma, double[] beta, double eps) {
        int n = (int) xArr.size(0);
        int c = (int) xArr.size(1);
        int hw = (int) (xArr.size(2) * xArr.size(3));
        double[] x = xArr.dup('c').data().asDouble();
        double[] y = new double[x.length];
        int cg = c / groups;
        for (int s = 0; s < n; s++) {
            for (int g = 0; g < groups; g++) {
                int from = (s * c + g * cg) * hw;
                int count = cg * hw;
                double sum = 0;
                for (int i = 0; i < count; i++) {
                    sum += x[from + i];
                }
                double mean = sum / count;
                double sq = 0;
                for (int i = 0; i < count; i++) {
                    sq += (x[from + i] - mean) * (x[from + i] - mean);
                }
                double invStd = 1.0 / Math.sqrt(sq / count + eps);
                for (int i = 0; i < count; i++) {
                    int ch = g * cg + i / hw;
                    y[from + i] = gamma[ch] * (x[from + i] - mean) * invStd + beta[ch];
                }
            }
        }
        return y;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4, 8})
    void forwardMatchesPlainJavaReference(int groups) {
        Layer gn = groupNormLayer(groups);
        INDArray x = input(100 + groups);
        double[] gamma = gn.getParam(GroupNormParamInitializer.GAMMA).dup().data().asDouble();
        double[] beta = gn.getParam(GroupNormParamInitializer.BETA).dup().data().asDouble();
        double[] expected = reference(x, groups, gamma, beta, 1e-5);

        for (boolean training : new boolean[] {true, false}) {
            gn.setInput(x, NO_WS);
            INDArray y = gn.activate(training, NO_WS);
            assertEquals(4, y.rank());
            double[] actual = y.dup('c').data().asDouble();
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-10, "element " + i + " (groups " + groups + ")");
            }
        }
    }

    /** Float activations with |mean| >> std: the variance must not come from E[x²] − mean² (cancellation). */
    @Test
    void forwardIsAccurateInFloatForLargeMeans() {
        ComputationGraph graph = TestGraphs.init(TestGraphs.groupNormGraph(8, 4, new NoOp(), DataType.FLOAT));
        Layer gn = graph.getLayer("gn");
        INDArray xDouble = input(9).addi(1000.0);
        double[] ones = new double[8];
        java.util.Arrays.fill(ones, 1.0);
        double[] expected = reference(xDouble, 4, ones, new double[8], 1e-5); // gamma = 1, beta = 0 (the init)
        gn.setInput(xDouble.castTo(DataType.FLOAT), NO_WS);
        double[] actual = gn.activate(false, NO_WS).castTo(DataType.DOUBLE).dup('c').data().asDouble();
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 2e-3, "element " + i);
        }
    }

    @Test
    void forwardOfNonContiguousInputMatchesContiguous() {
        Layer gn = groupNormLayer(4);
        INDArray x = input(5);
        gn.setInput(x, NO_WS);
        INDArray expected = gn.activate(false, NO_WS).dup();
        INDArray xFortran = x.dup('f');
        gn.setInput(xFortran, NO_WS);
        INDArray actual = gn.activate(false, NO_WS);
        assertTrue(expected.equalsWithEps(actual, 1e-12));
    }

    /** Finite differences of L = Σ w ⊙ y against backpropGradient(w), for the input and for gamma and beta. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 8})
    void backpropMatchesFiniteDifferencesForInputAndParams(int groups) {
        Layer gn = groupNormLayer(groups);
        INDArray x = input(200 + groups);
        INDArray w = Nd4j.randn(DataType.DOUBLE, x.shape());

        gn.setInput(x, NO_WS);
        gn.activate(true, NO_WS);
        Pair<Gradient, INDArray> grads = gn.backpropGradient(w.dup(), NO_WS);
        INDArray dx = grads.getSecond().dup();
        INDArray dGamma = grads.getFirst().getGradientFor(GroupNormParamInitializer.GAMMA).dup();
        INDArray dBeta = grads.getFirst().getGradientFor(GroupNormParamInitializer.BETA).dup();

        assertClose(numericalGradient(gn, x, w, x), dx, "input");
        assertClose(numericalGradient(gn, x, w, gn.getParam(GroupNormParamInitializer.GAMMA)), dGamma, "gamma");
        assertClose(numericalGradient(gn, x, w, gn.getParam(GroupNormParamInitializer.BETA)), dBeta, "beta");
    }

    /** Backprop on an input the layer has not seen in a forward pass recomputes the statistics. */
    @Test
    void backpropWithoutMatchingForwardRecomputesStatistics() {
        Layer gn = groupNormLayer(4);
        INDArray x = input(1);
        INDArray w = Nd4j.randn(DataType.DOUBLE, x.shape());
        gn.setInput(x, NO_WS);
        gn.activate(true, NO_WS);
        INDArray expected = gn.backpropGradient(w.dup(), NO_WS).getSecond().dup();

        gn.setInput(input(2), NO_WS);
        gn.activate(true, NO_WS);
        gn.setInput(x.dup(), NO_WS); // new array object, no forward pass on it
        INDArray actual = gn.backpropGradient(w.dup(), NO_WS).getSecond();
        assertTrue(expected.equalsWithEps(actual, 1e-12));
    }

    /** In a graph's training step, backprop reuses the statistics of the forward pass (with workspaces on). */
    @Test
    void trainingStepComputesStatisticsOnce() {
        ComputationGraph graph = TestGraphs.init(TestGraphs.groupNormGraph(8, 4, new Adam(1e-3), DataType.FLOAT));
        GroupNormLayer gn = (GroupNormLayer) graph.getLayer("gn");
        graph.setInputs(Nd4j.randn(DataType.FLOAT, 2, 4, 4, 4));
        graph.setLabels(Nd4j.randn(DataType.FLOAT, 2, 8, 4, 4));
        int before = gn.statsComputations;
        graph.computeGradientAndScore();
        assertEquals(before + 1, gn.statsComputations);
    }

    private static INDArray numericalGradient(Layer gn, INDArray x, INDArray w, INDArray perturbed) {
        double h = 1e-6;
        INDArray result = Nd4j.create(DataType.DOUBLE, perturbed.length());
        for (long i = 0; i < perturbed.length(); i++) { // linear (c-order) index, in place, also for views
            double orig = perturbed.getDouble(i);
            perturbed.putScalar(i, orig + h);
            double plus = loss(gn, x, w);
            perturbed.putScalar(i, orig - h);
            double minus = loss(gn, x, w);
            perturbed.putScalar(i, orig);
            result.putScalar(i, (plus - minus) / (2 * h));
        }
        return result.reshape(perturbed.shape());
    }

    private static double loss(Layer gn, INDArray x, INDArray w) {
        gn.setInput(x, NO_WS);
        return gn.activate(true, NO_WS).mul(w).sumNumber().doubleValue();
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        double[] e = expected.dup('c').data().asDouble();
        double[] a = actual.dup('c').data().asDouble();
        assertEquals(e.length, a.length, what + " length");
        for (int i = 0; i < e.length; i++) {
            double abs = Math.abs(e[i] - a[i]);
            double rel = abs / Math.max(1e-12, Math.abs(e[i]) + Math.abs(a[i]));
            assertTrue(abs < 1e-7 || rel < 1e-6,
                    what + " gradient element " + i + ": numerical " + e[i] + " vs backprop " + a[i]);
        }
    }

    /** GradientCheckUtil on x → conv → GroupNorm → SiLU → MSE; the conv's gradients also check GroupNorm's input gradient. */
    @ParameterizedTest
    @CsvSource({"8, 4", "8, 8", "4, 1", "8, 2"})
    void gradientCheckInGraph(int channels, int groups) {
        ComputationGraph graph = TestGraphs.init(TestGraphs.groupNormGraph(channels, groups, new NoOp(), DataType.DOUBLE));
        TestGraphs.randomizeGroupNorm(graph, "gn", 11);
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 2, 4, 4, 4);
        INDArray labels = Nd4j.randn(DataType.DOUBLE, 2, channels, 4, 4);
        boolean ok = TestGraphs.gradientCheck(graph, x, labels);
        assertTrue(ok, "gradient check failed for " + channels + " channels, " + groups + " groups");
    }

    /** Float network, workspaces on (the default): a few Adam steps reduce the loss; inference works. */
    @Test
    void trainsWithWorkspacesInFloat() {
        ComputationGraph graph = TestGraphs.init(TestGraphs.groupNormGraph(8, 4, new Adam(1e-2), DataType.FLOAT));
        Nd4j.getRandom().setSeed(9);
        INDArray x = Nd4j.randn(DataType.FLOAT, 8, 4, 4, 4);
        INDArray labels = Nd4j.randn(DataType.FLOAT, 8, 8, 4, 4).muli(0.5);
        MultiDataSet data = new org.nd4j.linalg.dataset.MultiDataSet(x, labels);
        double before = graph.score(data);
        for (int i = 0; i < 30; i++) {
            graph.fit(data);
        }
        double after = graph.score(data);
        assertTrue(after < 0.9 * before, "loss " + before + " -> " + after);
        INDArray out = graph.outputSingle(x);
        assertEquals(DataType.FLOAT, out.dataType());
        assertTrue(out.shapeDescriptor().equals(labels.shapeDescriptor()) || java.util.Arrays.equals(out.shape(), labels.shape()));
    }

    @Test
    void configurationIsValidated() {
        assertThrows(IllegalStateException.class,
                () -> TestGraphs.groupNormGraph(6, 4, new NoOp(), DataType.DOUBLE)); // 4 groups do not divide 6
        assertThrows(IllegalArgumentException.class, () -> new GroupNormalization.Builder().nGroups(2).channels(4)
                .activation(org.nd4j.linalg.activations.Activation.RELU).build());
        assertThrows(IllegalStateException.class, () -> GroupNormalization.of(3, 8));
        // like DL4J's own layers: with input types set, the graph builder overrides nIn from the input type
        org.deeplearning4j.nn.conf.ComputationGraphConfiguration conf =
                new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().graphBuilder().addInputs("x")
                        .setInputTypes(org.deeplearning4j.nn.conf.inputs.InputType.convolutional(4, 4, 4))
                        .addLayer("gn", GroupNormalization.of(2, 8), "x")
                        .addLayer("out", new org.deeplearning4j.nn.conf.layers.CnnLossLayer.Builder().build(), "gn")
                        .setOutputs("out").build();
        GroupNormalization gn = (GroupNormalization) ((org.deeplearning4j.nn.conf.graph.LayerVertex)
                conf.getVertices().get("gn")).getLayerConf().getLayer();
        assertEquals(4, gn.getNIn());
        assertEquals(4, gn.getNOut());
        assertThrows(IllegalStateException.class, () -> gn.setNIn(
                org.deeplearning4j.nn.conf.inputs.InputType.convolutional(4, 4, 6), false));
        assertEquals(8, GroupNormalization.of(2, 8).getNIn());
        assertEquals(1e-5, GroupNormalization.of(2, 8).getEps());
    }
}
