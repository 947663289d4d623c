package io.sparkdiffusion.bench;

import org.bytedeco.javacpp.BytePointer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemoryUseTest {

    @Test
    void readsResidentAndPeakFromProcStatus() {
        List<String> status = List.of("Name:\tjava", "VmPeak:\t 5930820 kB", "VmHWM:\t  1870220 kB",
                "VmRSS:\t  1850220 kB", "RssAnon:\t 1700000 kB");
        assertArrayEquals(new long[] {1850220L * 1024, 1870220L * 1024}, MemoryUse.residentAndPeak(status));
        assertArrayEquals(new long[] {-1, -1}, MemoryUse.residentAndPeak(List.of("Name:\tjava")));
    }

    @Test
    void countsJavacppAllocationsAndNd4jWorkspaces() {
        long mb = 1 << 20;
        MemoryUse before = MemoryUse.now();
        BytePointer pointer = new BytePointer(8 * mb);
        WorkspaceConfiguration config = WorkspaceConfiguration.builder().initialSize(16 * mb)
                .policyAllocation(AllocationPolicy.STRICT).build();
        MemoryWorkspace workspace = Nd4j.getWorkspaceManager().createNewWorkspace(config, "MemoryUseTest");
        try {
            MemoryUse during = MemoryUse.now();
            assertTrue(during.javacppBytes() - before.javacppBytes() >= 8 * mb, during + " vs " + before);
            assertTrue(during.workspaceBytes() - before.workspaceBytes() >= 16 * mb, during + " vs " + before);
        } finally {
            workspace.destroyWorkspace(true);
            pointer.deallocate();
        }
        MemoryUse after = MemoryUse.now();
        assertTrue(after.javacppBytes() - before.javacppBytes() < 8 * mb, after + " vs " + before);
        assertTrue(after.workspaceBytes() - before.workspaceBytes() < 16 * mb, after + " vs " + before);
        assertTrue(after.residentBytes() > 0 && after.peakResidentBytes() >= after.residentBytes(), after.toString());
    }
}
