package io.sparkdiffusion.runtime;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Frees the native memory of per-step arrays as soon as they are dead, instead of when the collector finds their Java
 * objects (ND4J M2 allocates arrays outside workspaces in libnd4j and frees them only then). A training step's own
 * arrays (the noisy images, targets, embeddings, replica slices: ~1.3 MB per step at batch 64) otherwise wait for a
 * collection, those promoted to the old generation for a mixed one, and malloc keeps the pages they held
 * (bench/README.md, "Memory of a training JVM").
 *
 * <p>Only for arrays the caller created and that nothing else uses any more: a reshape that shares the buffer of a
 * freed array is freed with it. Arrays in a workspace and views are left alone (the workspace or the viewed array
 * owns their memory), so a method may free its temporaries whether or not a caller runs it in a workspace scope.
 */
public final class NativeArrays {

    private NativeArrays() {
    }

    /** Frees every array that owns its memory; null, already freed, workspace and view arrays are skipped. */
    public static void free(INDArray... arrays) {
        for (INDArray array : arrays) {
            if (array != null && !array.wasClosed() && array.closeable()) {
                array.close();
            }
        }
    }
}
