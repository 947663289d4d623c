package io.sparkdiffusion.model.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The implementation of {@link DataFormatVertex}: a c-order copy of the transposed input (or epsilon). */
public class DataFormatVertexImpl extends NoParamVertexImpl {

    private final CNN2DFormat source;
    private final CNN2DFormat target;

    public DataFormatVertexImpl(ComputationGraph graph, String name, int vertexIndex, DataType dataType,
                                CNN2DFormat source, CNN2DFormat target) {
        super(graph, name, vertexIndex, null, null, dataType);
        this.source = source;
        this.target = target;
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoForward()) {
            throw new IllegalStateException("Cannot do forward pass in " + this + ": input not set");
        }
        return convert(inputs[0].castTo(dataType), source, target, ArrayType.ACTIVATIONS, workspaceMgr);
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoBackward()) {
            throw new IllegalStateException("Cannot do backward pass in " + this + ": input or epsilon not set");
        }
        return new Pair<>(null, new INDArray[] {convert(epsilon, target, source, ArrayType.ACTIVATION_GRAD, workspaceMgr)});
    }

    private INDArray convert(INDArray x, CNN2DFormat from, CNN2DFormat to, ArrayType type, LayerWorkspaceMgr mgr) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException(this + " expects rank 4 CNN activations, got rank " + x.rank());
        }
        if (from == to) {
            return mgr.dup(type, x, 'c');
        }
        INDArray permuted = from == CNN2DFormat.NCHW ? x.permute(0, 2, 3, 1) : x.permute(0, 3, 1, 2);
        return mgr.dup(type, permuted, 'c');
    }

    @Override
    public String toString() {
        return "DataFormatVertex(id=" + getVertexIndex() + ",name=\"" + getVertexName() + "\"," + source + "->" + target
                + ")";
    }
}
