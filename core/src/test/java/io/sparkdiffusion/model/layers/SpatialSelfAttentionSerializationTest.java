package io.sparkdiffusion.model.layers;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

import java.io.File;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpatialSelfAttentionSerializationTest {

    private static ComputationGraphConfiguration conf() {
        return AttentionTestGraphs.residualBlock(8, 2, 4, new Adam(1e-2), DataType.FLOAT, WorkspaceMode.ENABLED);
    }

    @Test
    void jsonRoundTripGivesAnEqualConfiguration() {
        ComputationGraphConfiguration conf = conf();
        String json = conf.toJson();
        assertTrue(json.contains(SpatialSelfAttention.class.getName()), "layer class name in JSON");

        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
        assertEquals(conf, back);
        assertEquals(json, back.toJson());
        SpatialSelfAttention attn = (SpatialSelfAttention)
                ((LayerVertex) back.getVertices().get("attn")).getLayerConf().getLayer();
        assertEquals(2, attn.getNHeads());
        assertEquals(8, attn.getNIn());
        assertEquals(8, attn.getNOut());
        assertTrue(attn.isZeroInitOutput());
        assertInstanceOf(ActivationIdentity.class, attn.getActivationFn());

        SpatialSelfAttention noZero = new SpatialSelfAttention.Builder().channels(16).nHeads(4)
                .zeroInitOutput(false).name("a").build();
        String layerJson = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().layer(noZero).build()
                .toJson();
        SpatialSelfAttention noZeroBack = (SpatialSelfAttention)
                org.deeplearning4j.nn.conf.NeuralNetConfiguration.fromJson(layerJson).getLayer();
        assertFalse(noZeroBack.isZeroInitOutput());
        assertEquals(4, noZeroBack.getNHeads());
        assertEquals(16, noZeroBack.getNOut());
    }

    @Test
    void attentionFieldsTakePartInEquality() {
        SpatialSelfAttention a = new SpatialSelfAttention.Builder().channels(8).nHeads(2).name("attn").build();
        SpatialSelfAttention b = new SpatialSelfAttention.Builder().channels(8).nHeads(2).name("attn").build();
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals(a, a.clone());
        assertNotEquals(a, new SpatialSelfAttention.Builder().channels(8).nHeads(4).name("attn").build());
        assertNotEquals(a, new SpatialSelfAttention.Builder().channels(4).nHeads(2).name("attn").build());
        assertNotEquals(a, new SpatialSelfAttention.Builder().channels(8).nHeads(2).zeroInitOutput(false)
                .name("attn").build());
        assertNotEquals(a, GroupNormalization.of(2, 8));
    }

    @Test
    void modelSerializerRoundTripKeepsParamsUpdaterAndOutputs(@TempDir Path dir) throws Exception {
        ComputationGraph graph = AttentionTestGraphs.init(conf());
        Nd4j.getRandom().setSeed(8);
        INDArray x = Nd4j.randn(DataType.FLOAT, 4, 4, 4, 4);
        INDArray labels = Nd4j.randn(DataType.FLOAT, 4, 8, 4, 4);
        MultiDataSet data = new MultiDataSet(new INDArray[] {x}, new INDArray[] {labels});
        for (int i = 0; i < 3; i++) {
            graph.fit(data); // params away from their init (Wo no longer zero), Adam state non-zero
        }

        File file = dir.resolve("graph.zip").toFile();
        ModelSerializer.writeModel(graph, file, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);

        assertEquals(graph.getConfiguration(), restored.getConfiguration());
        assertArrayEquals(graph.params().toFloatVector(), restored.params().toFloatVector());
        assertArrayEquals(graph.getUpdater().getStateViewArray().toFloatVector(),
                restored.getUpdater().getStateViewArray().toFloatVector());
        INDArray expected = graph.outputSingle(x);
        INDArray actual = restored.outputSingle(x);
        assertArrayEquals(expected.reshape(expected.length()).toFloatVector(),
                actual.reshape(actual.length()).toFloatVector());

        graph.fit(data);
        restored.fit(data);
        assertTrue(graph.params().equalsWithEps(restored.params(), 1e-6), "one more step agrees");
    }
}
