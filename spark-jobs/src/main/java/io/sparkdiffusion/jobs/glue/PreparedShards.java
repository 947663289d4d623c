package io.sparkdiffusion.jobs.glue;

import io.sparkdiffusion.data.PreparedColumns;
import io.sparkdiffusion.data.PreparedManifest;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import static org.apache.spark.sql.functions.col;

/** The one Spark reader of a PrepareJob output's shards. */
public final class PreparedShards {
    private PreparedShards() {
    }

    /**
     * The (id, label, pixels) rows of a split.
     *
     * @param manifest the output's manifest ({@link PreparedManifest#readFrom})
     * @param split    train, validation or all
     */
    public static Dataset<Row> images(SparkSession spark, String dataDir, PreparedManifest manifest, String split) {
        Dataset<Row> rows = spark.read().parquet(new Path(dataDir, manifest.shards().path()).toString());
        if (!split.equals(PreparedColumns.BOTH_SPLITS)) {
            rows = rows.filter(col(PreparedColumns.SPLIT).equalTo(split));
        }
        return rows.select(PreparedColumns.ID, PreparedColumns.LABEL, PreparedColumns.PIXELS);
    }
}
