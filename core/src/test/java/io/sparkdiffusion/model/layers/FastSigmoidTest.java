package io.sparkdiffusion.model.layers;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FastSigmoidTest {

    private static double exact(double z) {
        return 1.0 / (1.0 + Math.exp(-z));
    }

    /** Every float step of 1/1024 over [-40, 40], where sigmoid goes from ~4e-18 to 1 - 4e-18. */
    @Test
    void sigmoidIsWithinTwoTenthsOfAMillionthEverywhere() {
        double worst = 0;
        float worstAt = 0;
        for (int i = -40 * 1024; i <= 40 * 1024; i++) {
            float z = i / 1024f;
            double error = Math.abs(FastSigmoid.sigmoid(z) - exact(z));
            if (error > worst) {
                worst = error;
                worstAt = z;
            }
        }
        assertTrue(worst < 2e-7, "max |error| " + worst + " at z = " + worstAt);
    }

    @Test
    void siluIsWithin2point5MillionthsAndExactInTheTails() {
        float[] z = new float[32 * 1024 + 1];
        for (int i = 0; i < z.length; i++) {
            z[i] = -16f + i / 1024f;
        }
        float[] y = z.clone();
        FastSigmoid.siluInPlace(y);
        for (int i = 0; i < z.length; i++) {
            double exact = z[i] * exact(z[i]);
            // |z|·(sigmoid's error): largest near the clamp at z = -15.8, where silu is -2.2e-6 and this gives -0
            assertEquals(exact, y[i], 2.5e-6 + 1e-6 * Math.abs(exact), "silu(" + z[i] + ")");
        }
        float[] tails = {-1e30f, -200f, 200f, 1e30f, 0f};
        FastSigmoid.siluInPlace(tails);
        assertEquals(0f, tails[0], 0f);
        assertEquals(0f, tails[1], 0f);
        assertEquals(200f, tails[2], 0f);
        assertEquals(1e30f, tails[3], 0f);
        assertEquals(0f, tails[4], 0f);
    }

    @Test
    void sigmoidIsHalfAtZeroAndSymmetric() {
        assertEquals(0.5f, FastSigmoid.sigmoid(0f), 0f);
        for (float z = 0.125f; z < 20; z *= 1.5f) {
            assertEquals(1.0, FastSigmoid.sigmoid(z) + FastSigmoid.sigmoid(-z), 2e-7, "z = " + z);
        }
    }
}
