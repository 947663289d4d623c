package io.sparkdiffusion.jobs.sample;

import io.sparkdiffusion.generate.GeneratedImage;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The rows of {@code samples.parquet}, one per image ({@link GeneratedImage}), the same for SampleJob and AugmentJob
 * (whose rows also name the source image and the strength; SampleJob leaves those null).
 */
public final class ManifestRows {

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

    private ManifestRows() {
    }

    static Row row(GeneratedImage image) {
        return RowFactory.create(image.id(), image.path(), image.label(), image.className(), image.seed(),
                image.sourceId(), image.sampler(), image.steps(), image.eta(), image.guidance(), image.strength(),
                image.weights(), image.checkpoint(), image.checkpointStep());
    }
}
