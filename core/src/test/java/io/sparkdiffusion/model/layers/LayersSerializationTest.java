package io.sparkdiffusion.model.layers;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
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
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LayersSerializationTest {

    private static ComputationGraphConfiguration conf() {
        return TestGraphs.broadcastAddGraph(new Adam(1e-2), DataType.FLOAT);
    }

    @Test
    void jsonRoundTripGivesAnEqualConfiguration() {
        ComputationGraphConfiguration conf = conf();
        String json = conf.toJson();
        assertTrue(json.contains(GroupNormalization.class.getName()), "layer class name in JSON");
        assertTrue(json.contains(BroadcastAddVertex.class.getName()), "vertex class name in JSON");

        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
        assertEquals(conf, back);
        assertEquals(json, back.toJson());
        assertInstanceOf(BroadcastAddVertex.class, back.getVertices().get("add"));
        GroupNormalization gn = (GroupNormalization) ((LayerVertex) back.getVertices().get("gn")).getLayerConf().getLayer();
        assertEquals(2, gn.getNGroups());
        assertEquals(4, gn.getNIn());
        assertEquals(4, gn.getNOut());
        assertEquals(1e-5, gn.getEps());
        assertInstanceOf(ActivationIdentity.class, gn.getActivationFn());
    }

    /** The fused activation is part of the JSON (by class name) and of equality; JSON without it reads as identity. */
    @Test
    void groupNormWithSiluSurvivesJsonAndDiffersFromWithout() {
        ComputationGraphConfiguration conf = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder()
                .graphBuilder().addInputs("x")
                .setInputTypes(org.deeplearning4j.nn.conf.inputs.InputType.convolutional(4, 4, 8))
                .addLayer("gn", GroupNormalization.of(2, 8).withSilu(), "x")
                .addLayer("out", new org.deeplearning4j.nn.conf.layers.CnnLossLayer.Builder().build(), "gn")
                .setOutputs("out").build();
        String json = conf.toJson();
        assertTrue(json.contains(ActivationSiLU.class.getName()), "activation class name in JSON");
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
        assertEquals(conf, back);
        GroupNormalization gn = (GroupNormalization) ((LayerVertex) back.getVertices().get("gn")).getLayerConf().getLayer();
        assertTrue(gn.hasSilu());
        assertNotEquals(GroupNormalization.of(2, 8), GroupNormalization.of(2, 8).withSilu());
        assertTrue(!GroupNormalization.of(2, 8).hasSilu());
        assertEquals(GroupNormalization.of(2, 8).withSilu(), new GroupNormalization.Builder().nGroups(2).channels(8)
                .activation(new ActivationSiLU()).build());
    }

    @Test
    void javaSerializationRoundTripGivesAnEqualConfiguration() throws Exception {
        ComputationGraphConfiguration conf = conf();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(conf);
        }
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(
                new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            assertEquals(conf, in.readObject());
        }
    }

    @Test
    void groupNormFieldsTakePartInEquality() {
        GroupNormalization a = new GroupNormalization.Builder().nGroups(2).channels(8).eps(1e-6).name("gn").build();
        GroupNormalization b = new GroupNormalization.Builder().nGroups(2).channels(8).eps(1e-6).name("gn").build();
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals(a, a.clone());
        assertNotEquals(a, new GroupNormalization.Builder().nGroups(4).channels(8).eps(1e-6).name("gn").build());
        assertNotEquals(a, new GroupNormalization.Builder().nGroups(2).channels(8).eps(1e-5).name("gn").build());
        assertNotEquals(a, new GroupNormalization.Builder().nGroups(2).channels(4).eps(1e-6).name("gn").build());
        assertEquals(new BroadcastAddVertex(), new BroadcastAddVertex().clone());
    }

    @Test
    void modelSerializerRoundTripKeepsParamsUpdaterAndOutputs(@TempDir Path dir) throws Exception {
        ComputationGraph graph = TestGraphs.init(conf());
        Nd4j.getRandom().setSeed(8);
        INDArray x = Nd4j.randn(DataType.FLOAT, 4, 4, 4, 4);
        INDArray v = Nd4j.randn(DataType.FLOAT, 4, 6);
        INDArray labels = Nd4j.randn(DataType.FLOAT, 4, 4, 4, 4);
        MultiDataSet data = new MultiDataSet(new INDArray[] {x, v}, new INDArray[] {labels});
        for (int i = 0; i < 3; i++) {
            graph.fit(data); // params away from their init, Adam state non-zero
        }

        File file = dir.resolve("graph.zip").toFile();
        ModelSerializer.writeModel(graph, file, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);

        assertEquals(graph.getConfiguration(), restored.getConfiguration());
        assertArrayEquals(graph.params().toFloatVector(), restored.params().toFloatVector());
        assertArrayEquals(graph.getUpdater().getStateViewArray().toFloatVector(),
                restored.getUpdater().getStateViewArray().toFloatVector());
        INDArray expected = graph.outputSingle(x, v);
        INDArray actual = restored.outputSingle(x, v);
        assertArrayEquals(expected.reshape(expected.length()).toFloatVector(),
                actual.reshape(actual.length()).toFloatVector());

        graph.fit(data);
        restored.fit(data);
        assertTrue(graph.params().equalsWithEps(restored.params(), 1e-6), "one more step agrees");
    }
}
