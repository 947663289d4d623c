package io.sparkdiffusion.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkdiffusion.schedule.NoiseSchedule;
import io.sparkdiffusion.schedule.ScheduleSpec;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

class ForwardProcessTest {
    private static final NoiseSchedule SCHEDULE = NoiseSchedule.of(ScheduleSpec.DEFAULT);
    private static final ForwardProcess FORWARD = new ForwardProcess(SCHEDULE);

    /** At t = 0, √ᾱ = 0.99995 and √(1−ᾱ) = 0.01: x_t is x_0 plus 1 % of the noise. */
    @Test
    void atTheFirstTimestepXtIsAlmostX0() {
        INDArray x0 = uniform(8, 3, 4, 4);
        INDArray eps = ImageNoise.gaussian(seeds(8), 0, 3, 4, 4);
        INDArray xt = FORWARD.addNoise(x0, eps, 0);
        double maxNoise = Transforms.abs(eps, true).maxNumber().doubleValue();
        double maxDifference = Transforms.abs(xt.sub(x0)).maxNumber().doubleValue();
        assertTrue(maxDifference <= 0.01 * maxNoise + 1e-4, "max |x_t − x_0| = " + maxDifference);
    }

    /**
     * Fixed x_0 = 0.7, 20,000 noises per timestep, half the batch at t = 100 and half at t = 900 (one call,
     * per-image timesteps): each half is N(√ᾱ·0.7, 1 − ᾱ) within 4.5 standard errors.
     */
    @Test
    void xtHasTheMarginalOfTheForwardProcess() {
        int n = 40_000;
        INDArray x0 = Nd4j.valueArrayOf(new long[] {n, 1, 1, 1}, 0.7f);
        INDArray eps = ImageNoise.gaussian(seeds(n), 0, 1, 1, 1);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = i < n / 2 ? 100 : 900;
        }
        double[] xt = FORWARD.addNoise(x0, eps, t).data().asDouble();
        for (int half = 0; half < 2; half++) {
            double[] v = Arrays.copyOfRange(xt, half * n / 2, (half + 1) * n / 2);
            double alphaBar = SCHEDULE.alphaBar(half == 0 ? 100 : 900);
            double mean = Arrays.stream(v).average().orElseThrow();
            double variance = Arrays.stream(v).map(d -> (d - mean) * (d - mean)).sum() / (v.length - 1);
            double std = Math.sqrt(1 - alphaBar);
            assertEquals(Math.sqrt(alphaBar) * 0.7, mean, 4.5 * std / Math.sqrt(v.length), "mean, half " + half);
            assertEquals(1 - alphaBar, variance, 4.5 * (1 - alphaBar) * Math.sqrt(2.0 / v.length), "variance, half " + half);
        }
    }

    /** The broadcast over C, H, W matches a per-image scalar computation. */
    @Test
    void perImageTimestepsMatchPerImageScalars() {
        int[] t = {0, 999, 500, 37, 250};
        INDArray x0 = uniform(t.length, 2, 3, 3);
        INDArray eps = ImageNoise.gaussian(seeds(t.length), 1, 2, 3, 3);
        INDArray batched = FORWARD.addNoise(x0, eps, t);
        INDArray velocity = FORWARD.velocity(x0, eps, t);
        for (int i = 0; i < t.length; i++) {
            INDArray one = FORWARD.addNoise(row(x0, i), row(eps, i), t[i]);
            assertEquals(one, row(batched, i), "x_t of image " + i);
            INDArray expected = row(x0, i).mul(SCHEDULE.sqrtAlphaBar(t[i])).addi(row(eps, i).mul(SCHEDULE.sqrtOneMinusAlphaBar(t[i])));
            assertTrue(expected.equalsWithEps(one, 1e-6), "x_t formula, image " + i);
            assertEquals(FORWARD.velocity(row(x0, i), row(eps, i), t[i]), row(velocity, i), "v of image " + i);
        }
    }

    @Test
    void predictionConversionsRoundTrip() {
        int[] t = {0, 10, 500, 900, 999};
        INDArray x0 = uniform(t.length, 1, 4, 4);
        INDArray eps = ImageNoise.gaussian(seeds(t.length), 2, 1, 4, 4);
        INDArray xt = FORWARD.addNoise(x0, eps, t);
        INDArray v = FORWARD.velocity(x0, eps, t);
        assertClose(x0, FORWARD.x0FromEps(xt, eps, t), 2e-3, "x0 from ε");
        assertClose(eps, FORWARD.epsFromX0(xt, x0, t), 2e-3, "ε from x0");
        assertClose(x0, FORWARD.x0FromV(xt, v, t), 1e-5, "x0 from v");
        assertClose(eps, FORWARD.epsFromV(xt, v, t), 1e-5, "ε from v");
        assertClose(v, FORWARD.vFromEps(xt, eps, t), 2e-3, "v from ε");
        // the shared-timestep forms agree with the per-image forms
        int[] same = {500, 500, 500, 500, 500};
        assertEquals(FORWARD.x0FromEps(xt, eps, same), FORWARD.x0FromEps(xt, eps, 500));
        assertEquals(FORWARD.epsFromV(xt, v, same), FORWARD.epsFromV(xt, v, 500));
    }

    @Test
    void checksItsArguments() {
        INDArray x = uniform(2, 1, 2, 2);
        assertThrows(IllegalArgumentException.class, () -> FORWARD.addNoise(x, x, new int[] {1}));
        assertThrows(IllegalArgumentException.class, () -> FORWARD.addNoise(x, x, new int[] {1, 1000}));
        assertThrows(IllegalArgumentException.class, () -> FORWARD.addNoise(x, x, -1));
        assertThrows(IllegalArgumentException.class, () -> FORWARD.addNoise(x, uniform(2, 1, 2, 3), 5));
    }

    private static void assertClose(INDArray expected, INDArray actual, double tolerance, String what) {
        double max = Transforms.abs(expected.sub(actual)).maxNumber().doubleValue();
        assertTrue(max <= tolerance, what + ": max difference " + max);
    }

    private static INDArray row(INDArray batch, int i) {
        return batch.get(NDArrayIndex.interval(i, i + 1)).dup();
    }

    private static INDArray uniform(int n, int c, int h, int w) {
        Nd4j.getRandom().setSeed(12345);
        return Nd4j.rand(DataType.FLOAT, n, c, h, w).muli(2).subi(1);
    }

    private static long[] seeds(int n) {
        long[] s = new long[n];
        for (int i = 0; i < n; i++) {
            s[i] = 31L * i + 5;
        }
        return s;
    }
}
