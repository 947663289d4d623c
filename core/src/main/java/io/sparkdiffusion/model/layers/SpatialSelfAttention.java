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

import java.util.Collection;
import java.util.Objects;

/**
 * Spatial multi-head self-attention over CNN activations [N, C, H, W] (NCHW), the attention of the DDPM / diffusers
 * "AttnBlock" used at the lowest resolutions of a diffusion U-Net, <b>without</b> the normalization and
 * <b>without</b> the residual connection:
 * <pre>
 *   X   = the H·W positions as tokens with C features           [N, H·W, C]
 *   QKV = X·Wqkv + bqkv,  Q | K | V = its three C-column blocks   (head i: columns i·d .. i·d + d − 1 of each, d = C/h)
 *   A_i = softmax(Q_i K_iᵀ / sqrt(d))  (over the keys),   O = concat_i(A_i V_i)
 *   out = O·Wo + bo, back in [N, C, H, W]
 * </pre>
 *
 * <p><b>Residual and normalization are the caller's.</b> To get diffusers' {@code x + proj(attn(norm(x)))} build
 * <pre>  x → GroupNormalization → SpatialSelfAttention → ElementWiseVertex(Add) with x</pre>
 * (the layer's own input is the normalized x, so a residual inside it would add the wrong tensor).
 *
 * <p>Parameters ({@link SpatialSelfAttentionParamInitializer}): {@code Wqkv} [C, 3C], {@code bqkv} [1, 3C],
 * {@code Wo} [C, C], {@code bo} [1, C]; {@code Wqkv} and {@code Wo} are weights (L1/L2/weight decay apply), the two
 * biases are biases. Initialization: {@code Wqkv} with the layer's weight init ({@code weightInit(...)}, or the
 * network's default) with fan-in = fan-out = C, i.e. as three separate C×C projections; biases with the bias init
 * (default 0); {@code Wo} is <b>zero</b> by default (the output projection of DDPM / guided-diffusion is zero-initialized,
 * so the block starts as the identity once the residual is added) — {@code zeroInitOutput(false)} initializes it like
 * {@code Wqkv} instead. (With Wo = 0 the gradients of Wqkv and bqkv are exactly zero until Wo has moved.)
 *
 * <p>No activation function (always the identity), no dropout on attention probabilities (input dropout and weight
 * noise work as in any DL4J layer). Implementation: {@link SpatialSelfAttentionLayer}.
 *
 * <p>Usage: {@code SpatialSelfAttention.of(128, 4)}, {@code SpatialSelfAttention.of(4)} (channels from the input
 * type), or {@code new SpatialSelfAttention.Builder().channels(128).nHeads(4).zeroInitOutput(false).name("attn")
 * .build()}. It serializes to JSON by class name like any DL4J layer.
 */
public class SpatialSelfAttention extends ChannelPreservingCnnLayer {

    protected int nHeads;
    protected boolean zeroInitOutput = true;

    /** For JSON deserialization. */
    public SpatialSelfAttention() {
        this(new Builder());
    }

    protected SpatialSelfAttention(Builder builder) {
        super(builder);
        this.nHeads = builder.nHeads;
        this.zeroInitOutput = builder.zeroInitOutput;
        checkActivation(activationFn);
        this.activationFn = new ActivationIdentity();
        if (builder.nHeads != 0 || nOut > 0) {
            validateHeads(-1);
        }
        initializeConstraints(builder);
    }

    /** {@code heads} heads over {@code channels} channels (heads must divide channels); Wo zero-initialized. */
    public static SpatialSelfAttention of(int channels, int heads) {
        return new Builder().channels(channels).nHeads(heads).build();
    }

    /** {@code heads} heads; the channel count comes from the input type when the graph is built. */
    public static SpatialSelfAttention of(int heads) {
        return new Builder().nHeads(heads).build();
    }

    public int getNHeads() {
        return nHeads;
    }

    public void setNHeads(int nHeads) {
        this.nHeads = nHeads;
    }

    public boolean isZeroInitOutput() {
        return zeroInitOutput;
    }

    public void setZeroInitOutput(boolean zeroInitOutput) {
        this.zeroInitOutput = zeroInitOutput;
    }

    /** The activation is always the identity; anything else is refused. */
    @Override
    public void setActivationFn(IActivation activationFn) {
        checkActivation(activationFn);
        this.activationFn = new ActivationIdentity();
    }

    private static void checkActivation(IActivation activationFn) {
        if (activationFn != null && !(activationFn instanceof ActivationIdentity)) {
            throw new IllegalArgumentException("SpatialSelfAttention has no activation function (got " + activationFn
                    + ")");
        }
    }

    @Override
    protected String kind() {
        return "SpatialSelfAttention";
    }

    private void validateHeads(int layerIndex) {
        checkChannelSplit(nHeads, "nHeads", "heads", layerIndex);
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> trainingListeners, int layerIndex,
                                                       INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        LayerValidation.assertNOutSet("SpatialSelfAttention", getLayerName(), layerIndex, getNOut());
        validateHeads(layerIndex);
        return NativeLayers.bind(new SpatialSelfAttentionLayer(conf, networkDataType), conf, initializer(), trainingListeners,
                layerIndex, layerParamsView, initializeParams);
    }

    @Override
    public ParamInitializer initializer() {
        return SpatialSelfAttentionParamInitializer.getInstance();
    }

    /** Takes the channel count from the input type, unless the layer was built for one. */
    @Override
    public void setNIn(InputType inputType, boolean override) {
        if (nIn > 0 && !override) {
            return;
        }
        nIn = channelsOf(inputType);
        nOut = nIn;
        validateHeads(-1);
    }

    /** The layer computes on NCHW activations only. */
    @Override
    protected void checkFormat(InputType.InputTypeConvolutional conv) {
        if (conv.getFormat() != CNN2DFormat.NCHW) {
            throw new IllegalStateException(named() + " supports NCHW activations only, got " + conv.getFormat());
        }
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        InputType outputType = getOutputType(-1, inputType);
        long c = nOut;
        long hw = inputType.arrayElementsPerExample() / Math.max(1, c);
        long h = Math.max(1, nHeads);
        // per example: tokens + qkv + attention probabilities + head outputs (kept for backprop), projection output
        long cache = hw * c + 3 * hw * c + h * hw * hw + hw * c;
        long forwardWorking = hw * c;
        // backprop: dy, dO, dA, dqkv, dx (token-major)
        long backpropWorking = hw * c + hw * c + h * hw * hw + 3 * hw * c + hw * c;
        return memoryReport(inputType, outputType, forwardWorking + cache, backpropWorking);
    }

    @Override
    public SpatialSelfAttention clone() {
        return (SpatialSelfAttention) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (!(o instanceof SpatialSelfAttention)) {
            return false;
        }
        SpatialSelfAttention other = (SpatialSelfAttention) o;
        return other.canEqual(this) && super.equals(o) && nHeads == other.nHeads
                && zeroInitOutput == other.zeroInitOutput;
    }

    @Override
    protected boolean canEqual(Object other) {
        return other instanceof SpatialSelfAttention;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), nHeads, zeroInitOutput);
    }

    @Override
    public String toString() {
        return "SpatialSelfAttention(name=" + layerName + ", channels=" + nOut + ", heads=" + nHeads
                + ", zeroInitOutput=" + zeroInitOutput + ")";
    }

    /** Builder; {@link #channels(long)} sets nIn = nOut. */
    public static class Builder extends ChannelPreservingCnnLayer.Builder<Builder> {

        protected int nHeads;
        protected boolean zeroInitOutput = true;

        public Builder() {
        }

        /** Number of attention heads; must divide the channel count. */
        public Builder nHeads(int nHeads) {
            this.nHeads = nHeads;
            return this;
        }

        /** true (default): Wo starts at zero (DDPM); false: Wo gets the weight init like Wqkv. */
        public Builder zeroInitOutput(boolean zeroInitOutput) {
            this.zeroInitOutput = zeroInitOutput;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public SpatialSelfAttention build() {
            return new SpatialSelfAttention(this);
        }
    }
}
