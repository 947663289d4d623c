package io.sparkdiffusion.runtime;

import org.junit.jupiter.api.Test;
import org.nd4j.nativeblas.NativeOpsHolder;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

class NativeRuntimeTest {

    @Test
    void initLeavesTheConfiguredOmpThreadCountOnTheLoadingThread() {
        NativeRuntime.init();
        // ND4J M2 itself would leave 4 here whatever OMP_NUM_THREADS says (surefire sets 2)
        assertEquals(NativeRuntime.configuredOmpThreads(), NativeRuntime.ompThreads());
    }

    @Test
    void useConfiguredOmpThreadsResetsTheCallingThreadOnly() throws InterruptedException {
        NativeRuntime.init();
        int configured = NativeRuntime.configuredOmpThreads();
        AtomicInteger changed = new AtomicInteger();
        AtomicInteger reset = new AtomicInteger();
        Thread other = new Thread(() -> {
            NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(configured + 3);
            changed.set(NativeRuntime.ompThreads());
            NativeRuntime.useConfiguredOmpThreads();
            reset.set(NativeRuntime.ompThreads());
        });
        other.start();
        other.join();
        assertEquals(configured + 3, changed.get());
        assertEquals(configured, reset.get());
        assertEquals(configured, NativeRuntime.ompThreads()); // OpenMP's count is per thread
    }

    @Test
    void configuredThreadsComeFromTheVariableWhenItIsAPositiveNumber() {
        assertEquals(3, NativeRuntime.ompThreadsFrom("3", 8));
        assertEquals(3, NativeRuntime.ompThreadsFrom(" 3 ", 8));
        assertEquals(8, NativeRuntime.ompThreadsFrom(null, 8));
        assertEquals(8, NativeRuntime.ompThreadsFrom("0", 8));
        assertEquals(8, NativeRuntime.ompThreadsFrom("-2", 8));
        assertEquals(8, NativeRuntime.ompThreadsFrom("two", 8));
    }
}
