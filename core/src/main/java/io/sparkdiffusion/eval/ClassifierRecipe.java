package io.sparkdiffusion.eval;

import java.io.Serializable;

/**
 * How the small CNN classifier is built and trained: the same recipe makes the feature network and the
 * train-on-synthetic / train-on-real classifiers, so their accuracies compare like with like.
 *
 * @param epochs       passes over the training images
 * @param batchSize    images per Adam step
 * @param learningRate Adam's learning rate
 * @param featureWidth units of the penultimate (feature) layer
 * @param seed         seeds the initial weights and the order of the images in every epoch
 */
public record ClassifierRecipe(int epochs, int batchSize, double learningRate, int featureWidth, long seed)
        implements Serializable {

    public ClassifierRecipe {
        if (epochs < 1 || batchSize < 1 || featureWidth < 1 || !(learningRate > 0)) {
            throw new IllegalArgumentException("classifier recipe needs positive epochs, batch size, feature width"
                    + " and learning rate, got " + epochs + ", " + batchSize + ", " + featureWidth + ", " + learningRate);
        }
    }

    /** The same recipe with another seed. */
    public ClassifierRecipe withSeed(long otherSeed) {
        return new ClassifierRecipe(epochs, batchSize, learningRate, featureWidth, otherSeed);
    }
}
