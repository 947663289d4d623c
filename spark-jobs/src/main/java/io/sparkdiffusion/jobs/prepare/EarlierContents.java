package io.sparkdiffusion.jobs.prepare;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * The images earlier versions of an incremental output keep, by content hash (hash → source), on every executor:
 * a new file with such a content is a duplicate of that image. Broadcast once (~100 bytes an image), not shipped with
 * every task.
 */
final class EarlierContents implements Serializable {
    /** A full prepare, or the first version: nothing earlier. */
    static final EarlierContents NONE = new EarlierContents(null);

    private final Broadcast<HashMap<String, String>> kept;

    private EarlierContents(Broadcast<HashMap<String, String>> kept) {
        this.kept = kept;
    }

    static EarlierContents of(SparkSession spark, Map<String, String> sourceByHash) {
        return new EarlierContents(JavaSparkContext.fromSparkContext(spark.sparkContext())
                .broadcast(new HashMap<>(sourceByHash)));
    }

    /** The source of the earlier image with this content hash, or null. */
    String sourceOf(String contentHash) {
        return kept == null ? null : kept.value().get(contentHash);
    }
}
