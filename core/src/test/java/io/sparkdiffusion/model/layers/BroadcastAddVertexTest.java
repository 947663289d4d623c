package io.sparkdiffusion.model.layers;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(DoublePrecision.class)
class BroadcastAddVertexTest {

    private static final LayerWorkspaceMgr NO_WS = LayerWorkspaceMgr.noWorkspaces();

    private static GraphVertex vertex() {
        ComputationGraph graph = TestGraphs.init(TestGraphs.broadcastAddGraph(new NoOp(), DataType.DOUBLE));
        GraphVertex add = graph.getVertex("add");
        assertInstanceOf(BroadcastAddVertexImpl.class, add);
        return add;
    }

    @Test
    void forwardAddsTheVectorToEveryPixelOfItsChannel() {
        GraphVertex add = vertex();
        Nd4j.getRandom().setSeed(1);
        INDArray maps = Nd4j.randn(DataType.DOUBLE, 2, 4, 3, 5);
        INDArray vector = Nd4j.randn(DataType.DOUBLE, 2, 4);
        add.setInput(0, maps, NO_WS);
        add.setInput(1, vector, NO_WS);
        INDArray out = add.doForward(false, NO_WS);
        assertArrayEquals(maps.shape(), out.shape());
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < 4; c++) {
                for (int h = 0; h < 3; h++) {
                    for (int w = 0; w < 5; w++) {
                        assertEquals(maps.getDouble(n, c, h, w) + vector.getDouble(n, c), out.getDouble(n, c, h, w),
                                0.0);
                    }
                }
            }
        }
    }

    /** The vector's gradient is epsilon summed over H and W, exactly (the SameDiff lambda vertex gave 2x this). */
    @Test
    void backwardPassesEpsilonToMapsAndItsSpatialSumToVector() {
        GraphVertex add = vertex();
        Nd4j.getRandom().setSeed(2);
        INDArray maps = Nd4j.randn(DataType.DOUBLE, 2, 4, 3, 5);
        INDArray vector = Nd4j.randn(DataType.DOUBLE, 2, 4);
        INDArray epsilon = Nd4j.randn(DataType.DOUBLE, 2, 4, 3, 5);
        add.setInput(0, maps, NO_WS);
        add.setInput(1, vector, NO_WS);
        add.doForward(true, NO_WS);
        add.setEpsilon(epsilon);
        Pair<Gradient, INDArray[]> result = add.doBackward(false, NO_WS);

        assertNull(result.getFirst());
        INDArray mapsGrad = result.getSecond()[0];
        INDArray vectorGrad = result.getSecond()[1];
        assertEquals(epsilon, mapsGrad);
        assertArrayEquals(new long[] {2, 4}, vectorGrad.shape());
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < 4; c++) {
                double sum = 0;
                for (int h = 0; h < 3; h++) {
                    for (int w = 0; w < 5; w++) {
                        sum += epsilon.getDouble(n, c, h, w);
                    }
                }
                assertEquals(sum, vectorGrad.getDouble(n, c), 1e-12, "sample " + n + " channel " + c);
            }
        }
    }

    /** Two inputs, x → conv and v → dense, joined by the vertex: the dense's gradients check the vector gradient. */
    @Test
    void gradientCheckInGraph() {
        ComputationGraph graph = TestGraphs.init(TestGraphs.broadcastAddGraph(new NoOp(), DataType.DOUBLE));
        TestGraphs.randomizeGroupNorm(graph, "gn", 5);
        Nd4j.getRandom().setSeed(4);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 2, 4, 4, 4);
        INDArray v = Nd4j.randn(DataType.DOUBLE, 2, 6);
        INDArray labels = Nd4j.randn(DataType.DOUBLE, 2, 4, 4, 4);
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(graph)
                .inputs(new INDArray[] {x, v}).labels(new INDArray[] {labels})
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-8)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
        assertTrue(ok, "gradient check failed");
    }

    /** Without a GroupNorm after it the loss is directly sensitive to a wrong scale of the vector gradient. */
    @Test
    void gradientCheckWithLossRightAfterTheVertex() {
        ComputationGraph graph = TestGraphs.init(new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE).seed(3).updater(new NoOp())
                .graphBuilder()
                .addInputs("x", "v")
                .setInputTypes(InputType.convolutional(3, 3, 2), InputType.feedForward(5))
                .addLayer("dense", new DenseLayer.Builder().nOut(2)
                        .activation(org.nd4j.linalg.activations.Activation.TANH).build(), "v")
                .addVertex("add", new BroadcastAddVertex(), "x", "dense")
                .addLayer("out", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
                        .activation(org.nd4j.linalg.activations.Activation.TANH).build(), "add")
                .setOutputs("out")
                .build());
        Nd4j.getRandom().setSeed(6);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 3, 2, 3, 3);
        INDArray v = Nd4j.randn(DataType.DOUBLE, 3, 5);
        INDArray labels = Nd4j.randn(DataType.DOUBLE, 3, 2, 3, 3);
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(graph)
                .inputs(new INDArray[] {x, v}).labels(new INDArray[] {labels})
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-8)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
        assertTrue(ok, "gradient check failed");
    }

    @Test
    void outputTypeIsTheFeatureMapsAndChannelsMustMatch() {
        BroadcastAddVertex conf = new BroadcastAddVertex();
        InputType maps = InputType.convolutional(7, 5, 4);
        assertEquals(maps, conf.getOutputType(-1, maps, InputType.feedForward(4)));
        assertThrows(RuntimeException.class, () -> conf.getOutputType(-1, maps, InputType.feedForward(3)));
        assertThrows(RuntimeException.class, () -> conf.getOutputType(-1, InputType.feedForward(4), maps));
        assertThrows(RuntimeException.class, () -> new NeuralNetConfiguration.Builder().graphBuilder()
                .addInputs("x", "v")
                .setInputTypes(InputType.convolutional(4, 4, 4), InputType.feedForward(3))
                .addVertex("add", new BroadcastAddVertex(), "x", "v")
                .addLayer("out", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE).build(), "add")
                .setOutputs("out")
                .build());
    }

    @Test
    void masksPassThrough() {
        GraphVertex add = vertex();
        assertNull(add.feedForwardMaskArrays(null, null, 2).getFirst());
        INDArray mask = Nd4j.ones(DataType.DOUBLE, 2, 1);
        assertEquals(mask, add.feedForwardMaskArrays(new INDArray[] {mask, null}, null, 2).getFirst());
    }
}
