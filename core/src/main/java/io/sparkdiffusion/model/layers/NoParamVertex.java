package io.sparkdiffusion.model.layers;

import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;

/**
 * The configuration side shared by our graph vertices that have no parameters and a fixed number of inputs
 * ({@link BroadcastAddVertex}, {@link DataFormatVertex}); like DL4J's {@code NoParamLayer}, for vertices. It has no
 * fields, so the vertices' JSON is what it was.
 */
public abstract class NoParamVertex extends GraphVertex {

    /** How many inputs the vertex takes: no fewer, no more. */
    protected abstract int inputCount();

    @Override
    public long numParams(boolean backprop) {
        return 0;
    }

    @Override
    public int minVertexInputs() {
        return inputCount();
    }

    @Override
    public int maxVertexInputs() {
        return inputCount();
    }

    /** No parameters, no working memory, no cache: only the output, which DL4J counts itself. */
    @Override
    public MemoryReport getMemoryReport(InputType... inputTypes) {
        InputType out = getOutputType(-1, inputTypes);
        return new LayerMemoryReport.Builder(null, getClass(), inputTypes[0], out)
                .standardMemory(0, 0)
                .workingMemory(0, 0, 0, 0)
                .cacheMemory(0, 0)
                .build();
    }
}
