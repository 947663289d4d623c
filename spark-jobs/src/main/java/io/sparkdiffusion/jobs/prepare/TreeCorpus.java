package io.sparkdiffusion.jobs.prepare;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.sparkdiffusion.image.ImagePreparer;
import io.sparkdiffusion.image.PrepareOptions;
import io.sparkdiffusion.jobs.io.BinaryFileTree;
import io.sparkdiffusion.jobs.prepare.PrepareSettings.Layout;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.HadoopFSUtils;
import org.apache.spark.util.SerializableConfiguration;
import scala.Tuple2;
import scala.collection.JavaConverters;
import scala.reflect.ClassTag$;

/**
 * An image tree, listed by Spark's {@code binaryFile} source (recursive lookup, the glob; parallel on the
 * executors for large trees: {@link BinaryFileTree}). The
 * files are then read and decoded on the executors by {@link FileBytes}, one open per file, in tasks of many
 * files each ({@link FileGroup}) that prefer the hosts holding their bytes.
 */
public final class TreeCorpus {
    /** Bytes per decoding task (each file counted with {@link FileGroup#OPEN_COST_BYTES}) when the corpus is large. */
    private static final long BYTES_PER_PARTITION = 64L << 20;
    /** Files per decoding task at most: a task carries its file list (~100 bytes a file). */
    private static final int FILES_PER_PARTITION = 5_000;
    /** Decoding tasks per core at least, so that a slow partition does not leave cores idle at the end. */
    private static final int PARTITIONS_PER_CORE = 3;

    private final SparkSession spark;
    private final Path root;
    private final List<FileStatus> listing;
    private final ClassFolders folders;
    private final PrepareSettings settings;

    public TreeCorpus(SparkSession spark, Path root, PrepareSettings settings) throws IOException {
        this(spark, root, new BinaryFileTree(spark, root, settings.glob()).listing(), settings);
    }

    private TreeCorpus(SparkSession spark, Path root, List<FileStatus> listing, PrepareSettings settings) {
        this.spark = spark;
        this.root = root;
        this.listing = listing;
        this.folders = new ClassFolders(root);
        this.settings = settings;
    }

    /** The matching files as listed: path, size and modification time (what an incremental prepare compares). */
    public List<FileStatus> listing() {
        return java.util.Collections.unmodifiableList(listing);
    }

    /** The same tree restricted to some of its files (by {@code Path.toString()}), in listing order. */
    public TreeCorpus only(Set<String> sources) {
        List<FileStatus> some = new ArrayList<>(sources.size());
        for (FileStatus status : listing) {
            if (sources.contains(status.getPath().toString())) {
                some.add(status);
            }
        }
        return new TreeCorpus(spark, root, some, settings);
    }

    /** How many files match. */
    public int files() {
        return listing.size();
    }

    /**
     * Sorted names of the class folders that hold at least one matching file (empty when unlabeled), from
     * Spark's listing, which the driver holds anyway: no job, and only the names are kept.
     */
    public List<String> classNames() {
        if (settings.layout() != Layout.CLASS_FOLDERS) {
            return List.of();
        }
        TreeSet<String> names = new TreeSet<>();
        for (FileStatus status : listing) {
            folders.classOf(status.getPath().toString()).ifPresent(names::add);
        }
        return List.copyOf(names);
    }

    /**
     * Sorted names of the folders right under the root that Spark never lists because of their name (starting with
     * {@code _} or {@code .}, its rule for hidden files): a class folder named so would be dropped without a word.
     */
    public static List<String> skippedFolders(FileSystem fs, Path root) throws IOException {
        if (!fs.getFileStatus(root).isDirectory()) {
            return List.of();
        }
        TreeSet<String> names = new TreeSet<>();
        for (FileStatus child : fs.listStatus(root)) {
            String name = child.getPath().getName();
            if (child.isDirectory() && HadoopFSUtils.shouldFilterOutPathName(name)) {
                names.add(name);
            }
        }
        return List.copyOf(names);
    }

    /** One {@link PreparedRows#DECODED} row per file. */
    public Dataset<Row> decode(List<String> classNames) {
        int cores = spark.sparkContext().defaultParallelism();
        List<Tuple2<FileGroup, scala.collection.Seq<String>>> groups = new ArrayList<>();
        for (FileGroup group : FileGroup.pack(listing, PARTITIONS_PER_CORE * cores, BYTES_PER_PARTITION, FILES_PER_PARTITION)) {
            groups.add(new Tuple2<>(group, JavaConverters.asScalaBuffer(List.of(group.hosts())).toSeq()));
        }
        Broadcast<SerializableConfiguration> conf = spark.sparkContext().broadcast(
                new SerializableConfiguration(spark.sparkContext().hadoopConfiguration()),
                ClassTag$.MODULE$.apply(SerializableConfiguration.class));
        // One group per partition, placed near its bytes where the file system says where they are.
        JavaRDD<FileGroup> tasks = spark.sparkContext()
                .makeRDD(JavaConverters.asScalaBuffer(groups).toSeq(), ClassTag$.MODULE$.apply(FileGroup.class))
                .toJavaRDD();
        JavaRDD<Row> rows = tasks.flatMap(prepareFiles(conf, root.toString(), settings.maxFileBytes(), folders,
                ClassFolders.indexOf(classNames), settings.layout() == Layout.CLASS_FOLDERS, settings.image(),
                settings.validationFraction()));
        return spark.createDataFrame(rows, PreparedRows.DECODED);
    }

    // Static, so that the function Spark ships to executors captures only what it names (not this corpus).
    private static FlatMapFunction<FileGroup, Row> prepareFiles(Broadcast<SerializableConfiguration> conf,
                                                                String root, long maxFileBytes, ClassFolders folders, Map<String, Integer> labels,
                                                                boolean labeled, PrepareOptions image, double fraction) {
        return group -> {
            ImagePreparer preparer = new ImagePreparer(image);
            FileBytes files = new FileBytes(conf.value().value(), root, maxFileBytes);
            return new Iterator<>() {
                private int next;

                @Override
                public boolean hasNext() {
                    return next < group.size();
                }

                @Override
                public Row next() {
                    String source = group.sources()[next];
                    long length = group.lengths()[next++];
                    int label = labeled ? folders.labelOf(source, labels) : -1;
                    if (labeled && label < 0) {
                        return PreparedRows.rejected(source, -1, "not inside a class folder", fraction);
                    }
                    byte[] bytes;
                    try {
                        bytes = files.read(source, length);
                    } catch (RefusedFile e) {
                        return PreparedRows.rejected(source, label, e.getMessage(), fraction);
                    } catch (IOException | RuntimeException e) {
                        return PreparedRows.rejected(source, label, "cannot read: " + e, fraction);
                    }
                    return PreparedRows.decoded(source, label, preparer.prepare(bytes), fraction);
                }
            };
        };
    }
}
