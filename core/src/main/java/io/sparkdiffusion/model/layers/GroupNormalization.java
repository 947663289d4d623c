package io.sparkdiffusion.model.layers;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
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
public class GroupNormalization extends ChannelPreservingCnnLayer {

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

    @Override
    protected String kind() {
        return "GroupNormalization";
    }

    private void validateGroups(int layerIndex) {
        checkChannelSplit(nGroups, "nGroups", "groups", layerIndex);
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

    /** Takes the channel count and layout from the input type; a layer built for C channels checks them. */
    @Override
    public void setNIn(InputType inputType, boolean override) {
        long channels = channelsOf(inputType);
        if (inputType instanceof InputType.InputTypeConvolutional conv) {
            dataFormat = conv.getFormat();
        }
        if (nIn > 0 && !override) {
            if (nIn != channels) {
                throw new IllegalStateException(named() + " was built for " + nIn + " channels but its input has "
                        + channels);
            }
            return;
        }
        nIn = channels;
        nOut = channels;
        validateGroups(-1);
    }

    /** No L1/L2/weight decay on gamma and beta. */
    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        return null;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        InputType outputType = getOutputType(-1, inputType);
        // forward: statistics are tiny; backprop: one working array the size of the input
        return memoryReport(inputType, outputType, 0, inputType.arrayElementsPerExample());
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
    public static class Builder extends ChannelPreservingCnnLayer.Builder<Builder> {

        protected int nGroups;
        protected double eps = DEFAULT_EPS;

        public Builder() {
        }

        /** Number of groups; must divide the channel count. */
        public Builder nGroups(int nGroups) {
            this.nGroups = nGroups;
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
