package io.sparkdiffusion.model;

import io.sparkdiffusion.model.layers.ActivationSiLU;
import io.sparkdiffusion.model.layers.BroadcastAddVertex;
import io.sparkdiffusion.model.layers.DataFormatVertex;
import io.sparkdiffusion.model.layers.GroupNormalization;
import io.sparkdiffusion.model.layers.LinearConvolution;
import io.sparkdiffusion.model.layers.SpatialSelfAttention;
import io.sparkdiffusion.runtime.NativeRuntime;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Builds the U-Net denoiser of a {@link UNetSpec} as a DL4J {@link ComputationGraph}, so that DL4J's
 * Spark module can train it with parameter averaging.
 *
 * <p>Reads like the picture of the network: time embedding, stem, down path (residual blocks, each
 * output kept as a skip), up path (concatenate a skip, residual block), output head. A residual block
 * is {@code SiLU(GN(conv3x3(x))) + Linear(t_emb)} broadcast over H×W, then {@code SiLU(GN(conv3x3(h)))},
 * plus {@code x} (or a 1×1 convolution of it when the channel count changes) — the block of
 * {@code bench/reference/ddpm_ref.py}. Every block (down and up) of a level with attention ({@link UNetSpec#attentionAt}:
 * the lowest with {@code attention}, and those whose side is in {@code attentionResolutions}) is followed by
 * {@code x + SelfAttention(GN(x))}.
 *
 * <p>Inputs: {@value #INPUT_IMAGE} (x_t, [N, C, H, W]), {@value #INPUT_TIME} (sinusoidal timestep
 * embedding, [N, timeEmbeddingDim]) and, for a conditional model, {@value #INPUT_LABEL} (one-hot class,
 * [N, numClasses + 1], where index numClasses means "no label"). Output {@value #OUTPUT}: ε (or v), [N, C, H, W].
 */
public final class UNetBuilder {
    public static final String INPUT_IMAGE = "x_t";
    public static final String INPUT_TIME = "t_emb";
    public static final String INPUT_LABEL = "label";
    public static final String OUTPUT = "out";

    private static final String TIME_ACT = "time_act";
    private static final String OUT_NORM = "out_norm";
    private static final String SEPARATE_SILU_SUFFIX = "_silu";

    private final UNetSpec spec;
    private final IUpdater updater;
    private final long seed;
    private final double gradientClip;
    private final CNN2DFormat layout;
    private final NormSilu normSilu;
    private GraphBuilder graph;

    private UNetBuilder(UNetSpec spec, IUpdater updater, long seed, double gradientClip, CNN2DFormat layout,
                        NormSilu normSilu) {
        this.spec = spec;
        this.updater = updater;
        this.seed = seed;
        this.gradientClip = gradientClip;
        this.layout = layout;
        this.normSilu = normSilu;
    }

    /** The configuration (pure data, serializable to JSON): NCHW, without gradient clipping. */
    public static ComputationGraphConfiguration configuration(UNetSpec spec, IUpdater updater, long seed) {
        return configuration(spec, updater, seed, 0, CNN2DFormat.NCHW);
    }

    /** The NCHW configuration for training, with gradient clipping (see below). */
    public static ComputationGraphConfiguration configuration(UNetSpec spec, IUpdater updater, long seed,
                                                              double gradientClip) {
        return configuration(spec, updater, seed, gradientClip, CNN2DFormat.NCHW);
    }

    /**
     * @param gradientClip clip each layer's gradient to this L2 norm (DL4J has no global-norm clipping);
     *                     0 = no clipping
     * @param layout       the layout of the activations inside the network. Inputs and output stay NCHW
     *                     whatever the layout (NHWC adds a {@link DataFormatVertex} after the image input and
     *                     before the loss), and the layers, their names and their parameters are the same, so
     *                     parameters can be copied layer by layer between the two layouts. NHWC is what oneDNN's
     *                     forward convolutions use internally: with it they skip three layout reorders each,
     *                     which makes inference much faster (see {@link NetworkDenoiser}); training gains
     *                     nothing from it. Attention supports NCHW only.
     */
    public static ComputationGraphConfiguration configuration(UNetSpec spec, IUpdater updater, long seed,
                                                              double gradientClip, CNN2DFormat layout) {
        return configuration(spec, updater, seed, gradientClip, layout, NormSilu.FUSED);
    }

    /**
     * As above, with the form of GroupNorm + SiLU: {@link NormSilu#SEPARATE} builds the graph of checkpoints written
     * before the fused layer (same layer names and parameters, one more layer per norm), e.g. for an NHWC twin of such
     * a network.
     */
    public static ComputationGraphConfiguration configuration(UNetSpec spec, IUpdater updater, long seed,
                                                              double gradientClip, CNN2DFormat layout,
                                                              NormSilu normSilu) {
        if (gradientClip < 0) {
            throw new IllegalArgumentException("gradient clip must be >= 0 (0 = off), got " + gradientClip);
        }
        if (spec.hasAttention() && layout != CNN2DFormat.NCHW) {
            throw new IllegalArgumentException("the attention layer supports the NCHW layout only");
        }
        return new UNetBuilder(spec, updater, seed, gradientClip, layout, normSilu).build();
    }

    /** How a GroupNorm followed by SiLU appears in the graph. */
    public enum NormSilu {
        /** One {@link GroupNormalization} layer with SiLU fused in (the default). */
        FUSED,
        /** A {@link GroupNormalization} layer, then an {@code ActivationLayer(ActivationSiLU)} named "&lt;norm&gt;_silu". */
        SEPARATE
    }

    /** The form a U-Net of this builder was built with: SEPARATE when it has the output norm's ActivationLayer. */
    public static NormSilu normSiluOf(ComputationGraph network) {
        return network.getVertex(OUT_NORM + SEPARATE_SILU_SUFFIX) == null ? NormSilu.FUSED : NormSilu.SEPARATE;
    }

    /** A ready, initialized network without gradient clipping. */
    public static ComputationGraph network(UNetSpec spec, IUpdater updater, long seed) {
        return network(configuration(spec, updater, seed));
    }

    /** A ready, initialized network of a configuration. */
    public static ComputationGraph network(ComputationGraphConfiguration configuration) {
        NativeRuntime.init();
        ComputationGraph net = new ComputationGraph(configuration);
        net.init();
        return net;
    }

    /**
     * The seed DL4J initialises the weights with. ND4J's native generator draws different numbers on every
     * initialisation when seeded with 0 (measured: two networks of seed 0 differ from their first random weight on,
     * those of seed 7 are equal), and 0 is TrainJob's default run seed; so 0 maps to another fixed seed.
     */
    static long initSeed(long seed) {
        return seed == 0 ? 0x9E3779B97F4A7C15L : seed;
    }

    private ComputationGraphConfiguration build() {
        NeuralNetConfiguration.Builder defaults = new NeuralNetConfiguration.Builder()
                .seed(initSeed(seed))
                .dataType(DataType.FLOAT)
                .updater(updater)
                .weightInit(new FanInUniformInit())
                .convolutionMode(ConvolutionMode.Truncate);
        if (gradientClip > 0) {
            defaults.gradientNormalization(GradientNormalization.ClipL2PerLayer)
                    .gradientNormalizationThreshold(gradientClip);
        }
        graph = defaults.graphBuilder();
        addInputs();
        addTimeEmbedding();

        int[] channels = spec.levelChannels();
        int levels = channels.length;
        String image = INPUT_IMAGE;
        if (layout != CNN2DFormat.NCHW) {
            graph.addVertex(INPUT_IMAGE + "_" + layout.name().toLowerCase(java.util.Locale.ROOT),
                    new DataFormatVertex(layout), INPUT_IMAGE);
            image = INPUT_IMAGE + "_" + layout.name().toLowerCase(java.util.Locale.ROOT);
        }
        String h = conv3x3("stem", image, spec.imageChannels(), channels[0]);
        int hChannels = channels[0];

        Deque<String> skips = new ArrayDeque<>();
        Deque<Integer> skipChannels = new ArrayDeque<>();
        for (int level = 0; level < levels; level++) {
            for (int b = 0; b < spec.resBlocksPerLevel(); b++) {
                h = residualBlock("down" + level + "_block" + b, h, hChannels, channels[level]);
                hChannels = channels[level];
                if (spec.attentionAt(level)) {
                    h = attentionBlock("down" + level + "_attention" + b, h, hChannels);
                }
                skips.push(h);
                skipChannels.push(hChannels);
            }
            if (level < levels - 1) {
                h = downsample("down" + level + "_downsample", h, hChannels);
            }
        }

        for (int level = levels - 1; level >= 0; level--) {
            for (int b = 0; b < spec.resBlocksPerLevel(); b++) {
                String name = "up" + level + "_block" + b;
                graph.addVertex(name + "_concat", new MergeVertex(), h, skips.pop());
                h = residualBlock(name, name + "_concat", hChannels + skipChannels.pop(), channels[level]);
                hChannels = channels[level];
                if (spec.attentionAt(level)) {
                    h = attentionBlock("up" + level + "_attention" + b, h, hChannels);
                }
            }
            if (level > 0) {
                h = upsample("up" + level + "_upsample", h, hChannels);
            }
        }

        h = groupNormSilu(OUT_NORM, h, hChannels);
        String prediction = conv3x3("out_conv", h, hChannels, spec.imageChannels());
        if (layout != CNN2DFormat.NCHW) {
            graph.addVertex("out_conv_nchw", new DataFormatVertex(CNN2DFormat.NCHW), prediction);
            prediction = "out_conv_nchw";
        }
        graph.addLayer(OUTPUT, new CnnLossLayer.Builder()
                .lossFunction(pixelMeanSquaredError())
                .activation(Activation.IDENTITY)
                .build(), prediction);
        graph.setOutputs(OUTPUT);
        return graph.build();
    }

    /** The types of the network's inputs, in input order: image, time embedding (and label, when conditional). */
    public static InputType[] inputTypes(UNetSpec spec) {
        InputType image = InputType.convolutional(spec.imageSize(), spec.imageSize(), spec.imageChannels());
        InputType time = InputType.feedForward(spec.timeEmbeddingDim());
        return spec.conditional()
                ? new InputType[] {image, time, InputType.feedForward(spec.numClasses() + 1)}
                : new InputType[] {image, time};
    }

    private void addInputs() {
        if (spec.conditional()) {
            graph.addInputs(INPUT_IMAGE, INPUT_TIME, INPUT_LABEL);
        } else {
            graph.addInputs(INPUT_IMAGE, INPUT_TIME);
        }
        graph.setInputTypes(inputTypes(spec));
    }

    /** sinusoidal(t) → Linear → SiLU → Linear (+ class embedding) → SiLU, shared by every block. */
    private void addTimeEmbedding() {
        int dim = spec.timeEmbeddingDim();
        graph.addLayer("time_mlp1", dense(dim, dim, new ActivationSiLU()), INPUT_TIME);
        graph.addLayer("time_mlp2", dense(dim, dim, Activation.IDENTITY.getActivationFunction()), "time_mlp1");
        String embedding = "time_mlp2";
        if (spec.conditional()) {
            // a bias-free dense layer on a one-hot label is an embedding table (DL4J's EmbeddingLayer
            // takes its input size from the graph's input type, which is 1 for an index input)
            graph.addLayer("class_embedding", new DenseLayer.Builder()
                    .nIn(spec.numClasses() + 1).nOut(dim).hasBias(false)
                    .activation(Activation.IDENTITY).build(), INPUT_LABEL);
            graph.addVertex("time_plus_class", new ElementWiseVertex(ElementWiseVertex.Op.Add),
                    "time_mlp2", "class_embedding");
            embedding = "time_plus_class";
        }
        graph.addLayer(TIME_ACT, new ActivationLayer(new ActivationSiLU()), embedding);
    }

    private String residualBlock(String name, String input, int inChannels, int outChannels) {
        String h = conv3x3(name + "_conv1", input, inChannels, outChannels);
        h = groupNormSilu(name + "_norm1", h, outChannels);
        graph.addLayer(name + "_time", dense(spec.timeEmbeddingDim(), outChannels, Activation.IDENTITY.getActivationFunction()),
                TIME_ACT);
        graph.addVertex(name + "_plus_time", new BroadcastAddVertex(), h, name + "_time");
        h = conv3x3(name + "_conv2", name + "_plus_time", outChannels, outChannels);
        h = groupNormSilu(name + "_norm2", h, outChannels);
        String skip = input;
        if (inChannels != outChannels) {
            skip = name + "_skip";
            graph.addLayer(skip, conv(1, 1, inChannels, outChannels), input);
        }
        graph.addVertex(name, new ElementWiseVertex(ElementWiseVertex.Op.Add), h, skip);
        return name;
    }

    /** x + Attention(GN(x)) over the H·W positions, with {@link UNetSpec#attentionHeads(int)} heads. */
    private String attentionBlock(String name, String input, int channels) {
        graph.addLayer(name + "_norm", GroupNormalization.of(spec.groupNormGroups(), channels), input);
        graph.addLayer(name + "_attend", SpatialSelfAttention.of(channels, UNetSpec.attentionHeads(channels)), name + "_norm");
        graph.addVertex(name, new ElementWiseVertex(ElementWiseVertex.Op.Add), input, name + "_attend");
        return name;
    }

    private String groupNormSilu(String name, String input, int channels) {
        if (normSilu == NormSilu.FUSED) {
            graph.addLayer(name, GroupNormalization.of(spec.groupNormGroups(), channels).withSilu(), input);
            return name;
        }
        graph.addLayer(name, GroupNormalization.of(spec.groupNormGroups(), channels), input);
        graph.addLayer(name + SEPARATE_SILU_SUFFIX, new ActivationLayer(new ActivationSiLU()), name);
        return name + SEPARATE_SILU_SUFFIX;
    }

    private String downsample(String name, String input, int channels) {
        graph.addLayer(name, conv(3, 2, channels, channels), input);
        return name;
    }

    /** Nearest-neighbour ×2, then a 3×3 convolution (as the reference does). */
    private String upsample(String name, String input, int channels) {
        graph.addLayer(name + "_nearest", new Upsampling2D.Builder(2).dataFormat(layout).build(), input);
        return conv3x3(name, name + "_nearest", channels, channels);
    }

    private String conv3x3(String name, String input, int in, int out) {
        graph.addLayer(name, conv(3, 1, in, out), input);
        return name;
    }

    /**
     * A k×k convolution with PyTorch's padding k/2, so stride 2 maps 28 → 14 → 7 as the reference does. A
     * {@link LinearConvolution}: DL4J's convolution whose backprop does not recompute the forward pass.
     */
    private ConvolutionLayer conv(int kernel, int stride, int in, int out) {
        return new LinearConvolution.Builder(kernel, kernel)
                .dataFormat(layout)
                .stride(stride, stride)
                .padding(kernel / 2, kernel / 2)
                .nIn(in).nOut(out)
                .activation(Activation.IDENTITY)
                .build();
    }

    private static DenseLayer dense(int in, int out, IActivation activation) {
        return new DenseLayer.Builder().nIn(in).nOut(out).activation(activation).build();
    }

    /**
     * Mean squared error over all pixels, as PyTorch's {@code F.mse_loss}. DL4J's CNN loss sums the per-pixel
     * losses of an image, so each pixel is weighted 1/(H·W) to make the score a per-pixel mean.
     */
    private LossMSE pixelMeanSquaredError() {
        double pixels = (double) spec.imageSize() * spec.imageSize();
        return new LossMSE(Nd4j.valueArrayOf(new long[] {1, spec.imageChannels()}, 1.0 / pixels, DataType.FLOAT));
    }
}
