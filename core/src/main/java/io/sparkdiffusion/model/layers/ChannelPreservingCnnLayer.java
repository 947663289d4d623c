package io.sparkdiffusion.model.layers;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;

/**
 * The configuration side shared by our CNN layers whose output has the shape of their input ({@link GroupNormalization},
 * {@link SpatialSelfAttention}): nIn = nOut = the channel count C, which may come from the input type; CNN input
 * (CNNFlat input is reshaped by a preprocessor); C split into equal parts (groups, heads). A base class because DL4J
 * asks every layer configuration the same questions (output type, preprocessor, memory) and these layers answer them
 * alike. It has no fields, so the layers' JSON is what it was.
 */
public abstract class ChannelPreservingCnnLayer extends FeedForwardLayer {

    /** Makes nIn and nOut equal (one given sets the other); refuses two different ones. */
    protected ChannelPreservingCnnLayer(Builder<?> builder) {
        super(builder);
        if (nIn > 0 && nOut > 0 && nIn != nOut) {
            throw new IllegalArgumentException(kind() + " keeps the channel count: nIn (" + nIn + ") and nOut (" + nOut
                    + ") must be equal");
        }
        if (nOut <= 0) {
            nOut = nIn;
        } else if (nIn <= 0) {
            nIn = nOut;
        }
    }

    /** The layer's name in messages, e.g. "GroupNormalization". */
    protected abstract String kind();

    /** Refuses a CNN layout the layer cannot run; every layout is accepted unless a subclass says otherwise. */
    protected void checkFormat(InputType.InputTypeConvolutional conv) {
    }

    /** E.g. {@code GroupNormalization (layer "gn")}, the start of a message about this layer. */
    protected String named() {
        return kind() + " (layer \"" + getLayerName() + "\")";
    }

    /**
     * Refuses a split of the channels into {@code parts} equal parts that does not exist: fewer than one part, or
     * parts that do not divide the channel count (when it is known).
     *
     * @param partsKey   the setting, for the message, e.g. "nGroups"
     * @param partsName  what a part is called, e.g. "groups"
     * @param layerIndex the layer's index in the network, or −1 when not known yet
     */
    protected void checkChannelSplit(int parts, String partsKey, String partsName, int layerIndex) {
        String where = " (layer \"" + getLayerName() + "\"" + (layerIndex >= 0 ? ", index " + layerIndex : "") + ")";
        if (parts < 1) {
            throw new IllegalStateException(kind() + " needs " + partsKey + " >= 1, got " + parts + where);
        }
        if (nOut > 0 && nOut % parts != 0) {
            throw new IllegalStateException(kind() + ": " + parts + " " + partsName + " do not divide " + nOut
                    + " channels" + where);
        }
    }

    /** The channel count of CNN or CNNFlat input (a CNN layout checked by {@link #checkFormat}). */
    protected long channelsOf(InputType inputType) {
        switch (inputType.getType()) {
            case CNN:
                InputType.InputTypeConvolutional conv = (InputType.InputTypeConvolutional) inputType;
                checkFormat(conv);
                return conv.getChannels();
            case CNNFlat:
                return ((InputType.InputTypeConvolutionalFlat) inputType).getDepth();
            default:
                throw notCnn(inputType);
        }
    }

    private IllegalStateException notCnn(InputType inputType) {
        return new IllegalStateException(named() + " expects CNN input [N, C, H, W], got " + inputType);
    }

    /** The input's shape; flat CNN input as the [C, H, W] it stands for. */
    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        if (inputType == null) {
            throw new IllegalStateException(named() + " expects CNN input, got null");
        }
        switch (inputType.getType()) {
            case CNN:
                checkFormat((InputType.InputTypeConvolutional) inputType);
                return inputType;
            case CNNFlat:
                InputType.InputTypeConvolutionalFlat flat = (InputType.InputTypeConvolutionalFlat) inputType;
                return InputType.convolutional(flat.getHeight(), flat.getWidth(), flat.getDepth());
            default:
                throw notCnn(inputType);
        }
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        if (inputType != null && inputType.getType() == InputType.Type.CNNFlat) {
            InputType.InputTypeConvolutionalFlat flat = (InputType.InputTypeConvolutionalFlat) inputType;
            return new FeedForwardToCnnPreProcessor(flat.getHeight(), flat.getWidth(), flat.getDepth());
        }
        return null;
    }

    @Override
    public boolean isPretrainParam(String paramName) {
        return false;
    }

    /**
     * The memory report of a layer with these parameters and per-example working memory (elements), and no cache
     * between passes.
     */
    protected LayerMemoryReport memoryReport(InputType inputType, InputType outputType, long forwardWorking,
                                             long backpropWorking) {
        long numParams = initializer().numParams(this);
        long updaterState = iUpdater == null ? 0 : iUpdater.stateSize(numParams);
        return new LayerMemoryReport.Builder(layerName, getClass(), inputType, outputType)
                .standardMemory(numParams, updaterState)
                .workingMemory(0, forwardWorking, 0, backpropWorking)
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .build();
    }

    /** Builder; {@link #channels(long)} sets nIn = nOut. */
    public abstract static class Builder<T extends Builder<T>> extends FeedForwardLayer.Builder<T> {

        /** The channel count C (nIn = nOut = C); optional when the graph has input types set. */
        @SuppressWarnings("unchecked")
        public T channels(long channels) {
            this.nIn = channels;
            this.nOut = channels;
            return (T) this;
        }
    }
}
