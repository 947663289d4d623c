package io.sparkdiffusion.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's memory, for benchmarks that must show it stays flat: resident set now and at its peak
 * ({@code /proc/self/status}; it includes ND4J's native arrays, which no Java-side counter sees) and the Java heap
 * in use and committed (the collector grows the committed heap towards -Xmx, which the resident set shows too).
 */
record MemoryUse(long residentBytes, long peakResidentBytes, long heapUsedBytes, long heapCommittedBytes) {

    static MemoryUse now() {
        long rss = -1;
        long hwm = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = kilobytes(line) * 1024;
                } else if (line.startsWith("VmHWM:")) {
                    hwm = kilobytes(line) * 1024;
                }
            }
        } catch (IOException | RuntimeException noProcfs) {
            // not Linux: the JVM's own figures below still say something
        }
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return new MemoryUse(rss, hwm, heap.getUsed(), heap.getCommitted());
    }

    private static long kilobytes(String statusLine) {
        return Long.parseLong(statusLine.replaceAll("[^0-9]", ""));
    }

    @Override
    public String toString() {
        return String.format("rss %d MB (peak %d MB), heap %d MB used of %d MB committed", residentBytes >> 20,
                peakResidentBytes >> 20, heapUsedBytes >> 20, heapCommittedBytes >> 20);
    }
}
