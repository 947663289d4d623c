package io.sparkdiffusion.train;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WorkerScalingTest {

    @Test
    void oneWorkerKeepsTheScheduleWhateverTheRule() {
        for (WorkerScaling rule : WorkerScaling.values()) {
            assertEquals(new WarmupSchedule(2e-4, 100), rule.schedule(2e-4, 100, 1), rule.name());
        }
    }

    @Test
    void sqrtScalesTheRateBySquareRootAndCountsTheWarmupInImages() {
        WarmupSchedule sixteen = WorkerScaling.SQRT.schedule(2e-4, 100, 16);
        assertEquals(8e-4, sixteen.valueAt(1000, 0), 1e-15);
        assertEquals(7, sixteen.getWarmupSteps()); // 100 / 16 rounded up: 7 x 16 >= 100 single-worker steps of images
        assertEquals(2e-4 * 3, WorkerScaling.SQRT.learningRate(2e-4, 9), 1e-15);
    }

    @Test
    void linearScalesTheRateByTheWorkerCount() {
        assertEquals(1.6e-3, WorkerScaling.LINEAR.learningRate(2e-4, 8), 1e-15);
        assertEquals(13, WorkerScaling.LINEAR.warmupSteps(100, 8));
    }

    @Test
    void theScaledRateStopsAtTheCeilingButOneWorkersRateIsNeverLowered() {
        assertEquals(new WarmupSchedule(1.6e-3, 50), WorkerScaling.LINEAR.schedule(8e-4, 100, 2, 3.2e-3));
        assertEquals(new WarmupSchedule(3.2e-3, 7), WorkerScaling.LINEAR.schedule(8e-4, 100, 16, 3.2e-3));
        assertEquals(new WarmupSchedule(1.28e-2, 7), WorkerScaling.LINEAR.schedule(8e-4, 100, 16, 0), "0: no ceiling");
        assertEquals(new WarmupSchedule(5e-3, 100), WorkerScaling.LINEAR.schedule(5e-3, 100, 1, 3.2e-3));
        assertEquals(new WarmupSchedule(5e-3, 25), WorkerScaling.LINEAR.schedule(5e-3, 100, 4, 3.2e-3));
    }

    @Test
    void noneChangesNothing() {
        assertEquals(new WarmupSchedule(2e-4, 100), WorkerScaling.NONE.schedule(2e-4, 100, 16));
    }

    @Test
    void zeroWorkersIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> WorkerScaling.SQRT.learningRate(1e-3, 0));
    }
}
