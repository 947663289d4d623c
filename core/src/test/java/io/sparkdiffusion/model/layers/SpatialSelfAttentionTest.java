package io.sparkdiffusion.model.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.distribution.ConstantDistribution;
import org.deeplearning4j.nn.conf.weightnoise.WeightNoise;
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
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;

import java.util.Arrays;

import static io.sparkdiffusion.model.layers.SpatialSelfAttentionParamInitializer.BIAS_OUT;
import static io.sparkdiffusion.model.layers.SpatialSelfAttentionParamInitializer.BIAS_QKV;
import static io.sparkdiffusion.model.layers.SpatialSelfAttentionParamInitializer.WEIGHT_OUT;
import static io.sparkdiffusion.model.layers.SpatialSelfAttentionParamInitializer.WEIGHT_QKV;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(DoublePrecision.class)
class SpatialSelfAttentionTest {

    private static final LayerWorkspaceMgr NO_WS = LayerWorkspaceMgr.noWorkspaces();
    private static final String[] PARAMS = {WEIGHT_QKV, BIAS_QKV, WEIGHT_OUT, BIAS_OUT};

    /** An attention layer over 8 channels of 3×3 with random parameters, taken out of a graph (fully set up). */
    private static Layer attentionLayer(int heads, long seed) {
        ComputationGraph graph = AttentionTestGraphs.init(
                AttentionTestGraphs.attentionOnly(8, heads, 3, DataType.DOUBLE));
        graph.initGradientsView();
        AttentionTestGraphs.randomizeAttention(graph, "attn", 1.5, seed);
        return graph.getLayer("attn");
    }

    private static INDArray input(long seed, long... shape) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.DOUBLE, shape);
    }

    /** Plain-Java spatial self-attention: tokens = positions, row-vector projections, softmax over the keys. */
    static double[] reference(INDArray xArr, int heads, double[][] wqkv, double[] bqkv, double[][] wo, double[] bo) {
        int n = (int) xArr.size(0);
        int c = (int) xArr.size(1);
        int l = (int) (xArr.size(2) * xArr.size(3));
        int d = c / heads;
        double[] x = xArr.dup('c').data().asDouble();
        double[] y = new double[x.length];
        for (int s = 0; s < n; s++) {
            double[][] qkv = new double[l][3 * c];
            for (int t = 0; t < l; t++) {
                for (int j = 0; j < 3 * c; j++) {
                    double sum = bqkv[j];
                    for (int ch = 0; ch < c; ch++) {
                        sum += x[(s * c + ch) * l + t] * wqkv[ch][j];
                    }
                    qkv[t][j] = sum;
                }
            }
            double[][] o = new double[l][c];
            for (int h = 0; h < heads; h++) {
                for (int t = 0; t < l; t++) {
                    double[] score = new double[l];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int u = 0; u < l; u++) {
                        double dot = 0;
                        for (int k = 0; k < d; k++) {
                            dot += qkv[t][h * d + k] * qkv[u][c + h * d + k];
                        }
                        score[u] = dot / Math.sqrt(d);
                        max = Math.max(max, score[u]);
                    }
                    double total = 0;
                    for (int u = 0; u < l; u++) {
                        score[u] = Math.exp(score[u] - max);
                        total += score[u];
                    }
                    for (int k = 0; k < d; k++) {
                        double sum = 0;
                        for (int u = 0; u < l; u++) {
                            sum += score[u] / total * qkv[u][2 * c + h * d + k];
                        }
                        o[t][h * d + k] = sum;
                    }
                }
            }
            for (int t = 0; t < l; t++) {
                for (int j = 0; j < c; j++) {
                    double sum = bo[j];
                    for (int ch = 0; ch < c; ch++) {
                        sum += o[t][ch] * wo[ch][j];
                    }
                    y[(s * c + j) * l + t] = sum;
                }
            }
        }
        return y;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void forwardMatchesPlainJavaReference(int heads) {
        Layer attn = attentionLayer(heads, 40 + heads);
        INDArray x = input(100 + heads, 2, 8, 3, 3);
        double[] expected = reference(x, heads, attn.getParam(WEIGHT_QKV).toDoubleMatrix(),
                attn.getParam(BIAS_QKV).toDoubleVector(), attn.getParam(WEIGHT_OUT).toDoubleMatrix(),
                attn.getParam(BIAS_OUT).toDoubleVector());

        for (boolean training : new boolean[] {true, false}) {
            attn.setInput(x, NO_WS);
            INDArray y = attn.activate(training, NO_WS);
            assertArrayEquals(x.shape(), y.shape());
            double[] actual = y.dup('c').data().asDouble();
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-10, "element " + i + " (heads " + heads + ", training "
                        + training + ")");
            }
        }
    }

    @Test
    void forwardOfNonContiguousInputMatchesContiguous() {
        Layer attn = attentionLayer(2, 5);
        INDArray x = input(5, 2, 8, 3, 3);
        attn.setInput(x, NO_WS);
        INDArray expected = attn.activate(false, NO_WS).dup();
        attn.setInput(x.dup('f'), NO_WS);
        assertTrue(expected.equalsWithEps(attn.activate(false, NO_WS), 1e-12));
        INDArray permuted = x.permute(0, 1, 3, 2).dup('c').permute(0, 1, 3, 2); // same values, strided
        attn.setInput(permuted, NO_WS);
        assertTrue(expected.equalsWithEps(attn.activate(true, NO_WS), 1e-12));
    }

    /** Central differences of L = Σ w ⊙ y against backpropGradient(w), for the input and all four parameters. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void backpropMatchesFiniteDifferencesForInputAndParams(int heads) {
        Layer attn = attentionLayer(heads, 60 + heads);
        INDArray x = input(200 + heads, 2, 8, 3, 3);
        INDArray w = input(300 + heads, 2, 8, 3, 3);

        attn.setInput(x, NO_WS);
        attn.activate(true, NO_WS);
        Pair<Gradient, INDArray> grads = attn.backpropGradient(w.dup(), NO_WS);
        INDArray dx = grads.getSecond().dup();
        INDArray[] dParams = new INDArray[PARAMS.length];
        for (int p = 0; p < PARAMS.length; p++) {
            dParams[p] = grads.getFirst().getGradientFor(PARAMS[p]).dup();
        }

        assertClose(numericalGradient(attn, x, w, x), dx, "input");
        for (int p = 0; p < PARAMS.length; p++) {
            assertClose(numericalGradient(attn, x, w, attn.getParam(PARAMS[p])), dParams[p], PARAMS[p]);
        }
    }

    /** Backprop on an input the layer has not seen in a training forward pass recomputes its cache. */
    @Test
    void backpropWithoutMatchingForwardRecomputesTheCache() {
        Layer attn = attentionLayer(2, 9);
        INDArray x = input(1, 2, 8, 3, 3);
        INDArray w = input(2, 2, 8, 3, 3);
        attn.setInput(x, NO_WS);
        attn.activate(true, NO_WS);
        Pair<Gradient, INDArray> first = attn.backpropGradient(w.dup(), NO_WS);
        INDArray expectedDx = first.getSecond().dup();
        INDArray expectedDWqkv = first.getFirst().getGradientFor(WEIGHT_QKV).dup();

        attn.setInput(input(3, 2, 8, 3, 3), NO_WS);
        attn.activate(true, NO_WS);                 // cache now holds another input
        attn.setInput(x.dup(), NO_WS);              // same values, new array, no forward pass
        Pair<Gradient, INDArray> second = attn.backpropGradient(w.dup(), NO_WS);
        assertTrue(expectedDx.equalsWithEps(second.getSecond(), 1e-12));
        assertTrue(expectedDWqkv.equalsWithEps(second.getFirst().getGradientFor(WEIGHT_QKV), 1e-12));

        attn.setInput(input(4, 3, 8, 3, 3), NO_WS); // another batch size: cache reallocated
        attn.activate(true, NO_WS);
        attn.setInput(x, NO_WS);
        attn.activate(false, NO_WS);                // an inference pass does not leave a usable cache
        Pair<Gradient, INDArray> third = attn.backpropGradient(w.dup(), NO_WS);
        assertTrue(expectedDx.equalsWithEps(third.getSecond(), 1e-12));
    }

    private static INDArray numericalGradient(Layer attn, INDArray x, INDArray w, INDArray perturbed) {
        double h = 1e-6;
        INDArray result = Nd4j.create(DataType.DOUBLE, perturbed.length());
        for (long i = 0; i < perturbed.length(); i++) { // linear (c-order) index, in place, also for views
            double orig = perturbed.getDouble(i);
            perturbed.putScalar(i, orig + h);
            double plus = loss(attn, x, w);
            perturbed.putScalar(i, orig - h);
            double minus = loss(attn, x, w);
            perturbed.putScalar(i, orig);
            result.putScalar(i, (plus - minus) / (2 * h));
        }
        return result.reshape(perturbed.shape());
    }

    private static double loss(Layer attn, INDArray x, INDArray w) {
        attn.setInput(x, NO_WS);
        return attn.activate(true, NO_WS).mul(w).sumNumber().doubleValue();
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        double[] e = expected.dup('c').data().asDouble();
        double[] a = actual.dup('c').data().asDouble();
        double maxAbs = 0;
        for (double v : e) {
            maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        assertTrue(maxAbs > 1e-3, what + ": gradient is (nearly) zero, the check would be vacuous");
        for (int i = 0; i < e.length; i++) {
            double abs = Math.abs(e[i] - a[i]);
            double rel = abs / Math.max(1e-12, Math.abs(e[i]) + Math.abs(a[i]));
            assertTrue(abs < 1e-7 || rel < 1e-6,
                    what + " gradient element " + i + ": numerical " + e[i] + " vs backprop " + a[i]);
        }
    }

    /**
     * GradientCheckUtil on x [2, 4, 3, 3] → conv → attention → Add(conv, attention) → MSE, all parameters. The conv
     * sits before the attention, so its gradients are only right if the attention's input gradient is.
     */
    @ParameterizedTest
    @CsvSource({"4, 2", "4, 1", "4, 4", "6, 3"})
    void gradientCheckInResidualGraph(int channels, int heads) {
        ComputationGraph graph = AttentionTestGraphs.init(AttentionTestGraphs.residualBlock(channels, heads, 3,
                new NoOp(), DataType.DOUBLE, WorkspaceMode.ENABLED));
        AttentionTestGraphs.randomizeAttention(graph, "attn", 1.0, 11);
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 2, 4, 3, 3);
        INDArray labels = Nd4j.randn(DataType.DOUBLE, 2, channels, 3, 3);
        boolean ok = TestGraphs.gradientCheck(graph, x, labels);
        assertTrue(ok, "gradient check failed for " + channels + " channels, " + heads + " heads");
    }

    /** With workspaces (cache reuse, ws arrays) the gradient equals the one computed without any workspace. */
    @Test
    void workspaceAndNoWorkspaceGradientsAgree() {
        ComputationGraph ws = AttentionTestGraphs.init(AttentionTestGraphs.residualBlock(8, 2, 4, new NoOp(),
                DataType.DOUBLE, WorkspaceMode.ENABLED));
        AttentionTestGraphs.randomizeAttention(ws, "attn", 1.0, 21);
        ComputationGraph none = AttentionTestGraphs.init(AttentionTestGraphs.residualBlock(8, 2, 4, new NoOp(),
                DataType.DOUBLE, WorkspaceMode.NONE));
        none.setParams(ws.params().dup());
        for (int batch : new int[] {3, 2, 2}) { // batch-size changes reallocate the cache
            INDArray x = input(30 + batch, batch, 4, 4, 4);
            INDArray labels = input(40 + batch, batch, 8, 4, 4);
            INDArray gWs = gradient(ws, x, labels);
            INDArray gNone = gradient(none, x, labels);
            assertTrue(gWs.equalsWithEps(gNone, 1e-12), "batch " + batch);
            assertTrue(ws.outputSingle(x).equalsWithEps(none.outputSingle(x), 1e-12));
        }
    }

    /**
     * Weight noise hands the layer parameter copies instead of the views whose bias row follows the weight matrix, so
     * the fused [W; b] matrices are assembled by copying; with zero additive noise the results must not change.
     */
    @Test
    void weightNoiseCopiesGiveTheSameResults() {
        ComputationGraph plain = AttentionTestGraphs.init(AttentionTestGraphs.residualBlock(8, 2, 4, new NoOp(),
                DataType.DOUBLE, WorkspaceMode.ENABLED));
        AttentionTestGraphs.randomizeAttention(plain, "attn", 1.0, 23);
        SpatialSelfAttention noisy = new SpatialSelfAttention.Builder().nHeads(2)
                .weightNoise(new WeightNoise(new ConstantDistribution(0.0), true, true)).build();
        ComputationGraph withNoise = AttentionTestGraphs.init(AttentionTestGraphs.residualBlock(noisy, 8, 4,
                new NoOp(), DataType.DOUBLE, WorkspaceMode.ENABLED));
        withNoise.setParams(plain.params().dup());
        INDArray x = input(50, 2, 4, 4, 4);
        INDArray labels = input(51, 2, 8, 4, 4);
        assertTrue(gradient(plain, x, labels).equalsWithEps(gradient(withNoise, x, labels), 1e-12));
        assertTrue(plain.feedForward(new INDArray[] {x}, true).get("attn")
                .equalsWithEps(withNoise.feedForward(new INDArray[] {x}, true).get("attn"), 1e-12));
    }

    @Test
    void fusedViewsOnlyForAdjacentWeightAndBias() {
        INDArray flat = Nd4j.rand(DataType.DOUBLE, 1, 30);
        INDArray w = flat.get(NDArrayIndex.interval(0, 0, true), NDArrayIndex.interval(2, 14)).reshape('c', 3, 4);
        INDArray b = flat.get(NDArrayIndex.interval(0, 0, true), NDArrayIndex.interval(14, 18));
        INDArray fused = SpatialSelfAttentionLayer.adjacentRows(w, b);
        assertArrayEquals(new long[] {4, 4}, fused.shape());
        assertEquals(flat.get(NDArrayIndex.interval(0, 0, true), NDArrayIndex.interval(2, 18)).reshape(4, 4), fused);
        fused.putScalar(3, 3, 42.0);
        assertEquals(42.0, b.getDouble(3), "a view, not a copy");
        INDArray notNext = flat.get(NDArrayIndex.interval(0, 0, true), NDArrayIndex.interval(15, 19));
        assertEquals(null, SpatialSelfAttentionLayer.adjacentRows(w, notNext));
        assertEquals(null, SpatialSelfAttentionLayer.adjacentRows(w, b.dup()));
        assertEquals(null, SpatialSelfAttentionLayer.adjacentRows(w.dup('f'), b));
    }

    private static INDArray gradient(ComputationGraph graph, INDArray x, INDArray labels) {
        graph.setInputs(x);
        graph.setLabels(labels);
        graph.computeGradientAndScore();
        return graph.gradient().gradient().dup();
    }

    @Test
    void outputProjectionIsZeroInitializedByDefault() {
        ComputationGraph graph = AttentionTestGraphs.init(
                AttentionTestGraphs.residualBlock(8, 2, 4, new NoOp(), DataType.DOUBLE, WorkspaceMode.ENABLED));
        Layer attn = graph.getLayer("attn");
        assertEquals(SpatialSelfAttentionParamInitializer.numParams(8), attn.numParams());
        assertEquals(0.0, attn.getParam(WEIGHT_OUT).norm1Number().doubleValue());
        assertEquals(0.0, attn.getParam(BIAS_OUT).norm1Number().doubleValue());
        assertEquals(0.0, attn.getParam(BIAS_QKV).norm1Number().doubleValue());
        INDArray wqkv = attn.getParam(WEIGHT_QKV);
        assertArrayEquals(new long[] {8, 24}, wqkv.shape());
        // Xavier (normal) with fan-in = fan-out = 8: std 0.35
        double std = wqkv.stdNumber().doubleValue();
        assertTrue(std > 0.25 && std < 0.45, "Wqkv std " + std);
        INDArray x = input(7, 2, 4, 4, 4);
        assertEquals(0.0, graph.feedForward(x, false).get("attn").norm1Number().doubleValue());

        SpatialSelfAttention conf = new SpatialSelfAttention.Builder().channels(8).nHeads(2).zeroInitOutput(false)
                .build();
        INDArray params = Nd4j.create(DataType.DOUBLE, 1, SpatialSelfAttentionParamInitializer.numParams(8));
        org.deeplearning4j.nn.conf.NeuralNetConfiguration nnc =
                new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().layer(conf).build();
        INDArray wo = SpatialSelfAttentionParamInitializer.getInstance().init(nnc, params, true).get(WEIGHT_OUT);
        assertTrue(wo.norm1Number().doubleValue() > 0, "zeroInitOutput(false) initializes Wo");
    }

    /** Float network, workspaces on (the default): a few Adam steps reduce the loss; inference works. */
    @Test
    void trainsWithWorkspacesInFloat() {
        ComputationGraph graph = AttentionTestGraphs.init(AttentionTestGraphs.residualBlock(8, 2, 4, new Adam(1e-2),
                DataType.FLOAT, WorkspaceMode.ENABLED));
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
        assertTrue(graph.getLayer("attn").getParam(WEIGHT_OUT).norm1Number().doubleValue() > 0, "Wo trained");
        INDArray out = graph.outputSingle(x);
        assertEquals(DataType.FLOAT, out.dataType());
        assertTrue(Arrays.equals(out.shape(), labels.shape()));
    }

    @Test
    void configurationIsValidated() {
        assertThrows(IllegalStateException.class, () -> AttentionTestGraphs.residualBlock(6, 4, 3, new NoOp(),
                DataType.DOUBLE, WorkspaceMode.ENABLED)); // 4 heads do not divide 6 channels
        assertThrows(IllegalStateException.class, () -> SpatialSelfAttention.of(8, 3));
        assertThrows(IllegalStateException.class, () -> SpatialSelfAttention.of(8, 0));
        assertThrows(IllegalArgumentException.class, () -> new SpatialSelfAttention.Builder().nHeads(2).channels(4)
                .activation(org.nd4j.linalg.activations.Activation.RELU).build());
        SpatialSelfAttention attn = SpatialSelfAttention.of(8, 2);
        assertEquals(8, attn.getNIn());
        assertEquals(8, attn.getNOut());
        assertEquals(2, attn.getNHeads());
        assertTrue(attn.isZeroInitOutput());
        org.deeplearning4j.nn.conf.inputs.InputType type =
                org.deeplearning4j.nn.conf.inputs.InputType.convolutional(7, 7, 8);
        assertEquals(type, attn.getOutputType(0, type));
        assertTrue(attn.getMemoryReport(type).getTotalMemoryBytes(1, org.deeplearning4j.nn.conf.memory.MemoryUseMode
                .TRAINING, org.deeplearning4j.nn.conf.CacheMode.NONE, DataType.FLOAT) > 0);
    }
}
