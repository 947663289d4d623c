package io.sparkdiffusion.jobs.train;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Gives each worker's network the global iteration and epoch count before its first step of a round.
 *
 * <p>Why: DL4J 1.0.0-M2's parameter-averaging worker builds its network from a clone of the configuration,
 * and {@code ComputationGraphConfiguration.clone()} drops the iteration count. Every round would then start
 * at iteration 0: the learning-rate warm-up would restart and Adam's bias correction would divide by
 * (1 − β^1) again, a ~10x larger first-moment estimate every round. The driver sets the count before each
 * round; the hook travels to the workers with the training function.
 */
final class IterationCounterHook implements TrainingHook {
    private static final long serialVersionUID = 1L;

    private int iteration;
    private int epoch;

    /** Called on the driver before a round. */
    void startRound(long globalIteration, int globalEpoch) {
        this.iteration = Math.toIntExact(globalIteration);
        this.epoch = globalEpoch;
    }

    @Override
    public void preUpdate(MultiDataSet minibatch, Model model) {
        if (model instanceof ComputationGraph graph && graph.getConfiguration().getIterationCount() < iteration) {
            graph.getConfiguration().setIterationCount(iteration);
            graph.getConfiguration().setEpochCount(epoch);
        }
    }

    @Override
    public void postUpdate(MultiDataSet minibatch, Model model) {
    }

    @Override
    public void preUpdate(DataSet minibatch, Model model) {
    }

    @Override
    public void postUpdate(DataSet minibatch, Model model) {
    }
}
