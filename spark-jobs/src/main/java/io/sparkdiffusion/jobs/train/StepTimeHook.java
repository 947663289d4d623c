package io.sparkdiffusion.jobs.train;

import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Adds the time the workers spend in their optimizer steps to an accumulator the driver reads after each round:
 * what a round costs beyond it is communication and coordination (broadcast, task start, aggregation, averaging).
 */
final class StepTimeHook implements TrainingHook {
    private static final long serialVersionUID = 1L;

    private final LongAccumulator stepNanos;
    private transient long started;

    StepTimeHook(LongAccumulator stepNanos) {
        this.stepNanos = stepNanos;
    }

    @Override
    public void preUpdate(MultiDataSet minibatch, Model model) {
        started = System.nanoTime();
    }

    @Override
    public void postUpdate(MultiDataSet minibatch, Model model) {
        stepNanos.add(System.nanoTime() - started);
    }

    @Override
    public void preUpdate(DataSet minibatch, Model model) {
    }

    @Override
    public void postUpdate(DataSet minibatch, Model model) {
    }
}
