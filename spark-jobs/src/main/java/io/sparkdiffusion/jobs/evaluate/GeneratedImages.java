package io.sparkdiffusion.jobs.evaluate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.xxhash64;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

import io.sparkdiffusion.config.HadoopFiles;
import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.data.LabeledImages;
import io.sparkdiffusion.eval.EvaluationReport;
import io.sparkdiffusion.eval.EvaluationTally;
import io.sparkdiffusion.eval.FloorSubsets;
import io.sparkdiffusion.eval.ImageScorer;
import io.sparkdiffusion.generate.FolderNames;
import io.sparkdiffusion.generate.GeneratedColumns;
import io.sparkdiffusion.generate.OutputLayout;
import io.sparkdiffusion.image.ImageShape;
import io.sparkdiffusion.image.PngImages;
import io.sparkdiffusion.image.Uint8Image;
import io.sparkdiffusion.jobs.io.BinaryFileTree;
import io.sparkdiffusion.jobs.prepare.ClassFolders;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Generated images (a SampleJob/AugmentJob output): its Parquet shards ({@code shards/}, written instead of or beside
 * the PNG tree), or a PNG tree: {@code images/<class-name>/<id>.png}, or {@code images/<id>.png} when unlabeled.
 * The class of an image is its first folder under {@code images/} (a shard row keeps the path the tree would have):
 * the folder {@link FolderNames#forClasses} gives the classifier's class, as it does for the jobs that write them.
 * An image is known by its path in the tree, whichever form is read, so both give the same scores.
 */
final class GeneratedImages {
    /** (path, content) rows */
    private final Dataset<Row> images;
    private final List<String> paths;
    private final ClassFolders folders;
    private final Map<String, Integer> classIndex;
    private final boolean labeled;
    private final boolean fromShards;

    private GeneratedImages(Dataset<Row> images, List<String> paths, ClassFolders folders,
                            Map<String, Integer> classIndex, boolean labeled, boolean fromShards) {
        this.fromShards = fromShards;
        this.images = images;
        this.paths = paths;
        this.folders = folders;
        this.classIndex = classIndex;
        this.labeled = labeled;
    }

    /**
     * {@code <generated>/images} when it exists, else {@code <generated>/shards} when it exists, else
     * {@code <generated>} itself (an images folder given directly).
     */
    static Path root(String generated, Configuration conf) throws IOException {
        Path given = new Path(generated);
        FileSystem fs = given.getFileSystem(conf);
        if (!fs.exists(given)) {
            throw new InputError("generated images " + generated + " do not exist (evaluate.generated)");
        }
        for (String child : List.of(OutputLayout.IMAGES, OutputLayout.SHARDS)) {
            if (fs.exists(new Path(given, child))) {
                return fs.makeQualified(new Path(given, child));
            }
        }
        return fs.makeQualified(given);
    }

    /**
     * Lists the images (Spark's listing, no job, for a tree; the shards' paths for shards) and checks them: images
     * present, all in class folders or none, every class folder one of the classifier's classes.
     *
     * @param root what {@link #root} gave
     */
    static GeneratedImages open(SparkSession spark, Path root, String glob, List<String> classes) {
        if (root.getName().equals(OutputLayout.SHARDS)) {
            Path tree = new Path(root.getParent(), OutputLayout.IMAGES);
            Dataset<Row> images = spark.read().parquet(root.toString())
                    .select(concat(lit(root.getParent() + "/"), col(GeneratedColumns.IMAGE_PATH)).as("path"),
                            col(GeneratedColumns.IMAGE_BYTES).as("content"));
            List<String> paths = images.select("path").as(Encoders.STRING()).collectAsList();
            return of(images, paths, tree, "in the shards of " + root.getParent(), classes, true);
        }
        BinaryFileTree tree = new BinaryFileTree(spark, root, glob);
        List<String> paths = tree.listing().stream().map(status -> status.getPath().toString()).toList();
        if (paths.isEmpty()) {
            throw new InputError("no generated images matching " + glob + " under " + root + " (evaluate.glob)");
        }
        return of(tree.pathsAndContents(), paths, root, "under " + root, classes, false);
    }

    private static GeneratedImages of(Dataset<Row> images, List<String> paths, Path root, String where,
                                      List<String> classes, boolean fromShards) {
        if (paths.isEmpty()) {
            throw new InputError("no generated images " + where);
        }
        ClassFolders folders = new ClassFolders(root);
        TreeSet<String> found = new TreeSet<>();
        String loose = null;
        for (String path : paths) {
            Optional<String> cls = folders.classOf(path);
            if (cls.isPresent()) {
                found.add(cls.get());
            } else {
                loose = path;
            }
        }
        if (!found.isEmpty() && loose != null) {
            throw new InputError("generated images " + where + " are partly in class folders and partly not (e.g. "
                    + loose + "); use images/<class>/<id>.png for all, or no class folders at all");
        }
        // The folder of each class as SampleJob and AugmentJob name it ("golden retriever" -> golden_retriever)
        List<String> classFolders = FolderNames.forClasses(classes);
        Map<String, Integer> index = new HashMap<>();
        for (String name : found) {
            int i = classFolders.indexOf(name);
            if (i < 0) {
                throw new InputError("generated class folder '" + name + "' " + where + " is not the folder of"
                        + " one of the classifier's classes (" + String.join(", ", classFolders) + ")");
            }
            index.put(name, i);
        }
        return new GeneratedImages(images, paths, folders, index, !found.isEmpty(), fromShards);
    }

    /** The floor positions of the images per bucket (class index + 1; 0 when unlabeled), from the listing (no job). */
    double[][] positions(int numClasses, long seed) {
        List<List<Double>> buckets = new ArrayList<>();
        for (int b = 0; b <= numClasses; b++) {
            buckets.add(new ArrayList<>());
        }
        for (String path : paths) {
            int label = labeled ? labelOf(folders, classIndex, path) : -1;
            buckets.get(label + 1).add(FloorSubsets.position(seed, path));
        }
        return PreparedSets.toArrays(buckets);
    }

    long count() {
        return paths.size();
    }

    boolean labeled() {
        return labeled;
    }

    /**
     * One image, decoded in the driver: its shape is checked before the scoring starts. From a tree the first in path
     * order (one file read); from shards the first row of the first shard (a filter on the path would scan them all:
     * the path is computed, so Parquet cannot skip by it).
     */
    Uint8Image first(Configuration conf) throws IOException {
        if (fromShards) {
            Row row = images.first();
            return decode(row.getString(0), (byte[]) row.get(1));
        }
        String path = paths.stream().min(String::compareTo).orElseThrow();
        Path file = new Path(path);
        return decode(path, HadoopFiles.readAll(file.getFileSystem(conf), file));
    }

    /** Scores every image on the executors: features into the generated group (and the floor's same-size subset), predictions against the folder class. */
    EvaluationTally score(ScorerFactory setup, FloorSubsets floor) {
        ClassFolders folders = this.folders;
        Map<String, Integer> classIndex = this.classIndex;
        boolean labeled = this.labeled;
        return images.javaRDD().mapPartitions((Iterator<Row> it) -> {
            ImageScorer scorer = setup.open();
            while (it.hasNext()) {
                Row row = it.next();
                String path = row.getString(0);
                int label = labeled ? labelOf(folders, classIndex, path) : -1;
                scorer.add(path, decode(path, (byte[]) row.get(1)), label, floor.generatedGroups(path, label, EvaluationReport.GENERATED));
            }
            return List.of(scorer.finish()).iterator();
        }).reduce(EvaluationTally::add);
    }

    /** Up to {@code limit} images in the driver (for train-on-synthetic), a random subset chosen by (path, seed). */
    LabeledImages collect(int limit, long seed, ImageShape shape, List<String> classes) {
        Dataset<Row> chosen = images
                .orderBy(xxhash64(col("path"), lit(seed)), col("path")).limit(limit);
        java.io.ByteArrayOutputStream pixels = new java.io.ByteArrayOutputStream();
        List<Integer> labels = new ArrayList<>();
        Iterator<Row> it = chosen.toLocalIterator();
        while (it.hasNext()) {
            Row row = it.next();
            String path = row.getString(0);
            Uint8Image image = decode(path, (byte[]) row.get(1));
            if (!image.shape().equals(shape)) {
                throw new InputError("generated image " + path + " has shape " + image.shape() + ", expected " + shape);
            }
            pixels.writeBytes(image.pixels());
            labels.add(labelOf(folders, classIndex, path));
        }
        return new LabeledImages(shape, pixels.toByteArray(), labels.stream().mapToInt(Integer::intValue).toArray(),
                classes);
    }

    private static int labelOf(ClassFolders folders, Map<String, Integer> classIndex, String path) {
        return folders.labelOf(path, classIndex);
    }

    private static Uint8Image decode(String path, byte[] bytes) {
        try { // PngImages refuses, from the header, an image larger than any this project generates
            return PngImages.decode(bytes);
        } catch (IOException e) {
            throw new InputError("generated image " + path + " cannot be decoded: " + e.getMessage(), e);
        }
    }
}
