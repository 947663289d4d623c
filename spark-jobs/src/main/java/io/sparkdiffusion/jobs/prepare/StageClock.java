package io.sparkdiffusion.jobs.prepare;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * Wall time, and CPU time of this JVM, since the Spark session was ready, for the progress log: on a shared
 * machine the CPU time says what a stage costs better than the wall time (in local mode it includes the
 * executors). bench/prepare.sh reads the job's processing time from the last line, "... after W s (JVM CPU time C s)".
 */
public final class StageClock {
    private final long startNanos = System.nanoTime();
    private final long startCpuNanos = cpuNanos();

    /** Starts now. */
    public StageClock() {
    }

    @Override
    public String toString() {
        double wall = (System.nanoTime() - startNanos) / 1e9;
        long cpu = cpuNanos();
        return cpu < 0 ? String.format("%.1f s", wall)
                : String.format("%.1f s (JVM CPU time %.1f s)", wall, (cpu - startCpuNanos) / 1e9);
    }

    private static long cpuNanos() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean hotspot ? hotspot.getProcessCpuTime() : -1;
    }
}
