package io.sparkdiffusion.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class UNetBuilderTest {

    @Test
    void referenceSpecHasTheParameterCountOfThePyTorchReference() {
        // bench/reference/ddpm_ref.py prints "params: 624,161" for the same layout at 1x28x28
        ComputationGraph net = UNetBuilder.network(UNetSpec.reference(), new Adam(2e-4), 1);
        assertEquals(624_161, net.numParams());
    }

    @Test
    void theSameSeedGivesTheSameInitialWeightsZeroIncluded() {
        UNetSpec spec = new UNetSpec(1, 8, 8, List.of(1, 2), 1, 4, 16, 2, false, UNetSpec.Prediction.EPSILON);
        for (long seed : new long[] {0, 7}) {
            float[] first = UNetBuilder.network(spec, new Adam(1e-3), seed).params().toFloatVector();
            float[] second = UNetBuilder.network(spec, new Adam(1e-3), seed).params().toFloatVector();
            org.junit.jupiter.api.Assertions.assertArrayEquals(first, second, "seed " + seed);
        }
    }

    @Test
    void classConditioningAddsOneEmbeddingRowPerClassPlusTheNullClass() {
        UNetSpec spec = UNetSpec.reference().withClasses(10);
        ComputationGraph net = UNetBuilder.network(spec, new Adam(2e-4), 1);
        assertEquals(624_161 + 11 * 128, net.numParams());
    }

    @Test
    void outputHasTheImageShapeFor28And32And64() {
        for (int[] shape : new int[][] {{1, 28}, {3, 32}, {3, 64}}) {
            UNetSpec spec = new UNetSpec(shape[0], shape[1], 8, List.of(1, 2, 2), 1, 4, 16, 3, false,
                    UNetSpec.Prediction.EPSILON);
            ComputationGraph net = UNetBuilder.network(spec, new Adam(1e-3), 7);
            INDArray x = Nd4j.rand(DataType.FLOAT, 2, shape[0], shape[1], shape[1]);
            INDArray t = Nd4j.rand(DataType.FLOAT, 2, 16);
            INDArray label = NetworkInputs.labelInput(new int[] {0, 2}, 2, 3);
            INDArray out = net.output(false, x, t, label)[0];
            assertArrayEquals(new long[] {2, shape[0], shape[1], shape[1]}, out.shape());
        }
    }

    @Test
    void configurationSurvivesJsonAndModelSerializerRoundTrips() throws Exception {
        UNetSpec spec = new UNetSpec(1, 8, 8, List.of(1, 2), 2, 4, 16, 2, false, UNetSpec.Prediction.EPSILON);
        ComputationGraphConfiguration conf = UNetBuilder.configuration(spec, new Adam(1e-3), 3);
        assertEquals(conf, ComputationGraphConfiguration.fromJson(conf.toJson()));

        ComputationGraph net = UNetBuilder.network(spec, new Adam(1e-3), 3);
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 1, 8, 8);
        INDArray t = Nd4j.rand(DataType.FLOAT, 3, 16);
        INDArray label = NetworkInputs.labelInput(new int[] {0, 1, NetworkDenoiser.NO_LABEL}, 3, 2);
        INDArray before = net.output(false, x, t, label)[0];

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, bytes, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(
                new ByteArrayInputStream(bytes.toByteArray()), true);
        assertEquals(net.params(), restored.params());
        assertEquals(before, restored.output(false, x, t, label)[0]);
    }

    @Test
    void attentionAtTheLowestLevelAddsGroupNormAndAttentionParameters() throws Exception {
        UNetSpec plain = new UNetSpec(1, 8, 8, List.of(1, 2), 1, 4, 16, 0, false, UNetSpec.Prediction.EPSILON);
        UNetSpec attending = new UNetSpec(1, 8, 8, List.of(1, 2), 1, 4, 16, 0, true, UNetSpec.Prediction.EPSILON);
        ComputationGraph a = UNetBuilder.network(attending, new Adam(1e-3), 3);
        int c = 16; // lowest level: 8 x 2
        long perBlock = 2L * c + (c * 3L * c + 3L * c) + (c * (long) c + c); // GN + qkv + out projection
        assertEquals(UNetBuilder.network(plain, new Adam(1e-3), 3).numParams() + 2 * perBlock, a.numParams(),
                "one attention block after the down and one after the up block of the lowest level");
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 1, 8, 8);
        INDArray t = Nd4j.rand(DataType.FLOAT, 2, 16);
        INDArray before = a.output(false, x, t)[0];
        assertArrayEquals(new long[] {2, 1, 8, 8}, before.shape());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(a, bytes, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes.toByteArray()), true);
        assertEquals(before, restored.output(false, x, t)[0]);
    }

    @Test
    void groupsThatDoNotDivideTheChannelsAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> new UNetSpec(1, 28, 30, List.of(1, 2), 1, 8, 128, 0, false, UNetSpec.Prediction.EPSILON));
    }
}
