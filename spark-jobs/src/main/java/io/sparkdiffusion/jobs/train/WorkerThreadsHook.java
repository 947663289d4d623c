package io.sparkdiffusion.jobs.train;

import io.sparkdiffusion.runtime.NativeRuntime;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Runs every worker step with the configured OpenMP thread count ({@link NativeRuntime#configuredOmpThreads()}),
 * whichever executor thread the task landed on.
 *
 * <p>Why: OpenMP's thread count is per thread, and a worker's step depends on it in the last bits (GroupNorm
 * splits its gradient sums by it, the native kernels their work). On an executor the thread that happened to load
 * ND4J has 4 (ND4J sets it), the others {@code OMP_NUM_THREADS}; Spark runs a task on whichever pool thread is free.
 * Measured on the 2-executor standalone cluster, 4 runs of 8 workers: a step from the same weights and batch gave
 * the same bits in 95 of 95 pairs with equal counts and other bits in 25 of 25 pairs with unequal ones, so runs
 * differed.
 */
final class WorkerThreadsHook implements TrainingHook {
    private static final long serialVersionUID = 1L;

    @Override
    public void preUpdate(MultiDataSet minibatch, Model model) {
        NativeRuntime.useConfiguredOmpThreads();
    }

    @Override
    public void postUpdate(MultiDataSet minibatch, Model model) {
    }

    @Override
    public void preUpdate(DataSet minibatch, Model model) {
        NativeRuntime.useConfiguredOmpThreads();
    }

    @Override
    public void postUpdate(DataSet minibatch, Model model) {
    }
}
