package io.sparkdiffusion.train;

import io.sparkdiffusion.runtime.NativeArrays;
import io.sparkdiffusion.runtime.NativeRuntime;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One optimizer step of a {@link ComputationGraph} with the minibatch split across replicas that compute their
 * gradients in parallel, each on its own thread with its own share of the native threads.
 *
 * <p>Why: the denoiser's operations are small (28x28 maps, ~1,300 ops per step), so one step run with 2 native threads
 * spends much of its time with one core waiting for the other at each operation; two single-threaded replicas
 * on half a batch each keep both cores busy (the same reason Spark local[2] with 1 thread per task beats one
 * JVM with 2 threads).
 *
 * <p>The step is {@code graph.fit(batch)}, not an approximation of it: DL4J's raw gradients are sums over the
 * examples (its updater divides by the minibatch size), so the replicas' gradients are added and go once
 * through the master's updater with the whole batch's size; the parameters change once, by the same update.
 * Only the order of floating-point summation differs. Replicas share the master's parameter array (no copies);
 * the master is replica 0. Layers with state across examples of a batch (BatchNorm) would differ; the denoiser
 * has none (GroupNorm is per example).
 */
public final class ReplicatedGradientStep implements AutoCloseable {
    private final ComputationGraph master;
    private final List<ComputationGraph> replicas = new ArrayList<>();
    private final ExecutorService threads;

    /**
     * @param master    the graph whose parameters and updater state the steps change
     * @param replicas  how many parts a batch is split into (at least 1)
     * @param ompThreads native threads of each replica's thread
     */
    public ReplicatedGradientStep(ComputationGraph master, int replicas, int ompThreads) {
        if (replicas < 1 || ompThreads < 1) {
            throw new IllegalArgumentException("replicas and native threads must be positive, got " + replicas
                    + " and " + ompThreads);
        }
        this.master = master;
        if (master.getGradientsViewArray() == null) {
            master.initGradientsView();
        }
        // after the gradient view: the updater keeps views of the gradient array that exists when it is made
        master.getUpdater(true);
        this.replicas.add(master);
        for (int i = 1; i < replicas; i++) {
            ComputationGraph replica = new ComputationGraph(master.getConfiguration().clone());
            replica.init(master.params(), false); // its layers' parameters are views of the master's array
            replica.initGradientsView();
            this.replicas.add(replica);
        }
        AtomicInteger count = new AtomicInteger();
        this.threads = Executors.newFixedThreadPool(replicas, task -> {
            Thread thread = new Thread(() -> {
                NativeRuntime.setOmpThreads(ompThreads);
                task.run();
            }, "replica-" + count.getAndIncrement());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Native threads per replica so that all replicas together use {@code totalThreads} (at least 1 each). */
    public static int threadsPerReplica(int totalThreads, int replicas) {
        return Math.max(1, totalThreads / replicas);
    }

    /**
     * Fits one batch: every replica computes the gradient of its contiguous slice of the rows, then one update.
     * A batch with fewer rows than replicas uses as many replicas as it has rows.
     *
     * @return the batch's score (the mean loss over its examples), as {@code graph.score()} after a fit
     */
    public double fit(MultiDataSet batch) {
        long rows = batch.getFeatures(0).size(0);
        int parts = (int) Math.min(replicas.size(), rows);
        List<Future<Double>> scores = new ArrayList<>();
        for (int r = 0; r < parts; r++) {
            long from = rows * r / parts;
            long to = rows * (r + 1) / parts;
            ComputationGraph replica = replicas.get(r);
            scores.add(threads.submit(() -> gradientOfSlice(replica, batch, from, to) * (to - from)));
        }
        double scoreSum = 0;
        for (Future<Double> score : scores) {
            scoreSum += await(score);
        }
        INDArray gradient = master.getGradientsViewArray();
        for (int r = 1; r < parts; r++) {
            gradient.addi(replicas.get(r).getGradientsViewArray());
        }
        applyUpdate((int) rows);
        return scoreSum / rows;
    }

    /** What DL4J's StochasticGradientDescent does after computing the gradient: updater, step, iteration count. */
    private void applyUpdate(int batchSize) {
        master.getUpdater().update(master.gradient(), master.getIterationCount(), master.getEpochCount(), batchSize,
                LayerWorkspaceMgr.noWorkspaces());
        master.params().subi(master.getGradientsViewArray());
        master.getConfiguration().setIterationCount(master.getIterationCount() + 1);
    }

    private static double gradientOfSlice(ComputationGraph replica, MultiDataSet batch, long from, long to) {
        INDArray[] inputs = slices(batch.getFeatures(), from, to);
        INDArray[] labels = slices(batch.getLabels(), from, to);
        replica.setInputs(inputs);
        replica.setLabels(labels);
        replica.computeGradientAndScore();
        double score = replica.score();
        replica.clearLayersStates();
        freeCopies(inputs, batch.getFeatures());
        freeCopies(labels, batch.getLabels());
        return score;
    }

    /** Frees the slices that are copies (not the batch's own arrays, which a single slice is), once used. */
    private static void freeCopies(INDArray[] slices, INDArray[] originals) {
        for (int i = 0; i < slices.length; i++) {
            if (slices[i] != originals[i]) {
                NativeArrays.free(slices[i]);
            }
        }
    }

    private static INDArray[] slices(INDArray[] arrays, long from, long to) {
        INDArray[] out = new INDArray[arrays.length];
        for (int i = 0; i < arrays.length; i++) {
            out[i] = rows(arrays[i], from, to);
        }
        return out;
    }

    private static INDArray rows(INDArray array, long from, long to) {
        if (from == 0 && to == array.size(0)) {
            return array;
        }
        INDArrayIndex[] index = new INDArrayIndex[array.rank()];
        index[0] = NDArrayIndex.interval(from, to);
        for (int d = 1; d < index.length; d++) {
            index[d] = NDArrayIndex.all();
        }
        return array.get(index).dup(); // a compact copy: layers assume their input is not a strided view
    }

    private static double await(Future<Double> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the replicas computed gradients", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException("a replica failed", cause);
        }
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
