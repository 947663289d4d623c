package io.sparkdiffusion.jobs.prepare;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import io.sparkdiffusion.image.ImagePreparer;
import io.sparkdiffusion.image.PrepareOptions;
import io.sparkdiffusion.jobs.glue.BinaryFileTree;
import io.sparkdiffusion.jobs.prepare.PrepareSettings.Layout;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * An image corpus tree ({@link BinaryFileTree}): the listing is Spark's, the bytes are read and decoded on the
 * executors.
 */
public final class TreeCorpus {
    private final BinaryFileTree tree;
    private final ClassFolders folders;
    private final PrepareSettings settings;

    public TreeCorpus(SparkSession spark, Path root, PrepareSettings settings) {
        this.tree = new BinaryFileTree(spark, root, settings.glob());
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

    private List<FileStatus> listing() {
        return tree.listing();
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
        Dataset<Row> decoded = tree.pathsAndContents()
                .mapPartitions(prepare, Encoders.row(PreparedRows.DECODED));
        List<Row> empty = emptyFiles().stream()
                .map(path -> PreparedRows.rejected(path, -1, "empty file (0 bytes)", settings.validationFraction()))
                .toList();
        return empty.isEmpty() ? decoded : decoded.union(tree.files().sparkSession().createDataFrame(empty, PreparedRows.DECODED));
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
