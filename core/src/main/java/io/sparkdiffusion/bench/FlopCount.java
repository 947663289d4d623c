package io.sparkdiffusion.bench;

import io.sparkdiffusion.model.UNetBuilder;
import io.sparkdiffusion.model.UNetPreset;
import io.sparkdiffusion.model.UNetSpec;
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
import java.util.Locale;
import java.util.Map;

/**
 * Floating-point operations of one image's forward pass through a {@link ComputationGraphConfiguration}, counted
 * from its layer configurations and the activation types DL4J infers for them: the matrix products only (2 FLOPs per
 * multiply-add), as the PyTorch reference {@code bench/reference/ddpm_ref.py} counts its convolutions and linear layers,
 * so achieved GFLOP/s are comparable between the two. Biases, normalization, activations, additions, concatenation
 * and upsampling are elementwise and left out (a few percent of the work; not what the CPU's peak is measured on).
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
 * <p>{@code FlopCount [--classes N] [--attention]} prints the counts of the default U-Net (1×28×28);
 * {@code FlopCount --presets [--classes N]} the parameter count and FLOPs of every {@link UNetPreset} at its size in
 * RGB; {@code FlopCount --shape CxS [--no-attention]} those of the U-Net {@code bench/all.sh} benchmarks at that
 * shape ({@link #benchSpec}), with its parameter count and the PyTorch reference's arguments for the same layout.
 *
 * @param convolution FLOPs of the convolutions, per image
 * @param dense       FLOPs of the dense layers, per image
 * @param attention   FLOPs of the self-attention layers, per image
 */
public record FlopCount(long convolution, long dense, long attention) {

    /** One preset's figures: name, shape, parameters, forward and training MFLOP per image. */
    public static String presetLine(UNetPreset preset, int channels, int size, int classes) {
        io.sparkdiffusion.runtime.NativeRuntime.init(); // before anything touches ND4J: it picks the native build
        UNetSpec spec = preset.spec(channels, size, classes);
        long parameters = UNetBuilder.network(spec, new Adam(1e-3), 0).numParams();
        FlopCount count = of(spec);
        return String.format(Locale.ROOT, "%-8s %dx%dx%d classes=%d: %,d parameters, forward %.1f MFLOP/image "
                        + "(attention %.1f), training ~%.1f MFLOP/image; %s", preset.name(), channels, size, size,
                classes, parameters, count.forward() / 1e6, count.attention() / 1e6, count.training() / 1e6, spec);
    }

    /**
     * The U-Net benchmarked at an image shape: the reference network at 1×28×28, else the {@code auto} preset for the
     * size (unconditional), without self-attention if asked (the PyTorch reference has none).
     */
    public static UNetSpec benchSpec(int channels, int size, boolean attention) {
        if (channels == 1 && size == 28) {
            return UNetSpec.reference();
        }
        UNetSpec spec = UNetPreset.named(UNetPreset.AUTO, size).spec(channels, size, 0);
        return attention ? spec : new UNetSpec(spec.imageChannels(), spec.imageSize(), spec.baseChannels(),
                spec.channelMultipliers(), spec.resBlocksPerLevel(), spec.groupNormGroups(), spec.timeEmbeddingDim(),
                spec.numClasses(), false, spec.prediction(), List.of());
    }

    /** A shape written CxS, e.g. 3x32: {channels, size}. */
    public static int[] parseShape(String shape) {
        String[] parts = shape.toLowerCase(Locale.ROOT).split("x");
        if (parts.length != 2) {
            throw new IllegalArgumentException("shape '" + shape + "': expected CxS, e.g. 3x32");
        }
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    }

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

    public static void main(String[] args) {
        UNetSpec spec = UNetSpec.reference();
        boolean presets = false;
        String shape = null;
        boolean attention = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--presets" -> presets = true;
                case "--shape" -> shape = args[++i];
                case "--no-attention" -> attention = false;
                case "--classes" -> spec = spec.withClasses(Integer.parseInt(args[++i]));
                case "--attention" -> spec = new UNetSpec(spec.imageChannels(), spec.imageSize(), spec.baseChannels(),
                        spec.channelMultipliers(), spec.resBlocksPerLevel(), spec.groupNormGroups(),
                        spec.timeEmbeddingDim(), spec.numClasses(), true, spec.prediction());
                default -> {
                    System.err.println("FlopCount: unknown argument " + args[i]
                            + " (expected --presets, --classes N, --attention, --shape CxS, --no-attention)");
                    System.exit(2);
                }
            }
        }
        if (presets) {
            for (UNetPreset preset : UNetPreset.ALL) {
                System.out.println(presetLine(preset, 3, preset.imageSize(), spec.numClasses()));
            }
            return;
        }
        if (shape != null) {
            int[] cs = parseShape(shape);
            spec = benchSpec(cs[0], cs[1], attention).withClasses(spec.numClasses());
            io.sparkdiffusion.runtime.NativeRuntime.init();
            System.out.printf(Locale.ROOT, "params: %,d%n", UNetBuilder.network(spec, new Adam(1e-3), 0).numParams());
            System.out.println("reference: --size " + spec.imageSize() + " --in-channels " + spec.imageChannels()
                    + " --mults " + String.join(",", spec.channelMultipliers().stream().map(String::valueOf).toList())
                    + (spec.hasAttention() ? " (the reference has no attention: no like network)" : ""));
        }
        FlopCount count = of(spec);
        System.out.println(spec);
        System.out.printf(Locale.ROOT, "forward FLOPs/image: %d (conv %d, dense %d, attention %d) = %.2f MFLOP; "
                        + "training ~3x = %.2f MFLOP/image%n", count.forward(), count.convolution(), count.dense(),
                count.attention(), count.forward() / 1e6, count.training() / 1e6);
    }
}
