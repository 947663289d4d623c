package io.sparkdiffusion.model.layers;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs a per-sample Java kernel over a batch split into contiguous sample ranges, one per thread: the calling thread
 * takes the first range, daemon threads of a shared pool the others. Used where ND4J would have spread an op over its
 * OpenMP threads, so that a Java loop does not leave the other cores idle.
 */
final class SampleRanges {

    /** A kernel over samples [from, to); {@code part} numbers the range (0 for the calling thread's). */
    interface Task {
        void run(int from, int to, int part);
    }

    private static final ExecutorService POOL = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "spark-diffusion-sample-ranges");
        thread.setDaemon(true);
        return thread;
    });

    private SampleRanges() {
    }

    /** How many ranges {@link #run} makes of {@code samples} samples for {@code threads} threads. */
    static int parts(int samples, int threads) {
        return Math.max(1, Math.min(samples, threads));
    }

    /** Runs {@code task} on {@link #parts} ranges of [0, samples) at once and waits for all of them. */
    static void run(int samples, int threads, Task task) {
        int parts = parts(samples, threads);
        if (parts == 1) {
            task.run(0, samples, 0);
            return;
        }
        List<Future<?>> others = new ArrayList<>(parts - 1);
        for (int p = 1; p < parts; p++) {
            int part = p;
            others.add(POOL.submit(() -> task.run(start(samples, parts, part), start(samples, parts, part + 1), part)));
        }
        RuntimeException failure = null;
        try {
            task.run(0, start(samples, parts, 1), 0);
        } catch (RuntimeException e) {
            failure = e;
        }
        for (Future<?> other : others) {
            try {
                other.get();
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException ? (RuntimeException) e.getCause()
                            : new IllegalStateException(e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a sample range", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static int start(int samples, int parts, int part) {
        return (int) ((long) samples * part / parts);
    }
}
