package io.sparkdiffusion.jobs.train;

import io.sparkdiffusion.runtime.NativeRuntime;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class WorkerThreadsHookTest {

    @Test
    void aStepOnAThreadWithAnotherOpenMpCountRunsWithTheConfiguredOne() throws Exception {
        NativeRuntime.init();
        int configured = NativeRuntime.configuredOmpThreads();
        ExecutorService pool = Executors.newSingleThreadExecutor(); // OpenMP's count is per thread: a thread of its own
        try {
            int[] counts = CompletableFuture.supplyAsync(() -> {
                NativeRuntime.setOmpThreads(configured + 3); // as ND4J leaves the thread that loads it
                int before = NativeRuntime.ompThreads();
                new WorkerThreadsHook().preUpdate((MultiDataSet) null, null);
                return new int[] {before, NativeRuntime.ompThreads()};
            }, pool).get();
            assertNotEquals(configured, counts[0], "the thread started with another count");
            assertEquals(configured, counts[1], "the step runs with OMP_NUM_THREADS (or the processor count)");
        } finally {
            pool.shutdown();
        }
    }
}
