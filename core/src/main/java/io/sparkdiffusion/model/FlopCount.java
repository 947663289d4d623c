package io.sparkdiffusion.model;

import io.sparkdiffusion.model.layers.GroupNormalization;
import io.sparkdiffusion.model.layers.LinearConvolution;
import io.sparkdiffusion.model.layers.SpatialSelfAttention;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.nd4j.linalg.learning.config.Adam;

import java.util.List;
import java.util.Map;

/**
 * Floating-point operations of one image's forward pass through a {@link ComputationGraphConfiguration}, counted
 * from its layer configurations and the activation types DL4J infers for them: the matrix products only (2 FLOPs per
 * multiply-add), as the PyTorch reference {@code bench/reference/ddpm_ref.py} counts its convolutions and linear layers,
 * so achieved GFLOP/s are comparable between the two. Biases, normalization, activations, additions, concatenation
 * and upsampling are elementwise and left out (a few percent of the work; not what the CPU's peak is measured on).
 * TrainJob prints its model's forward count at start.
 *
 * <ul>
 *   <li>2D convolution: 2 · kH·kW·C<sub>in</sub> · (C<sub>out</sub>·H<sub>out</sub>·W<sub>out</sub>)</li>
 *   <li>dense: 2 · n<sub>in</sub> · (its output elements per image)</li>
 *   <li>self-attention over P = H·W positions of C channels (any number of heads): the Q, K, V and output projections
 *       2 · 4·P·C², the scores Q·Kᵀ and the weighted sum A·V 2 · 2·P²·C</li>
 * </ul>
 *
 * A training step costs about 3 × the forward pass (the backward pass computes the input and the weight gradients of
 * every product, each as large as the forward product): {@link #training()}.
 *
 * <p>{@code bench/}'s FlopReport prints these counts for the benchmarked networks and the presets.
 *
 * @param convolution FLOPs of the convolutions, per image
 * @param dense       FLOPs of the dense layers, per image
 * @param attention   FLOPs of the self-attention layers, per image
 */
public record FlopCount(long convolution, long dense, long attention) {

    /** Layers that do no matrix products: counted as zero. */
    private static final List<Class<? extends Layer>> ELEMENTWISE = List.of(ActivationLayer.class,
            GroupNormalization.class, BatchNormalization.class, Upsampling2D.class, CnnLossLayer.class);

    /** Forward FLOPs per image. */
    public long forward() {
        return convolution + dense + attention;
    }

    /** Training FLOPs per image: forward + backward ≈ 3 × forward. */
    public long training() {
        return 3 * forward();
    }

    /** The U-Net of a spec. */
    public static FlopCount of(UNetSpec spec) {
        return of(UNetBuilder.configuration(spec, new Adam(1e-3), 0), UNetBuilder.inputTypes(spec));
    }

    /**
     * Counts a graph for the given input types (one per network input, in order).
     *
     * @throws IllegalArgumentException for a layer without a FLOP rule here (rather than counting it as zero)
     */
    public static FlopCount of(ComputationGraphConfiguration configuration, InputType... inputs) {
        ComputationGraphConfiguration conf = configuration.clone(); // type inference sets nIn and preprocessors
        Map<String, InputType> outputs = conf.getLayerActivationTypes(inputs);
        long convolution = 0;
        long dense = 0;
        long attention = 0;
        for (Map.Entry<String, GraphVertex> entry : conf.getVertices().entrySet()) {
            if (!(entry.getValue() instanceof LayerVertex vertex)) {
                continue; // merge, elementwise add, broadcast add, layout change
            }
            Layer layer = vertex.getLayerConf().getLayer();
            InputType out = outputs.get(entry.getKey());
            if (layer instanceof ConvolutionLayer conv && isPlain2d(conv)) {
                convolution += 2L * conv.getKernelSize()[0] * conv.getKernelSize()[1] * conv.getNIn() * elements(out);
            } else if (layer instanceof DenseLayer d) {
                dense += 2L * d.getNIn() * elements(out);
            } else if (layer instanceof SpatialSelfAttention) {
                InputType.InputTypeConvolutional in = (InputType.InputTypeConvolutional) out;
                long positions = in.getHeight() * in.getWidth();
                long channels = in.getChannels();
                attention += 2L * (4 * positions * channels * channels + 2 * positions * positions * channels);
            } else if (ELEMENTWISE.stream().noneMatch(c -> c.isInstance(layer))) {
                throw new IllegalArgumentException("no FLOP rule for layer " + entry.getKey() + " ("
                        + layer.getClass().getSimpleName() + ")");
            }
        }
        return new FlopCount(convolution, dense, attention);
    }

    /** DL4J's own 2D convolution or ours; not its depthwise, separable, transposed, 1D or 3D subclasses. */
    private static boolean isPlain2d(ConvolutionLayer conv) {
        return conv.getClass() == ConvolutionLayer.class || conv instanceof LinearConvolution;
    }

    private static long elements(InputType type) {
        long n = type.arrayElementsPerExample();
        if (n <= 0) {
            throw new IllegalArgumentException("activation size unknown for " + type);
        }
        return n;
    }
}
