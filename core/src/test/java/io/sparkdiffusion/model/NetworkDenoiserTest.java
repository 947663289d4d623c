package io.sparkdiffusion.model;

import io.sparkdiffusion.runtime.NativeRuntime;
import io.sparkdiffusion.schedule.NoiseSchedule;
import io.sparkdiffusion.schedule.ScheduleSpec;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

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
}
