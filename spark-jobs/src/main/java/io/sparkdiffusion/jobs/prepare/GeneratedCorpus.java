package io.sparkdiffusion.jobs.prepare;

import io.sparkdiffusion.config.CommitProtocol;
import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.generate.GeneratedColumns;
import io.sparkdiffusion.generate.OutputLayout;
import io.sparkdiffusion.image.ImagePreparer;
import io.sparkdiffusion.image.PrepareOptions;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;

/**
 * A SampleJob or AugmentJob output as a corpus ({@code prepare.layout = generated}): the images of its Parquet
 * shards, each with the label it was made for and that label's {@code class_name} (the training data's class
 * name, not the sanitized folder a PNG tree files it under), so a synthetic set prepares into the classes and label
 * numbers of the real one. An image's source is
 * its path in the tree ({@code <output>/images/<folder>/<id>.png}): the same ids whether it was written as a tree
 * or as shards.
 */
public final class GeneratedCorpus {
    private final SparkSession spark;
    private final Path output;
    private final Dataset<Row> rows;

    public GeneratedCorpus(SparkSession spark, Path output) throws IOException {
        this.spark = spark;
        this.output = output;
        FileSystem fs = output.getFileSystem(spark.sparkContext().hadoopConfiguration());
        Path shards = new Path(output, OutputLayout.SHARDS);
        if (!CommitProtocol.isComplete(fs, output) || !fs.exists(shards)) {
            throw new InputError(output + " is not a complete SampleJob/AugmentJob output with Parquet shards (no "
                    + CommitProtocol.SUCCESS + " or " + OutputLayout.SHARDS + "/); write it with output-format ="
                    + " parquet or both, or prepare its images/ folder with prepare.layout = class-folders");
        }
        this.rows = spark.read().parquet(shards.toString())
                .select(col(GeneratedColumns.IMAGE_PATH), col(GeneratedColumns.LABEL), col(GeneratedColumns.CLASS_NAME),
                        col(GeneratedColumns.IMAGE_BYTES));
    }

    public long count() {
        return rows.count();
    }

    /**
     * The class names by label: {@code given} (prepare.class-names) when set, else the names the images carry, which
     * must then name every label up to the largest (a class with no generated image has no name to take).
     * Empty when the images have no label (an unconditional model's).
     */
    public List<String> classNames(List<String> given) {
        TreeMap<Integer, String> found = new TreeMap<>();
        for (Row row : rows.select(GeneratedColumns.LABEL, GeneratedColumns.CLASS_NAME)
                .where(col(GeneratedColumns.LABEL).geq(0)).distinct().collectAsList()) {
            String before = found.put(row.getInt(0), row.getString(1));
            if (before != null) {
                throw new InputError("label " + row.getInt(0) + " of " + output + " has two class names: '" + before
                        + "' and '" + row.getString(1) + "'");
            }
        }
        if (found.isEmpty()) {
            return List.of();
        }
        int classes = found.lastKey() + 1;
        if (!given.isEmpty()) {
            for (Map.Entry<Integer, String> e : found.entrySet()) {
                if (e.getKey() >= given.size() || !given.get(e.getKey()).equals(e.getValue())) {
                    throw new InputError("prepare.class-names " + given + " does not name label " + e.getKey() + " '"
                            + e.getValue() + "' as the images of " + output + " do");
                }
            }
            return List.copyOf(given);
        }
        List<String> names = new ArrayList<>();
        for (int label = 0; label < classes; label++) {
            String name = found.get(label);
            if (name == null) {
                throw new InputError("label " + label + " has no image in " + output + ", so its class name is not"
                        + " known; set prepare.class-names to the training data's class names");
            }
            names.add(name);
        }
        return names;
    }

    /** One {@link PreparedRows#DECODED} row per image. */
    public Dataset<Row> decode(List<String> classNames, PrepareOptions image, double validationFraction) {
        JavaRDD<Row> decoded = rows.javaRDD().mapPartitions(prepare(output.toString(), classNames.size(), image,
                validationFraction));
        return spark.createDataFrame(decoded, PreparedRows.DECODED);
    }

    // Static, so that the function Spark ships to executors captures only what it names.
    private static FlatMapFunction<Iterator<Row>, Row> prepare(String output, int classes, PrepareOptions image,
                                                              double fraction) {
        return it -> {
            ImagePreparer preparer = new ImagePreparer(image);
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public Row next() {
                    Row row = it.next();
                    String source = output + "/" + row.getString(0);
                    int label = classes == 0 ? -1 : row.getInt(1);
                    if (classes > 0 && (label < 0 || label >= classes)) {
                        return PreparedRows.rejected(source, -1, "label " + label + " is not one of the "
                                + classes + " classes", fraction);
                    }
                    return PreparedRows.decoded(source, label, preparer.prepare((byte[]) row.get(3)), fraction);
                }
            };
        };
    }
}
