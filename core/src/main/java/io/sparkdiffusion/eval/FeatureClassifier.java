package io.sparkdiffusion.eval;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.SplittableRandom;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import io.sparkdiffusion.config.CommitProtocol;
import io.sparkdiffusion.config.HadoopFiles;
import io.sparkdiffusion.data.LabeledImages;
import io.sparkdiffusion.image.ImageShape;
import io.sparkdiffusion.model.ModelZip;
import io.sparkdiffusion.runtime.NativeRuntime;

/**
 * A small CNN image classifier whose penultimate layer serves as the feature space for Fréchet distances:
 * conv3×3(32) → max-pool → conv3×3(64) → max-pool → dense(featureWidth, ReLU) = features → softmax.
 * Inputs are images in [−1, 1] ({@link io.sparkdiffusion.image.Pixels}), exactly as the diffusion model sees them.
 *
 * <p>Saved as a directory: {@code model.zip} (ModelSerializer) and {@code classifier.json} ({@link ClassifierInfo}).
 * An instance is not thread-safe; use one per thread ({@link SharedClassifiers}).
 */
public final class FeatureClassifier {
    public static final String MODEL_FILE = "model.zip";
    public static final String INFO_FILE = "classifier.json";
    public static final String FEATURE_LAYER = "features";

    private final MultiLayerNetwork network;
    private final ClassifierInfo info;
    private final int featureActivation;

    private FeatureClassifier(MultiLayerNetwork network, ClassifierInfo info) {
        this.network = network;
        this.info = info;
        if (network.getLayer(info.featureLayer()) == null) {
            throw new IllegalArgumentException("the network has no layer named '" + info.featureLayer() + "'");
        }
        // feedForward lists the input first, then every layer's output
        this.featureActivation = network.getLayer(info.featureLayer()).getIndex() + 1;
    }

    /** One forward pass: the feature-layer activations [N, featureWidth] and the most probable class of each image. */
    public record Outputs(INDArray features, int[] predicted) {
    }

    /** The untrained network of the recipe for images of {@code shape} and {@code numClasses} classes. */
    static MultiLayerNetwork network(ImageShape shape, int numClasses, ClassifierRecipe recipe) {
        NativeRuntime.init();
        NeuralNetConfiguration.ListBuilder layers = new NeuralNetConfiguration.Builder()
                .seed(recipe.seed())
                .dataType(DataType.FLOAT)
                .updater(new Adam(recipe.learningRate()))
                .weightInit(WeightInit.RELU_UNIFORM) // replaced below, reproducibly
                .convolutionMode(ConvolutionMode.Same)
                .list();
        int side = Math.min(shape.height(), shape.width());
        int[] channels = {32, 64};
        for (int i = 0; i < channels.length; i++) {
            layers.layer(new ConvolutionLayer.Builder(3, 3).nOut(channels[i]).activation(Activation.RELU)
                    .name("conv" + (i + 1)).build());
            if (side >= 4) { // pool while the map stays at least 2×2
                layers.layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2)
                        .stride(2, 2).convolutionMode(ConvolutionMode.Truncate).name("pool" + (i + 1)).build());
                side /= 2;
            }
        }
        MultiLayerConfiguration conf = layers
                .layer(new DenseLayer.Builder().nOut(recipe.featureWidth()).activation(Activation.RELU)
                        .name(FEATURE_LAYER).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(numClasses)
                        .activation(Activation.SOFTMAX).name("classes").build())
                .setInputType(InputType.convolutional(shape.height(), shape.width(), shape.channels()))
                .build();
        MultiLayerNetwork network = new MultiLayerNetwork(conf);
        network.init();
        initializeWeights(network, recipe.seed());
        return network;
    }

    /**
     * He-uniform weights U(±√(6 / fan-in)) drawn in Java from the seed, zero biases. DL4J's own seeded
     * initialization fills large arrays with ND4J's native generator, which gave different weights on every
     * run here for a 28×28 network.
     */
    private static void initializeWeights(MultiLayerNetwork network, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (java.util.Map.Entry<String, INDArray> param : new java.util.TreeMap<>(network.paramTable()).entrySet()) {
            INDArray view = param.getValue();
            long[] shape = view.shape();
            if (!param.getKey().endsWith("_W")) {
                view.assign(0);
                continue;
            }
            // conv weights [out, in, kh, kw]: fan-in in·kh·kw; dense weights [in, out]: fan-in in
            long fanIn = shape.length == 4 ? shape[1] * shape[2] * shape[3] : shape[0];
            double limit = Math.sqrt(6.0 / fanIn);
            float[] values = new float[(int) view.length()];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) random.nextDouble(-limit, limit);
            }
            view.assign(Nd4j.create(values, shape, view.ordering()));
        }
    }

    /**
     * Trains a classifier by the recipe: {@code epochs} passes, the images shuffled every epoch by
     * (seed, epoch); the same data and recipe give the same weights.
     *
     * @param data labeled images (every label 0 … classes−1)
     */
    public static FeatureClassifier train(LabeledImages data, ClassifierRecipe recipe) {
        if (data.numClasses() < 2) {
            throw new IllegalArgumentException("a classifier needs at least 2 classes, the data has " + data.numClasses());
        }
        for (int i = 0; i < data.count(); i++) {
            if (data.label(i) < 0) {
                throw new IllegalArgumentException("image " + i + " has no label; a classifier trains on labeled images");
            }
        }
        if (data.count() == 0) {
            throw new IllegalArgumentException("no images to train a classifier on");
        }
        MultiLayerNetwork network = network(data.shape(), data.numClasses(), recipe);
        int[] order = new int[data.count()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        for (int epoch = 0; epoch < recipe.epochs(); epoch++) {
            shuffle(order, new SplittableRandom(recipe.seed() * 1_000_003L + epoch));
            for (int start = 0; start < order.length; start += recipe.batchSize()) {
                int[] batch = java.util.Arrays.copyOfRange(order, start, Math.min(order.length, start + recipe.batchSize()));
                network.fit(new DataSet(data.batch(batch), oneHot(data.labels(batch), data.numClasses())));
            }
        }
        return new FeatureClassifier(network,
                ClassifierInfo.of(data.shape(), data.classNames(), FEATURE_LAYER, recipe, data.count()));
    }

    public ClassifierInfo info() {
        return info;
    }

    public FeatureClassifier withInfo(ClassifierInfo newInfo) {
        return new FeatureClassifier(network, newInfo);
    }

    /** @param images [N, C, H, W] in [−1, 1] */
    public Outputs forward(INDArray images) {
        List<INDArray> activations = network.feedForward(images, false);
        INDArray probabilities = activations.get(activations.size() - 1);
        int[] predicted = probabilities.argMax(1).toIntVector();
        return new Outputs(activations.get(featureActivation), predicted);
    }

    /** Top-1 accuracy on labeled images, in batches of {@code batchSize}. */
    public double accuracy(LabeledImages data, int batchSize) {
        ClassAgreement agreement = new ClassAgreement(info.classNames().size());
        for (int start = 0; start < data.count(); start += batchSize) {
            int[] batch = new int[Math.min(batchSize, data.count() - start)];
            for (int k = 0; k < batch.length; k++) {
                batch[k] = start + k;
            }
            agreement.add(data.labels(batch), forward(data.batch(batch)).predicted());
        }
        return agreement.overall();
    }

    /** Another instance with the same weights, for another thread. */
    public FeatureClassifier copy() {
        return new FeatureClassifier(network.clone(), info);
    }

    /**
     * Writes {@code model.zip} and {@code classifier.json} into {@code dir} (created if missing): a directory no
     * reader looks at yet, which the caller commits whole ({@link CommitProtocol}; EvaluateJob stages it).
     */
    public void save(FileSystem fs, Path dir) throws IOException {
        fs.mkdirs(dir);
        CommitProtocol.write(fs, new Path(dir, MODEL_FILE), modelBytes());
        CommitProtocol.write(fs, new Path(dir, INFO_FILE), info.toJson());
    }

    /** The network as ModelSerializer bytes, without the optimizer state (to ship to executors). */
    public byte[] modelBytes() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(network, bytes, false);
        return bytes.toByteArray();
    }

    public static FeatureClassifier fromBytes(byte[] model, ClassifierInfo info) throws IOException {
        NativeRuntime.init();
        return new FeatureClassifier(ModelZip.readMultiLayer(model, false, "classifier bytes"), info);
    }

    /** Loads a classifier directory (a path or URI on any Hadoop file system). */
    public static FeatureClassifier load(String dir, Configuration conf) throws IOException {
        Path path = new Path(dir);
        FileSystem fs = path.getFileSystem(conf);
        for (String file : List.of(MODEL_FILE, INFO_FILE)) {
            if (!fs.exists(new Path(path, file))) {
                throw new FileNotFoundException(dir + " is not a saved classifier: it has no " + file);
            }
        }
        ClassifierInfo info = ClassifierInfo.fromJson(HadoopFiles.readAll(fs, new Path(path, INFO_FILE)));
        if (info.formatVersion() > ClassifierInfo.FORMAT_VERSION) {
            throw new IOException(dir + " has classifier format " + info.formatVersion() + "; this build reads up to "
                    + ClassifierInfo.FORMAT_VERSION);
        }
        NativeRuntime.init();
        try (InputStream in = new BufferedInputStream(fs.open(new Path(path, MODEL_FILE)), 1 << 20)) {
            return new FeatureClassifier(ModelZip.readMultiLayer(in.readAllBytes(), false, new Path(path, MODEL_FILE).toString()), info);
        }
    }

    /** Number of network parameters. */
    public long numParams() {
        return network.numParams();
    }

    INDArray params() {
        return network.params();
    }

    private static INDArray oneHot(int[] labels, int numClasses) {
        INDArray y = Nd4j.zeros(DataType.FLOAT, labels.length, numClasses);
        for (int i = 0; i < labels.length; i++) {
            y.putScalar(i, labels[i], 1f);
        }
        return y;
    }

    private static void shuffle(int[] a, SplittableRandom random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
