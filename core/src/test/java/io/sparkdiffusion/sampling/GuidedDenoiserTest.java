package io.sparkdiffusion.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkdiffusion.diffusion.ImageNoise;
import io.sparkdiffusion.schedule.NoiseSchedule;
import io.sparkdiffusion.schedule.ScheduleSpec;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Classifier-free guidance with a label-dependent Gaussian oracle (μ_0 = −0.4, μ_1 = 0.5, μ_none = 0.05). */
class GuidedDenoiserTest {
    private static final NoiseSchedule SCHEDULE = NoiseSchedule.of(ScheduleSpec.cosine(1000));
    private static final double SIGMA = 0.2;
    private static final int[] IMAGE = {1, 4, 4};

    private static double mean(int label) {
        return switch (label) {
            case 0 -> -0.4;
            case 1 -> 0.5;
            default -> 0.05;
        };
    }

    private static GaussianOracleDenoiser oracle() {
        return new GaussianOracleDenoiser(SCHEDULE, GuidedDenoiserTest::mean, SIGMA);
    }

    @Test
    void scaleOneIsTheConditionalModelExactly() {
        Sampler sampler = new DdimSampler(SCHEDULE, 20, 1.0, false);
        Batch b = new Batch(64);
        GaussianOracleDenoiser inner = oracle();
        INDArray guided = sampler.sample(new GuidedDenoiser(inner, 1.0), b.noise, b.labels, b.seeds);
        INDArray plain = sampler.sample(oracle(), b.noise, b.labels, b.seeds);
        assertArrayEquals(plain.data().asFloat(), guided.data().asFloat());
        assertEquals(20, inner.calls());
        assertTrue(inner.batchSizes.stream().allMatch(n -> n == 64), "w = 1 needs no unconditional half");
    }

    @Test
    void scaleZeroIsTheUnconditionalModelExactly() {
        Sampler sampler = new DdimSampler(SCHEDULE, 20, 1.0, false);
        Batch b = new Batch(64);
        INDArray guided = sampler.sample(new GuidedDenoiser(oracle(), 0.0), b.noise, b.labels, b.seeds);
        int[] none = new int[64];
        Arrays.fill(none, Denoiser.NO_LABEL);
        INDArray unconditional = sampler.sample(oracle(), b.noise, none, b.seeds);
        assertArrayEquals(unconditional.data().asFloat(), guided.data().asFloat());
    }

    @Test
    void unlabelledModelIsPassedThrough() {
        GaussianOracleDenoiser inner = oracle();
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 1, 2, 2);
        INDArray eps = new GuidedDenoiser(inner, 4.0).predictNoise(x, 500, null);
        assertEquals(x.size(0), eps.size(0));
        assertEquals(1, inner.calls());
        assertNull(inner.labelsSeen.get(0));
        assertEquals(3, inner.batchSizes.get(0));
    }

    /** cond = 2, uncond = 0.5 everywhere: ε̂ = 0.5 + 3·(2 − 0.5) = 5 from a single call on the doubled batch. */
    @Test
    void combinesBothHalvesOfOneBatchedCall() {
        int[][] seen = new int[1][];
        Denoiser constants = (xt, t, labels) -> {
            seen[0] = labels.clone();
            INDArray out = xt.ulike();
            for (int i = 0; i < labels.length; i++) {
                out.slice(i).assign(labels[i] == Denoiser.NO_LABEL ? 0.5 : 2.0);
            }
            return out;
        };
        INDArray x = Nd4j.zeros(DataType.FLOAT, 2, 1, 3, 3);
        INDArray eps = new GuidedDenoiser(constants, 3.0).predictNoise(x, 10, new int[] {4, 7});
        assertArrayEquals(new int[] {4, 7, Denoiser.NO_LABEL, Denoiser.NO_LABEL}, seen[0]);
        assertArrayEquals(new long[] {2, 1, 3, 3}, eps.shape());
        assertEquals(5.0, eps.minNumber().doubleValue(), 1e-6);
        assertEquals(5.0, eps.maxNumber().doubleValue(), 1e-6);
    }

    /**
     * For the Gaussian oracle ε̂ is affine in μ, so guidance w samples N(μ_u + w·(μ_c − μ_u), σ²): with w = 3,
     * label 0 → −1.3, label 1 → 1.4. One batched call of 2N per step.
     */
    @Test
    void guidedSamplesMoveTheMeanByTheScale() {
        DpmSolverPlusPlus2MSampler sampler = new DpmSolverPlusPlus2MSampler(SCHEDULE, 20, false);
        Batch b = new Batch(2048);
        GaussianOracleDenoiser inner = oracle();
        INDArray x0 = sampler.sample(new GuidedDenoiser(inner, 3.0), b.noise, b.labels, b.seeds);

        assertEquals(20, inner.calls(), "one call per step");
        assertTrue(inner.batchSizes.stream().allMatch(n -> n == 4096), "each call carries cond and uncond");
        for (int label : new int[] {0, 1}) {
            double guidedMean = mean(-1) + 3.0 * (mean(label) - mean(-1));
            GaussianMoments exact = GaussianMoments.dpmSolverPlusPlus2M(SCHEDULE, sampler.timesteps(), guidedMean, SIGMA);
            SampleStats stats = SampleStats.of(Nd4j.concat(0, b.imagesWithLabel(x0, label)));
            assertEquals(guidedMean, exact.mean, 1e-3, "the guided distribution's mean");
            assertEquals(exact.mean, stats.mean(), stats.meanTolerance(exact.std, 4.5), "label " + label + " mean");
            assertEquals(exact.std, stats.std(), stats.stdTolerance(exact.std, 4.5), "label " + label + " std");
        }
    }

    /** N images 1×4×4 alternating labels 0, 1. */
    private static final class Batch {
        final long[] seeds;
        final int[] labels;
        final INDArray noise;

        Batch(int n) {
            seeds = new long[n];
            labels = new int[n];
            for (int i = 0; i < n; i++) {
                seeds[i] = ImageNoise.seedFor(99, i);
                labels[i] = i % 2;
            }
            noise = ImageNoise.initial(seeds, IMAGE);
        }

        INDArray[] imagesWithLabel(INDArray x, int label) {
            return IntStream.range(0, labels.length).filter(i -> labels[i] == label)
                    .mapToObj(i -> x.get(NDArrayIndex.interval(i, i + 1))).toArray(INDArray[]::new);
        }
    }
}
