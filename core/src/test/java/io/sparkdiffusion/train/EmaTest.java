package io.sparkdiffusion.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class EmaTest {
    private static final Ema.Settings DEFAULTS = Ema.Settings.of(0.9999);

    @Test
    void decayWithoutWarmupIsOnePlusStepOverTenPlusStep() {
        assertEquals(0.0, Ema.decayAt(1, DEFAULTS));           // s = 0: copy
        assertEquals(2.0 / 11.0, Ema.decayAt(2, DEFAULTS), 1e-15);
        assertEquals(11.0 / 20.0, Ema.decayAt(11, DEFAULTS), 1e-15);
        assertEquals(991.0 / 1000.0, Ema.decayAt(991, DEFAULTS), 1e-15);
        assertEquals(0.9999, Ema.decayAt(1_000_000, DEFAULTS)); // capped at the maximum
        assertEquals(0.99, Ema.decayAt(1_000_000, Ema.Settings.of(0.99)));
    }

    @Test
    void warmupDecayFollowsTheInversePowerLaw() {
        Ema.Settings warm = DEFAULTS.withWarmup(1.0, 2.0 / 3.0);
        assertEquals(0.0, Ema.decayAt(1, warm));
        assertEquals(1.0 - Math.pow(2.0, -2.0 / 3.0), Ema.decayAt(2, warm), 1e-15); // s = 1
        assertEquals(0.75, Ema.decayAt(8, warm), 1e-12);              // s = 7: 1 − 8^(−2/3) = 1 − 1/4
        assertEquals(1.0 - 1.0 / 9.0, Ema.decayAt(27, warm), 1e-12);  // s = 26: 1 − 27^(−2/3)
        Ema.Settings slow = DEFAULTS.withWarmup(2.0, 1.0);
        assertEquals(1.0 - 1.0 / 3.0, Ema.decayAt(5, slow), 1e-12);   // s = 4: 1 − (1 + 4/2)^(−1)
    }

    @Test
    void updateAfterStepAndMinDecayAsInDiffusers() {
        Ema.Settings late = new Ema.Settings(0.9999, 0.0, 5, false, 1.0, 2.0 / 3.0);
        for (int step = 1; step <= 6; step++) {
            assertEquals(0.0, Ema.decayAt(step, late), "step " + step);
        }
        assertEquals(2.0 / 11.0, Ema.decayAt(7, late), 1e-15);

        Ema.Settings floor = new Ema.Settings(0.9999, 0.5, 0, false, 1.0, 2.0 / 3.0);
        assertEquals(0.0, Ema.decayAt(1, floor)); // the copy step is not floored, as in diffusers
        assertEquals(0.5, Ema.decayAt(2, floor));
        assertEquals(11.0 / 20.0, Ema.decayAt(11, floor), 1e-15);
    }

    @Test
    void firstUpdateCopiesTheParameters() {
        Ema ema = Ema.start(Nd4j.createFromArray(9f, 9f, 9f), DEFAULTS);
        INDArray params = Nd4j.createFromArray(1f, -2f, 3.5f);
        ema.update(params);
        assertEquals(1, ema.step());
        assertEquals(0.0, ema.lastDecay());
        assertArrayEquals(new float[]{1f, -2f, 3.5f}, ema.params().toFloatVector());
        params.addi(1); // the EMA holds its own copy
        assertArrayEquals(new float[]{1f, -2f, 3.5f}, ema.params().toFloatVector());
    }

    @Test
    void secondUpdateMixesWithTheDecay() {
        Ema ema = Ema.start(Nd4j.zeros(DataType.FLOAT, 2), DEFAULTS);
        ema.update(Nd4j.createFromArray(11f, 0f));
        ema.update(Nd4j.createFromArray(0f, 22f));
        double d = 2.0 / 11.0;
        assertArrayEquals(new float[]{(float) (d * 11), (float) ((1 - d) * 22)}, ema.params().toFloatVector(), 1e-5f);
    }

    @Test
    void constantParametersAreReachedAndKept() {
        Ema ema = Ema.start(Nd4j.createFromArray(5f, 5f), DEFAULTS);
        INDArray constant = Nd4j.createFromArray(0.25f, -3f);
        for (int i = 0; i < 1000; i++) {
            ema.update(constant);
        }
        assertArrayEquals(constant.toFloatVector(), ema.params().toFloatVector(), 0f);

        // Moving from one constant to another: the old value's weight Π d_s shrinks to ~4e-6; the float
        // vector follows a double-precision replay of the same recurrence up to rounding.
        INDArray other = Nd4j.createFromArray(1f, 1f);
        double[] reference = {0.25, -3};
        for (int i = 0; i < 3000; i++) {
            ema.update(other);
            double d = Ema.decayAt(ema.step(), DEFAULTS);
            for (int j = 0; j < 2; j++) {
                reference[j] = d * reference[j] + (1 - d) * 1.0;
            }
        }
        assertEquals(1.0, reference[1], 2e-5);
        assertArrayEquals(new float[]{(float) reference[0], (float) reference[1]}, ema.params().toFloatVector(), 5e-5f);
        assertEquals(4000, ema.step());
    }

    @Test
    void resumeContinuesTheDecayScheduleAndAcceptsOtherShapesAndTypes() {
        Ema ema = Ema.resume(Nd4j.createFromArray(1.0, 1.0).reshape(1, 2), 10, DEFAULTS);
        assertEquals(DataType.FLOAT, ema.params().dataType());
        ema.update(Nd4j.createFromArray(0.0, 2.0)); // rank 1, double
        double d = Ema.decayAt(11, DEFAULTS);
        assertEquals(d, ema.lastDecay());
        assertArrayEquals(new long[]{1, 2}, ema.params().shape());
        assertArrayEquals(new float[]{(float) d, (float) (d + (1 - d) * 2)}, ema.params().toFloatVector(), 1e-6f);
    }

    @Test
    void wrongLengthOrSettingsAreRejected() {
        Ema ema = Ema.start(Nd4j.zeros(DataType.FLOAT, 3), DEFAULTS);
        assertThrows(IllegalArgumentException.class, () -> ema.update(Nd4j.zeros(DataType.FLOAT, 4)));
        assertThrows(IllegalArgumentException.class, () -> Ema.Settings.of(1.0));
        assertThrows(IllegalArgumentException.class, () -> new Ema.Settings(0.9, 0.95, 0, false, 1, 1));
    }
}
