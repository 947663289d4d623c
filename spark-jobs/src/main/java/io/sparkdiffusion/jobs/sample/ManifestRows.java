package io.sparkdiffusion.jobs.sample;

import io.sparkdiffusion.generate.GeneratedColumns;
import io.sparkdiffusion.generate.GeneratedImage;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The rows of {@code samples.parquet}, one per image ({@link GeneratedImage}, in the columns of
 * {@link GeneratedColumns} but the image itself), the same for SampleJob and AugmentJob
 * (whose rows also name the source image and the strength; SampleJob leaves those null).
 */
public final class ManifestRows {

    static final StructType SCHEMA = new StructType()
            .add(GeneratedColumns.ID, DataTypes.StringType, false)
            .add(GeneratedColumns.PATH, DataTypes.StringType, false)
            .add(GeneratedColumns.LABEL, DataTypes.IntegerType, false)
            .add(GeneratedColumns.CLASS_NAME, DataTypes.StringType, true)
            .add(GeneratedColumns.SEED, DataTypes.LongType, false)
            .add(GeneratedColumns.SOURCE_ID, DataTypes.StringType, true)
            .add(GeneratedColumns.SAMPLER, DataTypes.StringType, false)
            .add(GeneratedColumns.STEPS, DataTypes.IntegerType, false)
            .add(GeneratedColumns.ETA, DataTypes.DoubleType, false)
            .add(GeneratedColumns.GUIDANCE, DataTypes.DoubleType, false)
            .add(GeneratedColumns.STRENGTH, DataTypes.DoubleType, true)
            .add(GeneratedColumns.WEIGHTS, DataTypes.StringType, false)
            .add(GeneratedColumns.CHECKPOINT, DataTypes.StringType, false)
            .add(GeneratedColumns.CHECKPOINT_STEP, DataTypes.LongType, false);

    private ManifestRows() {
    }

    static Row row(GeneratedImage image) {
        return RowFactory.create(image.id(), image.path(), image.label(), image.className(), image.seed(),
                image.sourceId(), image.sampler(), image.steps(), image.eta(), image.guidance(), image.strength(),
                image.weights(), image.checkpoint(), image.checkpointStep());
    }
}
