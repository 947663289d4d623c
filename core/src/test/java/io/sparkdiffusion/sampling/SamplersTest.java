package io.sparkdiffusion.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkdiffusion.diffusion.ImageNoise;
import io.sparkdiffusion.schedule.NoiseSchedule;
import io.sparkdiffusion.schedule.ScheduleSpec;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The factory, the timestep spacings, clipping and input checks. */
class SamplersTest {
    private static final NoiseSchedule SCHEDULE = NoiseSchedule.of(ScheduleSpec.DEFAULT);

    @Test
    void factoryKnowsTheThreeNames() {
        Sampler ddpm = Samplers.create("ddpm", SCHEDULE, 50, 0.0);
        assertInstanceOf(DdpmSampler.class, ddpm);
        assertEquals(1000, ddpm.steps(), "DDPM always walks all T steps");
        Sampler ddim = Samplers.create("DDIM", SCHEDULE, 50, 0.5);
        assertInstanceOf(DdimSampler.class, ddim);
        assertEquals(50, ddim.steps());
        assertEquals(0.5, ((DdimSampler) ddim).eta());
        assertTrue(((DdimSampler) ddim).clip(), "clipping is on by default");
        Sampler dpm = Samplers.create(" dpm-solver++ ", SCHEDULE, 20, 0.0);
        assertInstanceOf(DpmSolverPlusPlus2MSampler.class, dpm);
        assertEquals(20, dpm.steps());
        for (String name : Samplers.NAMES) {
            assertEquals(name, Samplers.create(name, SCHEDULE, 10, 0).name());
        }
    }

    @Test
    void unknownNameListsTheValidOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Samplers.create("euler", SCHEDULE, 20, 0));
        assertTrue(e.getMessage().contains("'euler'"), e.getMessage());
        assertTrue(e.getMessage().contains("ddpm, ddim, dpm-solver++"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Samplers.create(null, SCHEDULE, 20, 0));
    }

    @Test
    void ddimUsesTheReferenceSpacing() {
        // ddpm_ref.py: list(range(T - 1, -1, -(T // steps)))[:steps]
        int[] fifty = IntStream.iterate(999, t -> t - 20).limit(50).toArray();
        assertArrayEquals(fifty, new DdimSampler(SCHEDULE, 50, 0).timesteps());
        assertEquals(19, fifty[49]);
        int[] thirty = new DdimSampler(SCHEDULE, 30, 0).timesteps(); // stride 33
        assertEquals(30, thirty.length);
        assertEquals(999, thirty[0]);
        assertEquals(999 - 29 * 33, thirty[29]);
        assertArrayEquals(IntStream.iterate(999, t -> t - 1).limit(1000).toArray(),
                new DdimSampler(SCHEDULE, 1000, 0).timesteps());
        assertThrows(IllegalArgumentException.class, () -> new DdimSampler(SCHEDULE, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new DdimSampler(SCHEDULE, 1001, 0));
        assertThrows(IllegalArgumentException.class, () -> new DdimSampler(SCHEDULE, 10, -0.1));
    }

    @Test
    void dpmSolverUsesDiffusersLinspaceSpacing() {
        // numpy: np.linspace(0, 999, 21).round()[::-1][:-1] (499.5 rounds half to even: 500)
        assertArrayEquals(new int[] {999, 949, 899, 849, 799, 749, 699, 649, 599, 549, 500, 450, 400, 350, 300, 250,
                200, 150, 100, 50}, new DpmSolverPlusPlus2MSampler(SCHEDULE, 20).timesteps());
        assertArrayEquals(new int[] {999, 856, 714, 571, 428, 285, 143},
                new DpmSolverPlusPlus2MSampler(SCHEDULE, 7).timesteps());
        assertArrayEquals(new int[] {999}, new DpmSolverPlusPlus2MSampler(SCHEDULE, 1).timesteps());
        int[] all = new DpmSolverPlusPlus2MSampler(SCHEDULE, 1000).timesteps();
        assertEquals(999, all.length, "rounding repeats one timestep; diffusers drops it too");
        for (int i = 1; i < all.length; i++) {
            assertTrue(all[i] < all[i - 1], "strictly decreasing");
        }
    }

    /** Data at μ = 3 lies outside [−1, 1]: with clipping on, every sampler's x̂_0 and so its output stays in range. */
    @Test
    void clippingKeepsSamplesInTheDataRange() {
        long[] seeds = {1, 2, 3, 4};
        INDArray noise = ImageNoise.initial(seeds, 1, 4, 4);
        for (Sampler sampler : new Sampler[] {new DdpmSampler(SCHEDULE), new DdimSampler(SCHEDULE, 20, 0.0),
                new DdimSampler(SCHEDULE, 20, 1.0), new DpmSolverPlusPlus2MSampler(SCHEDULE, 10)}) {
            INDArray x = sampler.sample(new GaussianOracleDenoiser(SCHEDULE, 3.0, 0.5), noise, null, seeds);
            assertTrue(x.maxNumber().doubleValue() <= 1.0 && x.minNumber().doubleValue() >= -1.0, sampler.toString());
            assertTrue(x.meanNumber().doubleValue() > 0.9, sampler + " piles up at the upper bound");
        }
        INDArray unclipped = new DdimSampler(SCHEDULE, 20, 0.0, false)
                .sample(new GaussianOracleDenoiser(SCHEDULE, 3.0, 0.5), noise, null, seeds);
        assertTrue(unclipped.meanNumber().doubleValue() > 2.0, "without clipping the data mean is reached");
    }

    @Test
    void samplersDoNotModifyTheirNoise() {
        long[] seeds = {5, 6};
        INDArray noise = ImageNoise.initial(seeds, 1, 2, 2);
        INDArray copy = noise.dup();
        for (String name : Samplers.NAMES) {
            Samplers.create(name, SCHEDULE, 5, 1.0).sample(new GaussianOracleDenoiser(SCHEDULE, 0, 0.5), noise, null, seeds);
            assertEquals(copy, noise, name);
        }
    }

    @Test
    void inputsAreChecked() {
        Sampler sampler = new DdimSampler(SCHEDULE, 5, 0);
        Denoiser oracle = new GaussianOracleDenoiser(SCHEDULE, 0, 0.5);
        INDArray noise = ImageNoise.initial(new long[] {1, 2}, 1, 2, 2);
        assertThrows(IllegalArgumentException.class, () -> sampler.sample(oracle, noise, new int[] {0}, new long[] {1, 2}));
        assertThrows(IllegalArgumentException.class, () -> sampler.sample(oracle, noise, null, new long[] {1}));
        assertThrows(IllegalArgumentException.class, () -> sampler.sample(oracle, noise, null, null));
        assertThrows(IllegalArgumentException.class,
                () -> sampler.sample(oracle, Nd4j.zeros(DataType.DOUBLE, 2, 1, 2, 2), null, new long[] {1, 2}));
        assertThrows(IllegalArgumentException.class,
                () -> sampler.sample(oracle, Nd4j.zeros(DataType.FLOAT, 2, 4), null, new long[] {1, 2}));
    }
}
