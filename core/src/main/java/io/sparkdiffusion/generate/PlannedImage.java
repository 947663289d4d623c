package io.sparkdiffusion.generate;

import io.sparkdiffusion.data.LabeledImage;

import java.io.Serializable;

/**
 * One image to generate: its id (the file name without {@code .png}), the label it is generated for and
 * filed under ({@code -1}: none), and the seed all of its noise comes from. A variation of an existing image
 * also carries that image, as its prepared data set holds it.
 *
 * @param id     unique within a run, safe as a file name
 * @param label  class label, or -1 (a variation's is its source's)
 * @param seed   the image's seed ({@code ImageNoise.seedFor(run seed, …)})
 * @param source the varied image, or null when sampling from noise
 */
public record PlannedImage(String id, int label, long seed, LabeledImage source) implements Serializable {

    public static PlannedImage sample(String id, int label, long seed) {
        return new PlannedImage(id, label, seed, null);
    }

    public boolean isVariation() {
        return source != null;
    }

    /** The id of the varied image, or null when sampling from noise. */
    public String sourceId() {
        return source == null ? null : source.id();
    }
}
