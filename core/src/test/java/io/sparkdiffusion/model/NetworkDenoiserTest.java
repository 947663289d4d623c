package io.sparkdiffusion.model;

import io.sparkdiffusion.runtime.NativeRuntime;
import io.sparkdiffusion.schedule.NoiseSchedule;
import io.sparkdiffusion.schedule.ScheduleSpec;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

import java.io.File;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetworkDenoiserTest {

    private static final NoiseSchedule SCHEDULE = NoiseSchedule.of(ScheduleSpec.DEFAULT);

    /** Parameters away from their init (GroupNorm gamma/beta are 1/0 there), as after training. */
    private static void perturb(ComputationGraph net, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray p = net.params();
        p.addi(Nd4j.randn(DataType.FLOAT, p.shape()).muli(0.05));
    }

    private static void assertClose(INDArray expected, INDArray actual) {
        double scale = Math.max(1.0, expected.amaxNumber().doubleValue());
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(diff < 2e-5 * scale, "max difference " + diff + " (scale " + scale + ")");
    }

    @Test
    void channelsLastInferenceGivesTheNetworksPredictions() {
        for (UNetSpec spec : List.of(UNetSpec.reference(),
                new UNetSpec(3, 16, 16, List.of(1, 2), 1, 4, 32, 3, false, UNetSpec.Prediction.V))) {
            ComputationGraph net = UNetBuilder.network(spec, new Adam(1e-3), 11);
            perturb(net, 12);
            NetworkDenoiser fast = new NetworkDenoiser(net, spec, SCHEDULE);
            NetworkDenoiser plain = new NetworkDenoiser(net, spec, SCHEDULE, false);
            if (NativeRuntime.layerHelpersEnabled()) {
                assertNotSame(net, fast.inferenceNetwork(), "NHWC twin in use");
            }
            assertSame(net, plain.inferenceNetwork());
            Nd4j.getRandom().setSeed(13);
            INDArray x = Nd4j.randn(DataType.FLOAT, 5, spec.imageChannels(), spec.imageSize(), spec.imageSize());
            int[] labels = spec.conditional() ? new int[] {0, 1, 2, NetworkDenoiser.NO_LABEL, 1} : null;
            assertClose(plain.predictNoise(x, 500, labels), fast.predictNoise(x, 500, labels));

            // later parameter changes are seen
            perturb(net, 14);
            assertClose(plain.predictNoise(x, 20, labels), fast.predictNoise(x, 20, labels));
        }
    }

    @Test
    void aNetworkThatIsNotTheBuildersIsUsedAsItIs() {
        UNetSpec spec = UNetSpec.reference();
        UNetSpec other = new UNetSpec(1, 28, 16, List.of(1, 2), 1, 4, 32, 0, false, UNetSpec.Prediction.EPSILON);
        ComputationGraph net = UNetBuilder.network(other, new Adam(1e-3), 1);
        NetworkDenoiser denoiser = new NetworkDenoiser(net, spec, SCHEDULE);
        assertSame(net, denoiser.inferenceNetwork());
        assertEquals(624_161, UNetBuilder.network(spec, new Adam(1e-3), 1).numParams());
    }

    /**
     * A checkpoint written before GroupNorm and SiLU were fused (a GroupNormalization layer, then an ActivationLayer
     * "..._silu") loads with its own configuration, gets an NHWC twin of its own form, and predicts what the fused
     * network with the same parameters predicts.
     */
    @Test
    void aCheckpointOfTheSeparateFormLoadsAndPredictsLikeTheFusedForm(@TempDir Path dir) throws Exception {
        UNetSpec spec = new UNetSpec(3, 16, 16, List.of(1, 2), 1, 4, 32, 3, false, UNetSpec.Prediction.EPSILON);
        ComputationGraph old = UNetBuilder.network(UNetBuilder.configuration(spec, new Adam(1e-3), 5, 0,
                CNN2DFormat.NCHW, UNetBuilder.NormSilu.SEPARATE));
        perturb(old, 6);
        File file = dir.resolve("old-model.zip").toFile();
        ModelSerializer.writeModel(old, file, true);
        ComputationGraph loaded = ModelSerializer.restoreComputationGraph(file, true);
        assertEquals(UNetBuilder.NormSilu.SEPARATE, UNetBuilder.normSiluOf(loaded));
        assertEquals(old.getLayers().length, loaded.getLayers().length);

        ComputationGraph fused = UNetBuilder.network(spec, new Adam(1e-3), 7);
        assertEquals(UNetBuilder.NormSilu.FUSED, UNetBuilder.normSiluOf(fused));
        long fusedNorms = java.util.Arrays.stream(fused.getLayers()).filter(l -> l.conf().getLayer()
                instanceof io.sparkdiffusion.model.layers.GroupNormalization gn && gn.hasSilu()).count();
        assertTrue(fusedNorms > 0);
        assertEquals(old.getLayers().length - fusedNorms, fused.getLayers().length, "one ActivationLayer less per norm");
        for (Layer layer : loaded.getLayers()) {
            if (layer.numParams() > 0) {
                fused.getLayer(layer.conf().getLayer().getLayerName()).params().assign(layer.params());
            }
        }
        NetworkDenoiser fromCheckpoint = new NetworkDenoiser(loaded, spec, SCHEDULE);
        if (NativeRuntime.layerHelpersEnabled()) {
            assertNotSame(loaded, fromCheckpoint.inferenceNetwork(), "NHWC twin of the old form in use");
        }
        Nd4j.getRandom().setSeed(8);
        INDArray x = Nd4j.randn(DataType.FLOAT, 3, 3, 16, 16);
        int[] labels = {0, 2, NetworkDenoiser.NO_LABEL};
        assertClose(new NetworkDenoiser(fused, spec, SCHEDULE, false).predictNoise(x, 300, labels),
                fromCheckpoint.predictNoise(x, 300, labels));
    }
}
