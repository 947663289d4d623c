package io.sparkdiffusion.jobs.sample;

import io.sparkdiffusion.generate.OutputLayout;
import io.sparkdiffusion.generate.PlannedImage;
import io.sparkdiffusion.generate.Recipe;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.util.List;

/**
 * The rows of {@code samples.parquet}, one per image, the same for SampleJob and AugmentJob (whose rows also
 * name the source image and the strength; SampleJob leaves those null).
 *
 * @param layout          the output (for each image's relative path and class folder)
 * @param classNames      class names by label
 * @param recipe          how the images were made
 * @param weights         ema or raw
 * @param checkpoint      the checkpoint directory
 * @param checkpointStep  its training step
 * @param variations      whether the images are variations (strength recorded)
 */
public record ManifestRows(OutputLayout layout, List<String> classNames, Recipe recipe, String weights, String checkpoint,
                    long checkpointStep, boolean variations) implements Serializable {

    static final StructType SCHEMA = new StructType()
            .add("id", DataTypes.StringType, false)
            .add("path", DataTypes.StringType, false)
            .add("label", DataTypes.IntegerType, false)
            .add("class_name", DataTypes.StringType, true)
            .add("seed", DataTypes.LongType, false)
            .add("source_id", DataTypes.StringType, true)
            .add("sampler", DataTypes.StringType, false)
            .add("steps", DataTypes.IntegerType, false)
            .add("eta", DataTypes.DoubleType, false)
            .add("guidance", DataTypes.DoubleType, false)
            .add("strength", DataTypes.DoubleType, true)
            .add("weights", DataTypes.StringType, false)
            .add("checkpoint", DataTypes.StringType, false)
            .add("checkpoint_step", DataTypes.LongType, false);

    public Row row(PlannedImage image) {
        String className = image.label() >= 0 && image.label() < classNames.size() ? classNames.get(image.label()) : null;
        return RowFactory.create(image.id(), layout.relativeImagePath(image), image.label(), className, image.seed(),
                image.sourceId(), recipe.sampler(), recipe.steps(), recipe.eta(), recipe.guidance(),
                variations ? recipe.strength() : null, weights, checkpoint, checkpointStep);
    }
}
