package io.sparkdiffusion.jobs.evaluate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.xxhash64;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.data.LabeledImages;
import io.sparkdiffusion.eval.EvaluationReport;
import io.sparkdiffusion.eval.EvaluationTally;
import io.sparkdiffusion.eval.FloorSubsets;
import io.sparkdiffusion.eval.ImageScorer;
import io.sparkdiffusion.generate.FolderNames;
import io.sparkdiffusion.image.ImageShape;
import io.sparkdiffusion.image.PngImages;
import io.sparkdiffusion.image.Uint8Image;
import io.sparkdiffusion.jobs.glue.BinaryFileTree;
import io.sparkdiffusion.jobs.prepare.ClassFolders;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A generated image tree (SampleJob/AugmentJob output): {@code images/<class-name>/<id>.png}, or
 * {@code images/<id>.png} when unlabeled. The class of an image is its first folder under {@code images/}:
 * the folder {@link FolderNames#forClasses} gives the classifier's class, as it does for the jobs that write them.
 */
final class GeneratedImages {
    private final BinaryFileTree tree;
    private final ClassFolders folders;
    private final Map<String, Integer> classIndex;
    private final List<FileStatus> listing;
    private final boolean labeled;

    private GeneratedImages(BinaryFileTree tree, ClassFolders folders, Map<String, Integer> classIndex,
                            List<FileStatus> listing, boolean labeled) {
        this.tree = tree;
        this.folders = folders;
        this.classIndex = classIndex;
        this.listing = listing;
        this.labeled = labeled;
    }

    /** {@code <generated>/images} when it exists, else {@code <generated>} itself (an images folder given directly). */
    static Path root(String generated, Configuration conf) throws IOException {
        Path given = new Path(generated);
        FileSystem fs = given.getFileSystem(conf);
        if (!fs.exists(given)) {
            throw new InputError("generated images " + generated + " do not exist (evaluate.generated)");
        }
        Path images = new Path(given, "images");
        return fs.makeQualified(fs.exists(images) ? images : given);
    }

    /**
     * Lists the tree (Spark's listing, no job) and checks it: images present, all in class folders or none, every
     * class folder one of the classifier's classes.
     */
    static GeneratedImages open(SparkSession spark, Path root, String glob, List<String> classes) {
        BinaryFileTree tree = new BinaryFileTree(spark, root, glob);
        List<FileStatus> listing = tree.listing();
        if (listing.isEmpty()) {
            throw new InputError("no generated images matching " + glob + " under " + root + " (evaluate.glob)");
        }
        ClassFolders folders = new ClassFolders(root);
        TreeSet<String> found = new TreeSet<>();
        String loose = null;
        for (FileStatus status : listing) {
            Optional<String> cls = folders.classOf(status.getPath().toString());
            if (cls.isPresent()) {
                found.add(cls.get());
            } else {
                loose = status.getPath().toString();
            }
        }
        if (!found.isEmpty() && loose != null) {
            throw new InputError("generated images under " + root + " are partly in class folders and partly not (e.g. "
                    + loose + "); use images/<class>/<id>.png for all, or no class folders at all");
        }
        // The folder of each class as SampleJob and AugmentJob name it ("golden retriever" -> golden_retriever)
        List<String> classFolders = FolderNames.forClasses(classes);
        Map<String, Integer> index = new HashMap<>();
        for (String name : found) {
            int i = classFolders.indexOf(name);
            if (i < 0) {
                throw new InputError("generated class folder '" + name + "' under " + root + " is not the folder of"
                        + " one of the classifier's classes (" + String.join(", ", classFolders) + ")");
            }
            index.put(name, i);
        }
        return new GeneratedImages(tree, folders, index, listing, !found.isEmpty());
    }

    /** The floor positions of the images per bucket (class index + 1; 0 when unlabeled), from the listing (no job). */
    double[][] positions(int numClasses, long seed) {
        List<List<Double>> buckets = new ArrayList<>();
        for (int b = 0; b <= numClasses; b++) {
            buckets.add(new ArrayList<>());
        }
        for (FileStatus status : listing) {
            String path = status.getPath().toString();
            int label = labeled ? labelOf(folders, classIndex, path) : -1;
            buckets.get(label + 1).add(FloorSubsets.position(seed, path));
        }
        return PreparedSets.toArrays(buckets);
    }

    long count() {
        return listing.size();
    }

    boolean labeled() {
        return labeled;
    }

    /** The first image in path order, decoded in the driver: its shape is checked before any task runs. */
    Uint8Image first(Configuration conf) throws IOException {
        Path path = listing.stream().map(FileStatus::getPath).min(java.util.Comparator.comparing(Path::toString))
                .orElseThrow();
        try (InputStream in = path.getFileSystem(conf).open(path)) {
            return decode(path.toString(), in.readAllBytes());
        }
    }

    /** Scores every image on the executors: features into the generated group (and the floor's same-size subset), predictions against the folder class. */
    EvaluationTally score(ScoringSetup setup, FloorSubsets floor) {
        ClassFolders folders = this.folders;
        Map<String, Integer> classIndex = this.classIndex;
        boolean labeled = this.labeled;
        return tree.pathsAndContents().javaRDD().mapPartitions((Iterator<Row> it) -> {
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
        Dataset<Row> chosen = tree.files().select("path", "content")
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
