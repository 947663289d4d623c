package io.sparkdiffusion.bench;

import io.sparkdiffusion.checkpoint.CheckpointStore;
import io.sparkdiffusion.checkpoint.LoadedCheckpoint;
import io.sparkdiffusion.data.FashionMnist;
import io.sparkdiffusion.data.LabeledImages;
import io.sparkdiffusion.runtime.NativeRuntime;
import io.sparkdiffusion.train.TrainingBatchMaker;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.SplittableRandom;

/**
 * The gradient noise scale of a checkpoint: how large a batch can grow before more images per step stop buying
 * progress per image (McCandlish et al. 2018, "An empirical model of large-batch training", arXiv:1812.06162).
 *
 * <p>K training batches of b images (random images, timesteps, noise and label dropout, as TrainJob makes them)
 * give K gradients of the raw weights; {@link NoiseScaleSums} turns them into B_simple = tr Σ / |G|², the
 * per-image gradient noise over the squared true gradient. By the paper's
 * model, a batch of B images needs (1 + B / B_simple) times the images of a very small batch for the same progress:
 * W workers of b images each, averaging every step, need (1 + W·b / B) / (1 + b / B) times one worker's images.
 * (The scale does not depend on whether DL4J's gradient is a sum or a mean over the batch.)
 *
 * <pre>GradientNoiseScale [--batches K] [--batch b] [--seed S] TRAIN_IMAGES_IDX TRAIN_LABELS_IDX CHECKPOINT_DIR...</pre>
 */
public final class GradientNoiseScale {
    private GradientNoiseScale() {
    }

    public static void main(String[] args) throws IOException {
        int batches = 64;
        int batchSize = 64;
        long seed = 1;
        int i = 0;
        for (; i < args.length && args[i].startsWith("--"); i += 2) {
            switch (args[i]) {
                case "--batches" -> batches = Integer.parseInt(args[i + 1]);
                case "--batch" -> batchSize = Integer.parseInt(args[i + 1]);
                case "--seed" -> seed = Long.parseLong(args[i + 1]);
                default -> usage("unknown option " + args[i]);
            }
        }
        if (args.length - i < 3 || batches < 2) {
            usage("needs the two idx files, at least one checkpoint and --batches >= 2");
        }
        NativeRuntime.init();
        LabeledImages images;
        try (InputStream pixels = new FileInputStream(args[i]); InputStream labels = new FileInputStream(args[i + 1])) {
            images = FashionMnist.read(pixels, labels);
        }
        System.out.println("checkpoint\tstep\tmean batch loss\t|G|^2\ttr(Sigma) per image\tB_simple");
        for (int c = i + 2; c < args.length; c++) {
            LoadedCheckpoint checkpoint = CheckpointStore.loadDir(args[c], new Configuration());
            double labelDropout = checkpoint.info().model().conditional() ? 0.1 : 0;
            TrainingBatchMaker maker = new TrainingBatchMaker(checkpoint.info().model(), checkpoint.info().schedule(),
                    labelDropout);
            Estimate e = estimate(checkpoint.graph(), maker, images, batches, batchSize, seed);
            System.out.printf("%s\t%d\t%.5f\t%.4e\t%.4e\t%.0f%n", args[c], checkpoint.info().step(), e.meanLoss,
                    e.signal, e.noisePerImage, e.noisePerImage / e.signal);
        }
    }

    private record Estimate(double meanLoss, double signal, double noisePerImage) {
    }

    private static Estimate estimate(ComputationGraph net, TrainingBatchMaker maker, LabeledImages images, int batches,
                                     int batchSize, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        NoiseScaleSums sums = new NoiseScaleSums(net.numParams());
        double lossSum = 0;
        for (int k = 0; k < batches; k++) {
            int[] indices = random.ints(batchSize, 0, images.count()).toArray();
            MultiDataSet batch = maker.make(images.batch(indices), images.labels(indices), random.nextLong());
            net.setInputs(batch.getFeatures());
            net.setLabels(batch.getLabels());
            net.computeGradientAndScore();
            lossSum += net.score();
            sums.add(net.getGradientsViewArray());
            net.clearLayersStates();
            TrainingBatchMaker.free(batch);
        }
        return new Estimate(lossSum / batches, sums.signal(), sums.noisePerImage(batchSize));
    }

    private static void usage(String problem) {
        System.err.println("GradientNoiseScale: " + problem + "\nusage: GradientNoiseScale [--batches K] [--batch b]"
                + " [--seed S] TRAIN_IMAGES_IDX TRAIN_LABELS_IDX CHECKPOINT_DIR...");
        System.exit(2);
    }
}
