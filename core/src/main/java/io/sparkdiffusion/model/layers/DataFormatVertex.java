package io.sparkdiffusion.model.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Converts CNN activations to a layout: NCHW [N, C, H, W] ↔ NHWC [N, H, W, C] (a transpose; backprop transposes
 * epsilon back). Input that already has the target layout passes through. Lets a graph keep NCHW inputs and outputs
 * while its convolutions run on NHWC, the layout oneDNN's forward convolutions use internally (no reorders).
 *
 * <p>Usage: {@code graph.addVertex("x_nhwc", new DataFormatVertex(CNN2DFormat.NHWC), "x")}. Implementation:
 * {@link DataFormatVertexImpl}.
 */
public class DataFormatVertex extends NoParamVertex {

    protected CNN2DFormat target = CNN2DFormat.NHWC;
    /** The input's layout, from the input type when the graph is built. */
    protected CNN2DFormat source = CNN2DFormat.NCHW;

    /** For JSON deserialization. */
    public DataFormatVertex() {
    }

    public DataFormatVertex(CNN2DFormat target) {
        if (target == null) {
            throw new IllegalArgumentException("DataFormatVertex needs a target format");
        }
        this.target = target;
    }

    public CNN2DFormat getTarget() {
        return target;
    }

    public void setTarget(CNN2DFormat target) {
        this.target = target;
    }

    public CNN2DFormat getSource() {
        return source;
    }

    public void setSource(CNN2DFormat source) {
        this.source = source;
    }

    @Override
    public DataFormatVertex clone() {
        DataFormatVertex clone = new DataFormatVertex(target);
        clone.source = source;
        return clone;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DataFormatVertex && ((DataFormatVertex) o).target == target
                && ((DataFormatVertex) o).source == source;
    }

    @Override
    public int hashCode() {
        return DataFormatVertex.class.getName().hashCode() * 31 + target.hashCode() * 7 + source.hashCode();
    }

    @Override
    protected int inputCount() {
        return 1;
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                      INDArray paramsView, boolean initializeParams,
                                                                      DataType networkDatatype) {
        return new DataFormatVertexImpl(graph, name, idx, networkDatatype, source, target);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) throws InvalidInputTypeException {
        if (vertexInputs.length != 1 || vertexInputs[0].getType() != InputType.Type.CNN) {
            throw new InvalidInputTypeException("DataFormatVertex takes one CNN input, got "
                    + java.util.Arrays.toString(vertexInputs));
        }
        InputType.InputTypeConvolutional in = (InputType.InputTypeConvolutional) vertexInputs[0];
        source = in.getFormat();
        return InputType.convolutional(in.getHeight(), in.getWidth(), in.getChannels(), target);
    }

    @Override
    public String toString() {
        return "DataFormatVertex(" + source + " -> " + target + ")";
    }
}
