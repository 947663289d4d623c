package io.sparkdiffusion.train;

import java.io.Serializable;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import io.sparkdiffusion.runtime.NativeArrays;

/**
 * The validation loss of a run: the training objective's mean squared error (on ε, or v) of a network on a fixed
 * held-out set of N images, each with a (timestep, noise) pair fixed once by the validation seed.
 *
 * <p>Image i of the set (its position in id order) gets the noise of {@code Seeds.mix(seed, i)} and a stratified
 * timestep, t = ⌊(π(i) + ½)·T/N⌋ for a seeded permutation π: the N timesteps cover 0 … T−1 evenly, so the loss
 * does not move with how many large or small t a random draw happened to pick. The images are evaluated in fixed
 * batches of {@link #BATCH} consecutive images, and the per-image losses are summed in image order, so the number
 * depends only on the weights and the set: not on how many workers evaluate it or where.
 */
public final class HeldOutLoss implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Images per forward pass; part of the definition of the number, since a batch's size can change its rounding. */
    public static final int BATCH = 64;

    private final TrainingBatchMaker batchMaker;
    private final int images;
    private final long seed;
    private transient int[] timesteps;

    /**
     * @param batchMaker makes the network's inputs and targets (its label dropout is not used)
     * @param images     N, the size of the held-out set
     * @param seed       the validation seed: the same seed, the same (timestep, noise) pairs
     */
    public HeldOutLoss(TrainingBatchMaker batchMaker, int images, long seed) {
        if (images < 1) {
            throw new IllegalArgumentException("a held-out set needs at least one image, got " + images);
        }
        this.batchMaker = batchMaker;
        this.images = images;
        this.seed = seed;
    }

    public int images() {
        return images;
    }

    /** The batch of the images with these positions in the set (consecutive ones, in order). */
    public MultiDataSet batch(INDArray x0, int[] labels, int[] positions) {
        int[] t = new int[positions.length];
        long[] noiseSeeds = new long[positions.length];
        for (int k = 0; k < positions.length; k++) {
            t[k] = timestepOf(positions[k]);
            noiseSeeds[k] = Seeds.mix(seed, positions[k]);
        }
        return batchMaker.make(x0, labels, t, noiseSeeds);
    }

    /** The fixed timestep of the image at this position. */
    int timestepOf(int position) {
        if (timesteps == null) {
            int[] order = Seeds.permutation(images, Seeds.mix(seed, -1));
            int[] t = new int[images];
            for (int i = 0; i < images; i++) {
                t[i] = (int) ((order[i] + 0.5) * batchMaker.timesteps() / images);
            }
            timesteps = t;
        }
        return timesteps[position];
    }

    /**
     * Σ over the batch's images of each image's mean squared error, summed in image order (in double); freed
     * the batch's arrays.
     */
    public static double sumOfImageLosses(ComputationGraph network, MultiDataSet batch) {
        INDArray output = network.output(false, batch.getFeatures())[0];
        INDArray target = batch.getLabels(0);
        INDArray squared = output.sub(target);
        squared.muli(squared);
        long n = squared.size(0);
        INDArray perImage = squared.reshape(n, squared.length() / n).sum(1);
        double pixels = squared.length() / (double) n;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += perImage.getDouble(i) / pixels;
        }
        NativeArrays.free(output, squared, perImage);
        TrainingBatchMaker.free(batch);
        return sum;
    }
}
