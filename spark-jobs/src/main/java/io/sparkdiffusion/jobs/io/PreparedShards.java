package io.sparkdiffusion.jobs.io;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.List;

import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.data.LabeledImage;
import io.sparkdiffusion.data.LabeledImages;
import io.sparkdiffusion.data.PreparedColumns;
import io.sparkdiffusion.data.PreparedManifest;
import io.sparkdiffusion.data.PreparedManifest.Version;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.collection.JavaConverters;

/** The one Spark reader of a PrepareJob output's shards, full or incremental (versioned). */
public final class PreparedShards {
    /** The columns of a version's {@code removed} list that name a row. */
    private static final StructType REMOVED = new StructType()
            .add(PreparedColumns.ID, DataTypes.StringType, false)
            .add(PreparedColumns.VERSION, DataTypes.IntegerType, false);

    private PreparedShards() {
    }

    /** A row of {@link #images} as readers pass it on (a null label, which PrepareJob never writes, is unlabeled). */
    public static LabeledImage image(Row row) {
        return new LabeledImage(row.getString(0), row.isNullAt(1) ? LabeledImages.UNLABELED : row.getInt(1),
                (byte[]) row.get(2));
    }

    /**
     * The (id, label, pixels) rows of a split ({@link #image} makes each a {@link LabeledImage}).
     *
     * @param manifest the output's manifest ({@link PreparedManifest#readFrom})
     * @param split    train, validation or all
     */
    public static Dataset<Row> images(SparkSession spark, String dataDir, PreparedManifest manifest, String split) {
        return images(spark, dataDir, manifest, split, false);
    }

    /**
     * The (id, label, pixels) rows of a split, with {@code newestVersionOnly} only those the newest version of an
     * incremental output added (what a scheduled run has not seen yet): its shards alone are read, since no later
     * version can have removed any of their rows. A full output is one version.
     */
    public static Dataset<Row> images(SparkSession spark, String dataDir, PreparedManifest manifest, String split,
                                      boolean newestVersionOnly) {
        Dataset<Row> rows;
        if (!manifest.versioned()) {
            rows = spark.read().parquet(new Path(dataDir, manifest.shards().path()).toString());
        } else if (newestVersionOnly) {
            Version newest = manifest.versions().get(manifest.versions().size() - 1);
            if (newest.shardFiles() == 0) {
                throw new InputError("version " + newest.number() + " of " + dataDir + " added no image");
            }
            rows = spark.read().parquet(new Path(dataDir, newest.shards()).toString());
        } else {
            rows = currentRows(spark, dataDir, manifest);
        }
        if (!split.equals(PreparedColumns.BOTH_SPLITS)) {
            rows = rows.filter(col(PreparedColumns.SPLIT).equalTo(split));
        }
        return rows.select(PreparedColumns.ID, PreparedColumns.LABEL, PreparedColumns.PIXELS); // as image() reads them
    }

    /**
     * The current shard rows of an incremental output, each with the {@link PreparedColumns#VERSION} that added it:
     * every version's rows less those a later version's {@code removed} list names by (id, version). A version
     * directory that no manifest names (left by a killed run) is never read.
     */
    private static Dataset<Row> currentRows(SparkSession spark, String dataDir, PreparedManifest manifest) {
        Dataset<Row> rows = null;
        List<String> removed = new ArrayList<>();
        for (Version v : manifest.versions()) {
            if (v.shardFiles() > 0) {
                Dataset<Row> part = spark.read().parquet(new Path(dataDir, v.shards()).toString())
                        .withColumn(PreparedColumns.VERSION, lit(v.number()));
                rows = rows == null ? part : rows.unionByName(part);
            }
            if (v.removed() != null) {
                removed.add(new Path(dataDir, v.removed()).toString());
            }
        }
        if (rows == null) {
            throw new IllegalStateException("no version of " + dataDir + " holds rows");
        }
        if (removed.isEmpty()) {
            return rows;
        }
        // Few rows (the removals): Spark broadcasts them, so the shards are filtered where they are read.
        Dataset<Row> gone = spark.read().schema(REMOVED).json(removed.toArray(String[]::new));
        return rows.join(gone, JavaConverters.asScalaBuffer(List.of(PreparedColumns.ID, PreparedColumns.VERSION)).toSeq(),
                "left_anti");
    }
}
