package io.sparkdiffusion.generate;

import java.io.Serializable;
import java.util.List;

/**
 * Makes the {@link GeneratedImage} record of each planned image of a run (on the driver for the manifest, on the
 * executors for the shards).
 *
 * @param layout         the output (for each image's relative path)
 * @param classNames     class names by label
 * @param recipe         how the images are made
 * @param weights        ema or raw
 * @param checkpoint     the checkpoint directory
 * @param checkpointStep its training step
 * @param variations     whether the images are variations (strength recorded)
 */
public record GeneratedImages(OutputLayout layout, List<String> classNames, Recipe recipe, String weights,
                              String checkpoint, long checkpointStep, boolean variations) implements Serializable {

    public GeneratedImages {
        classNames = List.copyOf(classNames);
    }

    public GeneratedImage of(PlannedImage image) {
        String className = image.label() >= 0 && image.label() < classNames.size() ? classNames.get(image.label()) : null;
        return new GeneratedImage(image.id(), layout.relativeImagePath(image), image.label(), className, image.seed(),
                image.sourceId(), recipe.sampler(), recipe.steps(), recipe.eta(), recipe.guidance(),
                variations ? recipe.strength() : null, weights, checkpoint, checkpointStep);
    }
}
