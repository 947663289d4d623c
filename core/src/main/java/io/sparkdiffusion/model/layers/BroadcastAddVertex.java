package io.sparkdiffusion.model.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Adds a per-channel vector to CNN feature maps: input 0 is [N, C, H, W] (NCHW), input 1 is [N, C] (feed-forward
 * activations, e.g. a DenseLayer projecting the timestep embedding), output = in0 + in1[:, :, None, None].
 * Gradients: in0 gets epsilon, in1 gets epsilon summed over H and W. Implementation: {@link BroadcastAddVertexImpl}.
 *
 * <p>Usage: {@code graph.addVertex("h_plus_t", new BroadcastAddVertex(), "h", "t_proj")} (order matters).
 * Feature maps may also be NHWC ([N, H, W, C]; the vector is then added as in1[:, None, None, :]): the layout is
 * taken from the input type when the graph is built and kept in the JSON field {@code dataFormat}.
 */
public class BroadcastAddVertex extends NoParamVertex {

    /** Layout of the feature maps; taken from the input type when the graph is built (absent in older JSON: NCHW). */
    protected CNN2DFormat dataFormat = CNN2DFormat.NCHW;

    public BroadcastAddVertex() {
    }

    public CNN2DFormat getDataFormat() {
        return dataFormat == null ? CNN2DFormat.NCHW : dataFormat;
    }

    public void setDataFormat(CNN2DFormat dataFormat) {
        this.dataFormat = dataFormat;
    }

    @Override
    public BroadcastAddVertex clone() {
        BroadcastAddVertex clone = new BroadcastAddVertex();
        clone.dataFormat = dataFormat;
        return clone;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BroadcastAddVertex && ((BroadcastAddVertex) o).getDataFormat() == getDataFormat();
    }

    @Override
    public int hashCode() {
        return BroadcastAddVertex.class.getName().hashCode() * 31 + getDataFormat().hashCode();
    }

    @Override
    protected int inputCount() {
        return 2;
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                      INDArray paramsView, boolean initializeParams,
                                                                      DataType networkDatatype) {
        return new BroadcastAddVertexImpl(graph, name, idx, networkDatatype, getDataFormat());
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) throws InvalidInputTypeException {
        if (vertexInputs.length != 2) {
            throw new InvalidInputTypeException("BroadcastAddVertex takes 2 inputs ([N, C, H, W] feature maps and an "
                    + "[N, C] vector), got " + vertexInputs.length);
        }
        if (vertexInputs[0].getType() != InputType.Type.CNN) {
            throw new InvalidInputTypeException("BroadcastAddVertex input 0 must be CNN activations [N, C, H, W], got "
                    + vertexInputs[0]);
        }
        InputType.InputTypeConvolutional maps = (InputType.InputTypeConvolutional) vertexInputs[0];
        dataFormat = maps.getFormat();
        if (vertexInputs[1].getType() != InputType.Type.FF) {
            throw new InvalidInputTypeException("BroadcastAddVertex input 1 must be feed-forward activations [N, C], got "
                    + vertexInputs[1]);
        }
        long size = ((InputType.InputTypeFeedForward) vertexInputs[1]).getSize();
        if (size != maps.getChannels()) {
            throw new InvalidInputTypeException("BroadcastAddVertex: vector input has size " + size
                    + " but the feature maps have " + maps.getChannels() + " channels");
        }
        return maps;
    }

    @Override
    public String toString() {
        return "BroadcastAddVertex(" + getDataFormat() + ")";
    }
}
