package io.sparkdiffusion.generate;

import java.io.Serializable;

/**
 * One image to generate: its id (the file name without {@code .png}), the label it is generated for and
 * filed under ({@code -1}: none), and the seed all of its noise comes from. A variation of an existing image
 * also carries that image: its id and uint8 CHW pixels.
 *
 * @param id           unique within a run, safe as a file name
 * @param label        class label, or -1
 * @param seed         the image's seed ({@code ImageNoise.seedFor(run seed, …)})
 * @param sourceId     the id of the varied image, or null when sampling from noise
 * @param sourcePixels the varied image, uint8 CHW, or null
 */
public record PlannedImage(String id, int label, long seed, String sourceId, byte[] sourcePixels)
        implements Serializable {

    public static PlannedImage sample(String id, int label, long seed) {
        return new PlannedImage(id, label, seed, null, null);
    }

    public boolean isVariation() {
        return sourcePixels != null;
    }
}
