package io.sparkdiffusion.bench;

import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.memory.AllocationsTracker;
import org.nd4j.linalg.api.memory.enums.AllocationKind;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The process's memory, for benchmarks that must show it stays flat: resident set now and at its peak
 * ({@code /proc/self/status}; it includes ND4J's native arrays, which no Java-side counter sees), the Java heap
 * in use and committed (the collector grows the committed heap towards -Xmx, which the resident set shows too),
 * and two off-heap counters: JavaCPP's count of the bytes its own pointers allocated and the bytes of ND4J's
 * workspaces. ND4J M2 allocates its other arrays inside libnd4j, which neither counter sees, so native growth beyond
 * these two is those arrays (freed when the collector finds their Java objects) or malloc keeping freed pages.
 */
record MemoryUse(long residentBytes, long peakResidentBytes, long heapUsedBytes, long heapCommittedBytes,
                 long javacppBytes, long workspaceBytes) {

    static MemoryUse now() {
        long[] resident = {-1, -1};
        try {
            resident = residentAndPeak(Files.readAllLines(Path.of("/proc/self/status")));
        } catch (IOException | RuntimeException noProcfs) {
            // not Linux: the JVM's own figures below still say something
        }
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return new MemoryUse(resident[0], resident[1], heap.getUsed(), heap.getCommitted(), Pointer.totalBytes(),
                AllocationsTracker.getInstance().bytesOnDevice(AllocationKind.WORKSPACE, 0));
    }

    /** VmRSS and VmHWM of a {@code /proc/<pid>/status} text, in bytes (-1 when a line is missing). */
    static long[] residentAndPeak(List<String> statusLines) {
        long rss = -1;
        long hwm = -1;
        for (String line : statusLines) {
            if (line.startsWith("VmRSS:")) {
                rss = kilobytes(line) * 1024;
            } else if (line.startsWith("VmHWM:")) {
                hwm = kilobytes(line) * 1024;
            }
        }
        return new long[] {rss, hwm};
    }

    private static long kilobytes(String statusLine) {
        return Long.parseLong(statusLine.replaceAll("[^0-9]", ""));
    }

    /** Resident set minus committed heap: the native part (ND4J's arrays, malloc, the JVM's own structures). */
    long nativeBytes() {
        return residentBytes - heapCommittedBytes;
    }

    @Override
    public String toString() {
        return String.format("rss %d MB (peak %d MB), heap %d MB used of %d MB committed, rss-heap %d MB, "
                        + "javacpp %d MB, workspaces %d MB", residentBytes >> 20, peakResidentBytes >> 20,
                heapUsedBytes >> 20, heapCommittedBytes >> 20, nativeBytes() >> 20, javacppBytes >> 20,
                workspaceBytes >> 20);
    }
}
