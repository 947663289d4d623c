package io.sparkdiffusion.model.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * The implementation of {@link BroadcastAddVertex}: one broadcast add forward; backward a copy of epsilon for the
 * feature maps and, from that copy, one sum over H, W for the vector.
 */
public class BroadcastAddVertexImpl extends NoParamVertexImpl {

    /** A heap column of H·W ones for the backward sum (NCHW), or [N, 1, H·W] ones (NHWC). */
    private INDArray ones;
    private final boolean nhwc;

    public BroadcastAddVertexImpl(ComputationGraph graph, String name, int vertexIndex, DataType dataType) {
        this(graph, name, vertexIndex, dataType, CNN2DFormat.NCHW);
    }

    public BroadcastAddVertexImpl(ComputationGraph graph, String name, int vertexIndex, DataType dataType,
                                  CNN2DFormat format) {
        this(graph, name, vertexIndex, null, null, dataType, format);
    }

    public BroadcastAddVertexImpl(ComputationGraph graph, String name, int vertexIndex, VertexIndices[] inputVertices,
                                  VertexIndices[] outputVertices, DataType dataType) {
        this(graph, name, vertexIndex, inputVertices, outputVertices, dataType, CNN2DFormat.NCHW);
    }

    public BroadcastAddVertexImpl(ComputationGraph graph, String name, int vertexIndex, VertexIndices[] inputVertices,
                                  VertexIndices[] outputVertices, DataType dataType, CNN2DFormat format) {
        super(graph, name, vertexIndex, inputVertices, outputVertices, dataType);
        this.nhwc = format == CNN2DFormat.NHWC;
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoForward()) {
            throw new IllegalStateException("Cannot do forward pass in " + this + ": inputs not set");
        }
        INDArray maps = inputs[0].castTo(dataType);
        INDArray vector = inputs[1].castTo(dataType);
        checkShapes(maps, vector);
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, maps.shape(), 'c');
        // numpy-style broadcasting: measured ~2x faster than the legacy BroadcastAddOp along dims (0, 1)
        INDArray broadcast = nhwc ? vector.reshape('c', vector.size(0), 1, 1, vector.size(1))
                : vector.reshape('c', vector.size(0), vector.size(1), 1, 1);
        Nd4j.exec(new AddOp(maps, broadcast, out));
        return out;
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoBackward()) {
            throw new IllegalStateException("Cannot do backward pass in " + this + ": inputs or epsilon not set");
        }
        INDArray mapsGrad = workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, epsilon, 'c');
        if (nhwc) {
            long n = epsilon.size(0);
            long hw = epsilon.size(1) * epsilon.size(2);
            long c = epsilon.size(3);
            // Σ over H, W per sample: [N, 1, HW] ones x [N, HW, C] (batched matrix product)
            INDArray sums = Nd4j.matmul(onesRow(n, hw, epsilon.dataType()), mapsGrad.reshape('c', n, hw, c));
            INDArray vectorGrad = workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, sums.reshape('c', n, c), 'c');
            return new Pair<>(null, new INDArray[] {mapsGrad, vectorGrad});
        }
        long n = epsilon.size(0);
        long c = epsilon.size(1);
        long hw = epsilon.size(2) * epsilon.size(3);
        INDArray vectorGrad = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, epsilon.dataType(),
                new long[] {n, c}, 'c');
        // Σ over H, W as one BLAS matrix-vector product with ones (several times faster than a sum reduction);
        // mapsGrad is a c-order copy of epsilon, so it can be viewed as [N·C, H·W]
        Nd4j.gemm(mapsGrad.reshape('c', n * c, hw), ones(hw, epsilon.dataType()), vectorGrad.reshape('c', n * c, 1),
                false, false, 1.0, 0.0);
        return new Pair<>(null, new INDArray[] {mapsGrad, vectorGrad});
    }

    private INDArray onesRow(long n, long hw, DataType type) {
        if (ones == null || ones.rank() != 3 || ones.size(0) != n || ones.size(2) != hw || ones.dataType() != type) {
            try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                ones = Nd4j.ones(type, n, 1, hw);
            }
        }
        return ones;
    }

    private INDArray ones(long length, DataType type) {
        if (ones == null || ones.length() != length || ones.dataType() != type) {
            try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                ones = Nd4j.ones(type, length, 1);
            }
        }
        return ones;
    }

    private void checkShapes(INDArray maps, INDArray vector) {
        long channels = maps.rank() == 4 ? maps.size(nhwc ? 3 : 1) : -1;
        if (maps.rank() != 4 || vector.rank() != 2 || maps.size(0) != vector.size(0) || channels != vector.size(1)) {
            throw new IllegalArgumentException(this + " expects inputs " + (nhwc ? "[N, H, W, C]" : "[N, C, H, W]")
                    + " and [N, C], got "
                    + Arrays.toString(maps.shape()) + " and " + Arrays.toString(vector.shape()));
        }
    }

    @Override
    public String toString() {
        return "BroadcastAddVertex(id=" + getVertexIndex() + ",name=\"" + getVertexName() + "\")";
    }
}
