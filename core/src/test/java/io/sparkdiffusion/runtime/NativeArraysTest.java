package io.sparkdiffusion.runtime;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NativeArraysTest {

    @Test
    void freesArraysThatOwnTheirMemory() {
        INDArray a = Nd4j.rand(DataType.FLOAT, 4, 5);
        INDArray b = Nd4j.createFromArray(1.0, 2.0);
        NativeArrays.free(a, b);
        assertTrue(a.wasClosed());
        assertTrue(b.wasClosed());
    }

    @Test
    void leavesViewsAndTheirArrayAlone() {
        INDArray whole = Nd4j.createFromArray(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}).reshape(4, 3);
        INDArray rows = whole.get(NDArrayIndex.interval(1, 3), NDArrayIndex.all());
        NativeArrays.free(rows);
        assertFalse(rows.wasClosed());
        assertFalse(whole.wasClosed());
        assertEquals(4.0f, rows.getFloat(0, 0)); // the memory is still there
    }

    @Test
    void leavesWorkspaceArraysToTheirWorkspace() {
        WorkspaceConfiguration config = WorkspaceConfiguration.builder().initialSize(1 << 16).build();
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().getAndActivateWorkspace(config, "NativeArraysTest")) {
            INDArray attached = Nd4j.ones(DataType.FLOAT, 8);
            NativeArrays.free(attached); // closing it would throw: the workspace owns it
            assertFalse(attached.wasClosed());
            assertEquals(8.0, attached.sumNumber().doubleValue());
        }
    }

    @Test
    void skipsNullsAndArraysFreedBefore() {
        INDArray a = Nd4j.zeros(DataType.FLOAT, 3);
        NativeArrays.free(a);
        NativeArrays.free(a, null); // neither throws
        assertTrue(a.wasClosed());
    }
}
