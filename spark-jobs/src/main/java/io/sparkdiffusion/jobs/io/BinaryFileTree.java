package io.sparkdiffusion.jobs.io;

import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.apache.spark.sql.execution.datasources.PartitioningAwareFileIndex;
import scala.collection.JavaConverters;

/**
 * A tree of files read with Spark's {@code binaryFile} source (columns path, modificationTime, length, content):
 * the listing is Spark's (parallel for large trees), the bytes are read on the executors.
 */
public final class BinaryFileTree {
    /** Compressed bytes per task when the tree is large. */
    private static final long BYTES_PER_PARTITION = 64L << 20;
    /** Files per task at most: a task carries its file list (~90 bytes a file). */
    private static final long FILES_PER_PARTITION = 5_000;
    /** Tasks per core at least, so that a slow partition does not leave cores idle at the end. */
    private static final int PARTITIONS_PER_CORE = 3;

    private final Dataset<Row> files;

    /** Every file below {@code root} (recursively) whose name matches the Hadoop glob {@code glob}. */
    public BinaryFileTree(SparkSession spark, Path root, String glob) {
        this.files = spark.read().format("binaryFile")
                .option("recursiveFileLookup", "true")
                .option("pathGlobFilter", glob)
                .load(root.toString());
    }

    public Dataset<Row> files() {
        return files;
    }

    /** The matching files (empty ones included) as Spark listed them (already in driver memory: no job runs). */
    public List<FileStatus> listing() {
        LogicalPlan plan = files.queryExecution().analyzed();
        if (plan instanceof LogicalRelation relation && relation.relation() instanceof HadoopFsRelation fsRelation
                && fsRelation.location() instanceof PartitioningAwareFileIndex index) {
            // Copied once: Spark returns a lazy Stream, where size() and get(i) walk the list each time.
            return new ArrayList<>(JavaConverters.seqAsJavaList(index.allFiles()));
        }
        throw new IllegalStateException("unexpected plan of the binaryFile source: " + plan.getClass().getName());
    }

    /**
     * (path, content) rows in fewer partitions than Spark makes: it counts every file as at least 4 MB
     * (spark.sql.files.openCostInBytes), so a tree of 70,000 small PNGs becomes ~2,000 tasks. They are merged
     * (no shuffle) into partitions of about {@link #BYTES_PER_PARTITION} and at most {@link #FILES_PER_PARTITION}
     * files, keeping a few per core.
     */
    public Dataset<Row> pathsAndContents() {
        Dataset<Row> input = files.select("path", "content");
        long bytes = 0;
        long count = 0;
        for (FileStatus status : listing()) {
            bytes += status.getLen();
            count++;
        }
        int cores = input.sparkSession().sparkContext().defaultParallelism();
        long target = Math.max(Math.max((long) PARTITIONS_PER_CORE * cores, (bytes + BYTES_PER_PARTITION - 1) / BYTES_PER_PARTITION),
                (count + FILES_PER_PARTITION - 1) / FILES_PER_PARTITION);
        return input.rdd().getNumPartitions() > target ? input.coalesce((int) Math.min(Integer.MAX_VALUE, target)) : input;
    }
}
