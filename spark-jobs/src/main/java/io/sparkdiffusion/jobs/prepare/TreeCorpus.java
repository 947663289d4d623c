package io.sparkdiffusion.jobs.prepare;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import io.sparkdiffusion.image.ImagePreparer;
import io.sparkdiffusion.image.PrepareOptions;
import io.sparkdiffusion.jobs.prepare.PrepareSettings.Layout;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.apache.spark.sql.execution.datasources.PartitioningAwareFileIndex;
import scala.collection.JavaConverters;

/**
 * An image tree read with Spark's {@code binaryFile} source: the listing is Spark's (parallel for large
 * trees), the bytes are read and decoded on the executors.
 */
public final class TreeCorpus {
    /** Compressed bytes per decoding task when the corpus is large. */
    private static final long BYTES_PER_PARTITION = 64L << 20;
    /** Files per decoding task at most: a task carries its file list (~90 bytes a file). */
    private static final long FILES_PER_PARTITION = 5_000;
    /** Decoding tasks per core at least, so that a slow partition does not leave cores idle at the end. */
    private static final int PARTITIONS_PER_CORE = 3;

    private final Dataset<Row> files;
    private final ClassFolders folders;
    private final PrepareSettings settings;

    public TreeCorpus(SparkSession spark, Path root, PrepareSettings settings) {
        this.files = spark.read().format("binaryFile")
                .option("recursiveFileLookup", "true")
                .option("pathGlobFilter", settings.glob())
                .load(root.toString());
        this.folders = new ClassFolders(root);
        this.settings = settings;
    }

    /** True when no file matches (Spark's listing; no content is read). */
    public boolean isEmpty() {
        return listing().isEmpty();
    }

    /**
     * The matching files of length 0. Spark's file scans skip empty files silently, so they are found in
     * Spark's own listing (already in driver memory) and rejected explicitly.
     */
    public List<String> emptyFiles() {
        List<String> empty = new ArrayList<>();
        for (FileStatus status : listing()) {
            if (status.getLen() == 0) {
                empty.add(status.getPath().toString());
            }
        }
        return empty;
    }

    /**
     * Spark counts every file as at least 4 MB (spark.sql.files.openCostInBytes), so a tree of 70,000 small
     * PNGs becomes ~2,000 tasks and as many tiny Parquet files. Merge them (no shuffle) into partitions of
     * about {@link #BYTES_PER_PARTITION} and at most {@link #FILES_PER_PARTITION} files, keeping a few per core.
     */
    private Dataset<Row> fewerPartitionsForSmallFiles(Dataset<Row> input) {
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

    private List<FileStatus> listing() {
        LogicalPlan plan = files.queryExecution().analyzed();
        if (plan instanceof LogicalRelation relation && relation.relation() instanceof HadoopFsRelation fsRelation
                && fsRelation.location() instanceof PartitioningAwareFileIndex index) {
            return JavaConverters.seqAsJavaList(index.allFiles());
        }
        throw new IllegalStateException("unexpected plan of the binaryFile source: " + plan.getClass().getName());
    }

    /**
     * Sorted names of the class folders that hold at least one matching file (empty when unlabeled), from
     * Spark's listing, which the driver holds anyway: no job, and only the names are kept.
     */
    public List<String> classNames() {
        if (settings.layout() != Layout.CLASS_FOLDERS) {
            return List.of();
        }
        java.util.TreeSet<String> names = new java.util.TreeSet<>();
        for (FileStatus status : listing()) {
            folders.classOf(status.getPath().toString()).ifPresent(names::add);
        }
        return List.copyOf(names);
    }

    /** One {@link PreparedRows#DECODED} row per file. */
    public Dataset<Row> decode(List<String> classNames) {
        MapPartitionsFunction<Row, Row> prepare = prepareFiles(folders, ClassFolders.indexOf(classNames),
                settings.layout() == Layout.CLASS_FOLDERS, settings.image(), settings.validationFraction());
        Dataset<Row> decoded = fewerPartitionsForSmallFiles(files.select("path", "content"))
                .mapPartitions(prepare, Encoders.row(PreparedRows.DECODED));
        List<Row> empty = emptyFiles().stream()
                .map(path -> PreparedRows.rejected(path, -1, "empty file (0 bytes)", settings.validationFraction()))
                .toList();
        return empty.isEmpty() ? decoded : decoded.union(files.sparkSession().createDataFrame(empty, PreparedRows.DECODED));
    }

    // Static, so that the function Spark ships to executors captures only what it names (not this corpus).
    private static MapPartitionsFunction<Row, Row> prepareFiles(ClassFolders folders, Map<String, Integer> labels,
                                                                boolean labeled, PrepareOptions image, double fraction) {
        return rows -> {
            ImagePreparer preparer = new ImagePreparer(image);
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return rows.hasNext();
                }

                @Override
                public Row next() {
                    Row file = rows.next();
                    String source = file.getString(0);
                    int label = labeled ? folders.labelOf(source, labels) : -1;
                    if (labeled && label < 0) {
                        return PreparedRows.rejected(source, -1, "not inside a class folder", fraction);
                    }
                    return PreparedRows.decoded(source, label, preparer.prepare((byte[]) file.get(1)), fraction);
                }
            };
        };
    }
}
