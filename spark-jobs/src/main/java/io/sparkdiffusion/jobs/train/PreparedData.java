package io.sparkdiffusion.jobs.train;

import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.data.LabeledImage;
import io.sparkdiffusion.data.PreparedColumns;
import io.sparkdiffusion.data.PreparedManifest;
import io.sparkdiffusion.jobs.io.PreparedShards;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

import scala.Tuple2;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * A PrepareJob output as training input: its manifest, and its images spread over one partition per worker.
 *
 * <p>The images are numbered in the order of their ids and dealt round-robin to the partitions (sizes differ
 * by at most one, so no worker waits for another), in that order; this depends only on the data, so every run and every resume sees the same partitions; each epoch then
 * shuffles within a partition by {@code TrainingOrder}. The partitions are cached (uint8, the smallest
 * form); minibatches are made from them on the executors, round by round.
 */
public final class PreparedData {
    private final PreparedManifest manifest;
    private final JavaRDD<LabeledImage> images;
    private final int[] partitionSizes;

    private PreparedData(PreparedManifest manifest, JavaRDD<LabeledImage> images, int[] partitionSizes) {
        this.manifest = manifest;
        this.images = images;
        this.partitionSizes = partitionSizes;
    }

    /**
     * @param split   train, validation or all
     * @param workers partitions (one per worker)
     */
    public static PreparedData load(SparkSession spark, String dataDir, PreparedManifest manifest, String split,
                                    int workers) {
        return load(spark, dataDir, manifest, split, workers, List.of(), 0);
    }

    /**
     * @param mixed other prepared data sets (with their manifests, checked to match) mixed in by weight
     * @param seed  chooses the mixed sets' subsets
     */
    public static PreparedData load(SparkSession spark, String dataDir, PreparedManifest manifest, String split,
                                    int workers, List<Mixed> mixed, long seed) {
        Dataset<Row> rows = PreparedShards.images(spark, dataDir, manifest, split);
        long main = manifest.imagesIn(split);
        for (int i = 0; i < mixed.size(); i++) {
            Mixed m = mixed.get(i);
            Dataset<Row> mixedRows = PreparedShards.images(spark, m.dataDir(), m.manifest(), split);
            rows = rows.union(subset(mixedRows, m.manifest().imagesIn(split), Math.round(m.weight() * main), seed,
                    "mix" + i));
        }
        JavaRDD<LabeledImage> images = rows
                .orderBy(PreparedColumns.ID)
                .javaRDD()
                .zipWithIndex()
                .mapToPair(row -> new Tuple2<>(row._2(), PreparedShards.image(row._1())))
                .repartitionAndSortWithinPartitions(new RoundRobinPartitioner(workers))
                .values()
                .persist(StorageLevel.MEMORY_AND_DISK_SER()); // serialized, as DL4J advises: compact, little GC
        List<Integer> sizes = images.mapPartitionsWithIndex(PreparedData::partitionSize, true).collect();
        int[] partitionSizes = new int[workers];
        for (int i = 0; i < sizes.size(); i += 2) {
            partitionSizes[sizes.get(i)] = sizes.get(i + 1);
        }
        if (sizes.isEmpty() || java.util.Arrays.stream(partitionSizes).sum() == 0) {
            throw new InputError("the " + split + " split of " + dataDir + " has no images");
        }
        return new PreparedData(manifest, images, partitionSizes);
    }

    /** A prepared data set mixed into training: weight × the main set's images (of the split) come from it. */
    public record Mixed(String dataDir, PreparedManifest manifest, double weight) {
    }

    /**
     * {@code want} of the {@code available} rows: every row as often as it fits whole, then the first of them in the
     * order of a hash of (id, seed); ids prefixed so that no copy equals another or an image of the main set.
     */
    static Dataset<Row> subset(Dataset<Row> rows, long available, long want, long seed, String prefix) {
        if (available == 0) {
            throw new InputError("a train.mix data set has no images in the split trained on");
        }
        Dataset<Row> out = null;
        for (long copy = 0; copy < want / available; copy++) {
            out = union(out, rows.withColumn(PreparedColumns.ID,
                    concat(lit(prefix + "-" + copy + ":"), col(PreparedColumns.ID))));
        }
        long rest = want % available;
        if (rest > 0 || out == null) {
            out = union(out, rows.orderBy(xxhash64(col(PreparedColumns.ID), lit(seed)), col(PreparedColumns.ID))
                    .limit(Math.toIntExact(rest))
                    .withColumn(PreparedColumns.ID, concat(lit(prefix + "-rest:"), col(PreparedColumns.ID))));
        }
        return out;
    }

    private static Dataset<Row> union(Dataset<Row> a, Dataset<Row> b) {
        return a == null ? b : a.union(b);
    }

    /** (partition index, size) as two numbers, so the driver learns the sizes without collecting images. */
    private static Iterator<Integer> partitionSize(int partition, Iterator<LabeledImage> it) {
        int n = 0;
        while (it.hasNext()) {
            it.next();
            n++;
        }
        List<Integer> out = new ArrayList<>(2);
        Collections.addAll(out, partition, n);
        return out.iterator();
    }

    public PreparedManifest manifest() {
        return manifest;
    }

    public JavaRDD<LabeledImage> images() {
        return images;
    }

    /** Images per partition, indexed by partition. */
    public int[] partitionSizes() {
        return partitionSizes.clone();
    }

    public long count() {
        return java.util.Arrays.stream(partitionSizes).asLongStream().sum();
    }

    public void release() {
        images.unpersist(false);
    }
}
