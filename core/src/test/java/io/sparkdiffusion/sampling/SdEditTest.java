package io.sparkdiffusion.sampling;

import io.sparkdiffusion.diffusion.ImageNoise;
import io.sparkdiffusion.schedule.NoiseSchedule;
import io.sparkdiffusion.schedule.ScheduleSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SdEditTest {
    private static final NoiseSchedule SCHEDULE = NoiseSchedule.of(ScheduleSpec.linear(1000));
    private static final long[] SEEDS = {11, 12, 13};
    private static final int[] LABELS = {2, 0, 1};

    static Stream<Sampler> samplers() {
        return Stream.of(new DdimSampler(SCHEDULE, 10, 0.0), new DdimSampler(SCHEDULE, 10, 1.0),
                new DpmSolverPlusPlus2MSampler(SCHEDULE, 10), new DdpmSampler(SCHEDULE));
    }

    /** The oracle of data N(0.3·label, 0.4²), recording the timesteps and labels it is called with. */
    static final class Recording implements Denoiser {
        final Denoiser oracle = new GaussianOracleDenoiser(SCHEDULE, label -> 0.3 * label, 0.4);
        final List<Integer> timesteps = new ArrayList<>();
        final List<int[]> labels = new ArrayList<>();

        @Override
        public INDArray predictNoise(INDArray xt, int t, int[] l) {
            timesteps.add(t);
            labels.add(l.clone());
            return oracle.predictNoise(xt, t, l);
        }
    }

    static INDArray inputs(double value) {
        return Nd4j.valueArrayOf(new long[] {3, 1, 4, 4}, value, DataType.FLOAT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samplers")
    void strengthZeroReturnsTheInputExactly(Sampler sampler) {
        Recording denoiser = new Recording();
        INDArray x0 = Nd4j.rand(DataType.FLOAT, 3, 1, 4, 4).muli(2).subi(1);
        INDArray out = new SdEdit(sampler, SCHEDULE).vary(denoiser, x0, 0.0, LABELS, SEEDS);
        assertNotSame(x0, out);
        assertArrayEquals(x0.data().asFloat(), out.data().asFloat());
        assertTrue(denoiser.timesteps.isEmpty(), "no denoising step");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samplers")
    void strengthOneIgnoresTheInputAndEqualsSampling(Sampler sampler) {
        SdEdit sdEdit = new SdEdit(sampler, SCHEDULE);
        float[] fromBlack = sdEdit.vary(new Recording(), inputs(-1), 1.0, LABELS, SEEDS).data().asFloat();
        float[] fromWhite = sdEdit.vary(new Recording(), inputs(1), 1.0, LABELS, SEEDS).data().asFloat();
        assertArrayEquals(fromBlack, fromWhite);
        float[] sampled = sampler.sample(new Recording(), ImageNoise.initial(SEEDS, 1, 4, 4), LABELS, SEEDS)
                .data().asFloat();
        assertArrayEquals(sampled, fromWhite);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samplers")
    void partialStrengthRunsTheLastStepsGuidedByTheGivenLabels(Sampler sampler) {
        SdEdit sdEdit = new SdEdit(sampler, SCHEDULE);
        int n = sampler.timesteps().length;
        Recording denoiser = new Recording();
        INDArray white = inputs(1);
        INDArray out = sdEdit.vary(denoiser, white, 0.3, LABELS, SEEDS);
        int run = (int) Math.floor(n * 0.3 + 1e-9);
        int[] expected = Arrays.copyOfRange(sampler.timesteps(), n - run, n);
        assertArrayEquals(expected, denoiser.timesteps.stream().mapToInt(Integer::intValue).toArray());
        denoiser.labels.forEach(l -> assertArrayEquals(LABELS, l, "every step is guided toward the image's label"));
        // the input matters at 0.3: white and black inputs give different results
        INDArray fromBlack = sdEdit.vary(new Recording(), inputs(-1), 0.3, LABELS, SEEDS);
        assertFalse(Arrays.equals(out.data().asFloat(), fromBlack.data().asFloat()));
        // and the white input stays closer to white than the black one does
        assertTrue(out.meanNumber().doubleValue() > fromBlack.meanNumber().doubleValue());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samplers")
    void aVariationDependsOnlyOnItsOwnSeedInputAndLabel(Sampler sampler) {
        SdEdit sdEdit = new SdEdit(sampler, SCHEDULE);
        INDArray x0 = Nd4j.rand(DataType.FLOAT, 3, 1, 4, 4).muli(2).subi(1);
        INDArray all = sdEdit.vary(new Recording(), x0, 0.5, LABELS, SEEDS);
        INDArray second = sdEdit.vary(new Recording(), x0.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 2)),
                0.5, new int[] {LABELS[1]}, new long[] {SEEDS[1]});
        assertArrayEquals(all.slice(1).dup().data().asFloat(), second.data().asFloat());
    }

    @org.junit.jupiter.api.Test
    void strengthPicksTheFirstStepAsDiffusersDoes() {
        SdEdit sdEdit = new SdEdit(new DdimSampler(SCHEDULE, 50, 0.0), SCHEDULE);
        assertEquals(0, sdEdit.firstStep(1.0));
        assertEquals(25, sdEdit.firstStep(0.5));
        assertEquals(35, sdEdit.firstStep(0.3));
        assertEquals(50, sdEdit.firstStep(0.01), "under one step: nothing runs");
        assertEquals(50, sdEdit.firstStep(0.0));
    }
}
