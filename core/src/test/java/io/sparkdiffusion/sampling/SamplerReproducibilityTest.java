package io.sparkdiffusion.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.sparkdiffusion.diffusion.ImageNoise;
import io.sparkdiffusion.schedule.NoiseSchedule;
import io.sparkdiffusion.schedule.ScheduleSpec;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An image's sample depends only on its seed and label: sampling it in a batch with others, at any
 * position, gives bit-identical pixels to sampling it alone (what lets Spark partition freely).
 */
class SamplerReproducibilityTest {
    private static final NoiseSchedule SCHEDULE = NoiseSchedule.of(ScheduleSpec.linear(1000));
    private static final int[] IMAGE = {3, 8, 8};

    static Stream<Sampler> samplers() {
        return Stream.of(new DdpmSampler(SCHEDULE), new DdimSampler(SCHEDULE, 50, 0.0),
                new DdimSampler(SCHEDULE, 50, 1.0), new DpmSolverPlusPlus2MSampler(SCHEDULE, 20));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samplers")
    void imageInABatchEqualsImageAlone(Sampler sampler) {
        long[] batchSeeds = new long[40];
        int[] batchLabels = new int[40];
        for (int i = 0; i < batchSeeds.length; i++) {
            batchSeeds[i] = 1000 + 7L * i;
            batchLabels[i] = i % 3 - 1;
        }
        INDArray batch = sample(sampler, batchSeeds, batchLabels);

        for (int i : new int[] {0, 17, 39}) {
            INDArray alone = sample(sampler, new long[] {batchSeeds[i]}, new int[] {batchLabels[i]});
            assertArrayEquals(pixels(alone, 0), pixels(batch, i), "image " + i + " alone vs in the batch of 40");
        }
        // {b, a} in a batch of two, reversed order
        INDArray pair = sample(sampler, new long[] {batchSeeds[5], batchSeeds[2]}, new int[] {batchLabels[5], batchLabels[2]});
        assertArrayEquals(pixels(batch, 5), pixels(pair, 0));
        assertArrayEquals(pixels(batch, 2), pixels(pair, 1));
        assertFalse(Arrays.equals(pixels(pair, 0), pixels(pair, 1)), "different seeds give different images");
    }

    /** Label-dependent oracle (μ = 0.3·label) with clipping on, as real sampling runs. */
    private static INDArray sample(Sampler sampler, long[] seeds, int[] labels) {
        GaussianOracleDenoiser oracle = new GaussianOracleDenoiser(SCHEDULE, label -> 0.3 * label, 0.4);
        return sampler.sample(oracle, ImageNoise.initial(seeds, IMAGE), labels, seeds);
    }

    private static float[] pixels(INDArray batch, int image) {
        return batch.slice(image).dup().data().asFloat();
    }
}
