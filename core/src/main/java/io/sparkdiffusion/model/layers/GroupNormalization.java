package io.sparkdiffusion.model.layers;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Group normalization (Wu &amp; He, 2018) of CNN activations [N, C, H, W] (NCHW, or [N, H, W, C] when the input type
 * is NHWC), exactly PyTorch's
 * {@code nn.GroupNorm(groups, C, eps)}: the C channels are split into {@code groups} groups of C/groups consecutive
 * channels, and per sample and group
 * <pre>  y = gamma_c · (x − mean) / sqrt(var + eps) + beta_c</pre>
 * with mean and (biased) variance taken over the group's channels and all H×W positions. The statistics never depend
 * on other samples, so training and inference compute the same thing and there is no running state.
 *
 * <p>Parameters: {@code gamma} (init 1) and {@code beta} (init 0), C each ({@link GroupNormParamInitializer}); they
 * get the layer's updater and no regularization. The activation is the identity, or SiLU fused into the layer
 * ({@link #withSilu()}, or {@code activation(new ActivationSiLU())} on the builder): y = silu(GroupNorm(x)) in one
 * layer, computed in fewer passes over the activations than GroupNorm followed by an {@code ActivationLayer}. Other
 * activations are refused. Implementation: {@link GroupNormLayer}.
 *
 * <p>Usage: {@code GroupNormalization.of(8, 64)}, {@code GroupNormalization.of(8, 64).withSilu()},
 * {@code GroupNormalization.of(8)} (channels from the input type), or
 * {@code new GroupNormalization.Builder().nGroups(8).channels(64).eps(1e-6).name("gn").build()}.
 *
 * <p>It serializes to JSON by class name like any DL4J layer (the {@code @class} property); it needs no registration.
 */
public class GroupNormalization extends FeedForwardLayer {

    public static final double DEFAULT_EPS = 1e-5;

    protected int nGroups;
    protected double eps = DEFAULT_EPS;
    /** Layout of the activations; taken from the input type (absent in older JSON: NCHW). */
    protected CNN2DFormat dataFormat = CNN2DFormat.NCHW;

    /** For JSON deserialization. */
    public GroupNormalization() {
        this(new Builder());
    }

    protected GroupNormalization(Builder builder) {
        super(builder);
        this.nGroups = builder.nGroups;
        this.eps = builder.eps;
        if (nIn > 0 && nOut > 0 && nIn != nOut) {
            throw new IllegalArgumentException("GroupNormalization keeps the channel count: nIn (" + nIn
                    + ") and nOut (" + nOut + ") must be equal");
        }
        if (nOut <= 0) {
            nOut = nIn;
        } else if (nIn <= 0) {
            nIn = nOut;
        }
        this.activationFn = supported(activationFn);
        if (!(eps > 0)) {
            throw new IllegalArgumentException("GroupNormalization eps must be positive, got " + eps);
        }
        if (builder.nGroups != 0 || nOut > 0) {
            validateGroups(-1);
        }
        initializeConstraints(builder);
    }

    /** {@code groups} groups over {@code channels} channels, eps 1e-5 (PyTorch's default). */
    public static GroupNormalization of(int groups, int channels) {
        return new Builder().nGroups(groups).channels(channels).build();
    }

    /** {@code groups} groups; the channel count comes from the input type when the graph is built. */
    public static GroupNormalization of(int groups) {
        return new Builder().nGroups(groups).build();
    }

    public int getNGroups() {
        return nGroups;
    }

    public void setNGroups(int nGroups) {
        this.nGroups = nGroups;
    }

    public double getEps() {
        return eps;
    }

    public CNN2DFormat getDataFormat() {
        return dataFormat == null ? CNN2DFormat.NCHW : dataFormat;
    }

    public void setDataFormat(CNN2DFormat dataFormat) {
        this.dataFormat = dataFormat;
    }

    public void setEps(double eps) {
        this.eps = eps;
    }

    /** The identity (or null: the identity) or {@link ActivationSiLU}; anything else is refused. */
    @Override
    public void setActivationFn(IActivation activationFn) {
        this.activationFn = supported(activationFn);
    }

    /** This layer, with SiLU fused after the normalization (one layer instead of GroupNorm + ActivationLayer). */
    public GroupNormalization withSilu() {
        this.activationFn = new ActivationSiLU();
        return this;
    }

    /** Whether the layer applies SiLU to its normalized output. */
    public boolean hasSilu() {
        return activationFn instanceof ActivationSiLU;
    }

    private static IActivation supported(IActivation activationFn) {
        if (activationFn == null || activationFn instanceof ActivationIdentity) {
            return new ActivationIdentity();
        }
        if (activationFn instanceof ActivationSiLU) {
            return activationFn;
        }
        throw new IllegalArgumentException("GroupNormalization fuses only SiLU (ActivationSiLU) or no activation, got "
                + activationFn + "; add an ActivationLayer after it");
    }

    private void validateGroups(int layerIndex) {
        String where = " (layer \"" + getLayerName() + "\"" + (layerIndex >= 0 ? ", index " + layerIndex : "") + ")";
        if (nGroups < 1) {
            throw new IllegalStateException("GroupNormalization needs nGroups >= 1, got " + nGroups + where);
        }
        if (nOut > 0 && nOut % nGroups != 0) {
            throw new IllegalStateException("GroupNormalization: " + nGroups + " groups do not divide " + nOut
                    + " channels" + where);
        }
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> trainingListeners, int layerIndex,
                                                       INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        LayerValidation.assertNOutSet("GroupNormalization", getLayerName(), layerIndex, getNOut());
        validateGroups(layerIndex);
        return NativeLayers.bind(new GroupNormLayer(conf, networkDataType), conf, initializer(), trainingListeners,
                layerIndex, layerParamsView, initializeParams);
    }

    @Override
    public ParamInitializer initializer() {
        return GroupNormParamInitializer.getInstance();
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        if (inputType == null) {
            throw new IllegalStateException("GroupNormalization (layer \"" + getLayerName()
                    + "\") expects CNN input, got null");
        }
        switch (inputType.getType()) {
            case CNN:
                return inputType;
            case CNNFlat:
                InputType.InputTypeConvolutionalFlat flat = (InputType.InputTypeConvolutionalFlat) inputType;
                return InputType.convolutional(flat.getHeight(), flat.getWidth(), flat.getDepth());
            default:
                throw new IllegalStateException("GroupNormalization (layer \"" + getLayerName()
                        + "\") expects CNN input [N, C, H, W], got " + inputType);
        }
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        long channels;
        switch (inputType.getType()) {
            case CNN:
                InputType.InputTypeConvolutional conv = (InputType.InputTypeConvolutional) inputType;
                channels = conv.getChannels();
                dataFormat = conv.getFormat();
                break;
            case CNNFlat:
                channels = ((InputType.InputTypeConvolutionalFlat) inputType).getDepth();
                break;
            default:
                throw new IllegalStateException("GroupNormalization (layer \"" + getLayerName()
                        + "\") expects CNN input [N, C, H, W], got " + inputType);
        }
        if (nIn > 0 && !override) {
            if (nIn != channels) {
                throw new IllegalStateException("GroupNormalization (layer \"" + getLayerName() + "\") was built for "
                        + nIn + " channels but its input has " + channels);
            }
            return;
        }
        nIn = channels;
        nOut = channels;
        validateGroups(-1);
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        if (inputType != null && inputType.getType() == InputType.Type.CNNFlat) {
            InputType.InputTypeConvolutionalFlat flat = (InputType.InputTypeConvolutionalFlat) inputType;
            return new FeedForwardToCnnPreProcessor(flat.getHeight(), flat.getWidth(), flat.getDepth());
        }
        return null;
    }

    /** No L1/L2/weight decay on gamma and beta. */
    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        return null;
    }

    @Override
    public boolean isPretrainParam(String paramName) {
        return false;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        InputType outputType = getOutputType(-1, inputType);
        long numParams = initializer().numParams(this);
        long updaterState = iUpdater == null ? 0 : iUpdater.stateSize(numParams);
        long perExample = inputType.arrayElementsPerExample();
        // forward: statistics are tiny; backprop: one working array the size of the input
        return new LayerMemoryReport.Builder(layerName, GroupNormalization.class, inputType, outputType)
                .standardMemory(numParams, updaterState)
                .workingMemory(0, 0, 0, perExample)
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .build();
    }

    @Override
    public GroupNormalization clone() {
        return (GroupNormalization) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (!(o instanceof GroupNormalization)) {
            return false;
        }
        GroupNormalization other = (GroupNormalization) o;
        return other.canEqual(this) && super.equals(o) && nGroups == other.nGroups
                && Double.compare(eps, other.eps) == 0 && getDataFormat() == other.getDataFormat();
    }

    @Override
    protected boolean canEqual(Object other) {
        return other instanceof GroupNormalization;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), nGroups, eps, getDataFormat());
    }

    @Override
    public String toString() {
        return "GroupNormalization(name=" + layerName + ", groups=" + nGroups + ", channels=" + nOut + ", eps=" + eps
                + ", format=" + getDataFormat() + (hasSilu() ? ", silu" : "") + ")";
    }

    /** Builder; {@link #channels(long)} sets nIn = nOut. */
    public static class Builder extends FeedForwardLayer.Builder<Builder> {

        protected int nGroups;
        protected double eps = DEFAULT_EPS;

        public Builder() {
        }

        /** Number of groups; must divide the channel count. */
        public Builder nGroups(int nGroups) {
            this.nGroups = nGroups;
            return this;
        }

        /** The channel count C (nIn = nOut = C); optional when the graph has input types set. */
        public Builder channels(long channels) {
            this.nIn = channels;
            this.nOut = channels;
            return this;
        }

        /** Added to the variance; default 1e-5. */
        public Builder eps(double eps) {
            this.eps = eps;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public GroupNormalization build() {
            return new GroupNormalization(this);
        }
    }
}
