package io.sparkdiffusion.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NoiseScheduleTest {

    /** ᾱ_999 = Π(1 − β_t), recomputed here as exp(Σ log1p(−β_t)) from β_t = 1e-4 + t·(0.02 − 1e-4)/999. */
    @Test
    void linearAlphaBarAtTheLastStep() {
        double logSum = 0;
        for (int t = 0; t < 1000; t++) {
            logSum += Math.log1p(-(1e-4 + t * (0.02 - 1e-4) / 999));
        }
        double expected = Math.exp(logSum);
        NoiseSchedule s = NoiseSchedule.of(ScheduleSpec.DEFAULT);
        assertEquals(expected, s.alphaBar(999), expected * 1e-10);
        assertEquals(4.04e-5, s.alphaBar(999), 0.005e-5);
        assertEquals(1e-4, s.beta(0), 1e-15);
        assertEquals(0.02, s.beta(999), 1e-15);
        assertEquals(Math.sqrt(expected), s.sqrtAlphaBar(999), 1e-12);
        assertEquals(Math.sqrt(1 - expected), s.sqrtOneMinusAlphaBar(999), 1e-12);
    }

    @Test
    void cosineStartsAtOneAndEndsNearZero() {
        NoiseSchedule s = NoiseSchedule.of(ScheduleSpec.cosine(1000));
        assertEquals(1.0, s.alphaBar(0), 1e-3);
        assertTrue(s.alphaBar(999) < 1e-6, "ᾱ_T−1 = " + s.alphaBar(999));
        // ᾱ_t = f(t+1)/f(0) with f(u) = cos²((u/T + s)/(1 + s)·π/2), before the β clip matters
        for (int t : new int[] {0, 100, 500, 900}) {
            assertEquals(f(t + 1, 1000) / f(0, 1000), s.alphaBar(t), 1e-12, "t = " + t);
        }
        assertEquals(0.999, s.beta(999), 1e-12, "the last β is clipped");
    }

    @Test
    void alphaBarDecreasesAndBetasAreProbabilities() {
        for (ScheduleSpec spec : new ScheduleSpec[] {ScheduleSpec.DEFAULT, ScheduleSpec.cosine(1000),
                ScheduleSpec.linear(50), ScheduleSpec.cosine(7)}) {
            NoiseSchedule s = NoiseSchedule.of(spec);
            assertEquals(spec.timesteps(), s.timesteps());
            assertEquals(1.0, s.alphaBarOrOne(-1));
            for (int t = 0; t < s.timesteps(); t++) {
                assertTrue(s.beta(t) > 0 && s.beta(t) < 1, spec + " β_" + t + " = " + s.beta(t));
                assertTrue(s.alphaBar(t) < s.alphaBarOrOne(t - 1), spec + " ᾱ not decreasing at " + t);
                assertEquals(s.alphaBar(t), s.alphaBarOrOne(t));
                assertEquals(1 - s.beta(t), s.alpha(t), 1e-15);
                assertTrue(s.posteriorVariance(t) <= s.beta(t), "β̃ ≤ β at " + t);
            }
        }
    }

    /** β̃_t = β_t(1 − ᾱ_{t−1})/(1 − ᾱ_t), from the β's alone: 0 at t = 0, β_0·β_1/(β_0 + β_1 − β_0β_1) at t = 1. */
    @Test
    void posteriorVariance() {
        NoiseSchedule s = NoiseSchedule.of(ScheduleSpec.DEFAULT);
        double b0 = 1e-4;
        double b1 = 1e-4 + (0.02 - 1e-4) / 999;
        assertEquals(0.0, s.posteriorVariance(0));
        double expected = b0 * b1 / (b0 + b1 - b0 * b1); // the schedule's 1 − (1−β_0)(1−β_1) loses ~1e-13 relative
        assertEquals(expected, s.posteriorVariance(1), expected * 1e-9);
        double logSum = 0;
        for (int t = 0; t < 999; t++) {
            logSum += Math.log1p(-(1e-4 + t * (0.02 - 1e-4) / 999));
        }
        double alphaBar998 = Math.exp(logSum);
        double alphaBar999 = alphaBar998 * (1 - 0.02);
        assertEquals(0.02 * (1 - alphaBar998) / (1 - alphaBar999), s.posteriorVariance(999), 1e-14);
        assertTrue(s.posteriorVariance(999) < 0.02 && s.posteriorVariance(999) > 0.0199);
    }

    @Test
    void tablesAreCopies() {
        NoiseSchedule s = NoiseSchedule.of(ScheduleSpec.DEFAULT);
        s.betas()[0] = 42;
        s.alphasBar()[0] = 42;
        assertEquals(1e-4, s.beta(0), 1e-15);
        assertTrue(s.alphaBar(0) < 1);
    }

    @Test
    void specRejectsBadValues() {
        assertThrows(IllegalArgumentException.class, () -> new ScheduleSpec(null, 1000, 1e-4, 0.02));
        assertThrows(IllegalArgumentException.class, () -> ScheduleSpec.linear(1));
        assertThrows(IllegalArgumentException.class, () -> new ScheduleSpec(ScheduleSpec.Kind.LINEAR, 100, 0.02, 1e-4));
        assertThrows(IllegalArgumentException.class, () -> new ScheduleSpec(ScheduleSpec.Kind.LINEAR, 100, 1e-4, 1.0));
    }

    private static double f(int t, int timesteps) {
        double c = Math.cos(((double) t / timesteps + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }
}
