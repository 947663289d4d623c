package io.sparkdiffusion.bench;

import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.memory.Deallocatable;
import org.nd4j.linalg.api.memory.deallocation.DeallocatorService;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.reflect.Field;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;

/**
 * Diagnostic: where the native objects come from that ND4J frees only when the collector finds their Java object
 * (every data buffer, view and op context registers with ND4J's {@link DeallocatorService}; their native side stays
 * allocated until then). Installed in place of ND4J's service, it counts registrations by call site while recording.
 * A site is the first frame outside ND4J and JavaCPP (our code or DL4J's) and the kind of object: a buffer of its own
 * memory (with its bytes), a buffer in a workspace or a view (only the small native header), or an op context.
 */
final class NativeObjectSites extends DeallocatorService {
    private final Map<String, long[]> sites = new ConcurrentHashMap<>();
    /** The recorded buffers with memory of their own, by site: held until the report, which asks which were freed. */
    private final Map<String, Queue<DataBuffer>> ownBuffers = new ConcurrentHashMap<>();
    private volatile boolean recording;

    /** Puts a recorder in place of ND4J's service (objects registered before keep their old service). */
    static NativeObjectSites install() {
        NativeObjectSites recorder = new NativeObjectSites();
        try {
            Field field = Nd4j.class.getDeclaredField("deallocatorService");
            field.setAccessible(true);
            Nd4j.getDeallocatorService(); // makes sure ND4J's own exists first, so it is not created over ours
            field.set(null, recorder);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot replace ND4J's deallocator service", e);
        }
        return recorder;
    }

    void record(boolean on) {
        recording = on;
    }

    @Override
    public void pickObject(Deallocatable deallocatable) {
        if (recording) {
            String site = site(new Throwable().getStackTrace()) + " " + kind(deallocatable);
            long[] countAndBytes = sites.computeIfAbsent(site, s -> new long[2]);
            synchronized (countAndBytes) {
                countAndBytes[0]++;
                countAndBytes[1] += ownBytes(deallocatable);
            }
            if (ownBytes(deallocatable) > 0) {
                ownBuffers.computeIfAbsent(site, k -> new ConcurrentLinkedQueue<>()).add((DataBuffer) deallocatable);
            }
        }
        super.pickObject(deallocatable);
    }

    /**
     * The recorded sites, most frequent first: objects and bytes of own memory per step (averaged over {@code steps}),
     * and how many of those bytes were freed explicitly (closed) by the time of the report rather than left to the GC.
     */
    List<String> report(int steps) {
        return sites.entrySet().stream()
                .sorted(Comparator.comparingLong((Map.Entry<String, long[]> e) -> -e.getValue()[0]))
                .map(e -> String.format("%8.1f per step, %9.1f KB per step, %9.1f KB of it freed early  %s",
                        e.getValue()[0] / (double) steps, e.getValue()[1] / 1024.0 / steps,
                        freedBytes(e.getKey()) / 1024.0 / steps, e.getKey()))
                .collect(Collectors.toList());
    }

    private long freedBytes(String site) {
        long freed = 0;
        for (DataBuffer buffer : ownBuffers.getOrDefault(site, new ConcurrentLinkedQueue<>())) {
            if (buffer.wasClosed()) {
                freed += buffer.length() * buffer.getElementSize();
            }
        }
        return freed;
    }

    private static String site(StackTraceElement[] stack) {
        String ours = null;
        String firstOutside = null;
        for (StackTraceElement frame : stack) {
            String cls = frame.getClassName();
            if (cls.startsWith("io.sparkdiffusion.bench.NativeObjectSites")) {
                continue;
            }
            boolean library = cls.startsWith("org.nd4j.") || cls.startsWith("org.bytedeco.") || cls.startsWith("java.")
                    || cls.startsWith("jdk.");
            if (!library && firstOutside == null) {
                firstOutside = frame.toString();
            }
            if (cls.startsWith("io.sparkdiffusion.") && ours == null) {
                ours = frame.toString();
            }
        }
        return firstOutside + (ours != null && !ours.equals(firstOutside) ? " <- " + ours : "");
    }

    private static String kind(Deallocatable deallocatable) {
        if (deallocatable instanceof DataBuffer buffer) {
            if (buffer.isAttached()) {
                return "[workspace buffer]";
            }
            return buffer.originalDataBuffer() != null && buffer.originalDataBuffer() != buffer ? "[view buffer]"
                    : "[own buffer]";
        }
        return "[" + deallocatable.getClass().getSimpleName() + "]";
    }

    private static long ownBytes(Deallocatable deallocatable) {
        if (deallocatable instanceof DataBuffer buffer && !buffer.isAttached()
                && (buffer.originalDataBuffer() == null || buffer.originalDataBuffer() == buffer)) {
            return buffer.length() * buffer.getElementSize();
        }
        return 0;
    }
}
