package io.sparkdiffusion.train;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Objects;

/**
 * Learning rate that rises linearly from lr/warmupSteps to lr over the first warm-up iterations, then stays.
 *
 * <p>DL4J's own {@code RampSchedule} does the same but cannot be read back from a model's JSON (its
 * constructor has no property names), and the schedule is saved inside every checkpoint.
 */
public final class WarmupSchedule implements ISchedule {
    private final double learningRate;
    private final int warmupSteps;

    public WarmupSchedule(@JsonProperty("learningRate") double learningRate,
                          @JsonProperty("warmupSteps") int warmupSteps) {
        if (!(learningRate > 0) || warmupSteps < 0) {
            throw new IllegalArgumentException("need learning rate > 0 and warm-up steps >= 0, got "
                    + learningRate + " and " + warmupSteps);
        }
        this.learningRate = learningRate;
        this.warmupSteps = warmupSteps;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        if (iteration >= warmupSteps) {
            return learningRate;
        }
        return learningRate * (iteration + 1) / warmupSteps;
    }

    @Override
    public ISchedule clone() {
        return new WarmupSchedule(learningRate, warmupSteps);
    }

    public double getLearningRate() {
        return learningRate;
    }

    public int getWarmupSteps() {
        return warmupSteps;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WarmupSchedule w && w.learningRate == learningRate && w.warmupSteps == warmupSteps;
    }

    @Override
    public int hashCode() {
        return Objects.hash(learningRate, warmupSteps);
    }
}
