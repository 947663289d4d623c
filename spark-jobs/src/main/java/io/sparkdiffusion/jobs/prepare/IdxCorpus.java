package io.sparkdiffusion.jobs.prepare;

import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;

import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.data.IdxImageStream;
import io.sparkdiffusion.data.IdxReader;
import io.sparkdiffusion.image.ImagePreparer;
import io.sparkdiffusion.image.PrepareOptions;
import io.sparkdiffusion.image.Uint8Image;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

/**
 * An MNIST-style idx image file and its labels. A (possibly gzip) idx file cannot be split, so one task
 * streams its records (never the whole file in memory); they are then spread over all executors for the
 * resizing. The labels file (one byte per image) is read on the driver: 60,000 labels are 60 KB.
 * An image's source is {@code <images file URI>#<index>}.
 */
public final class IdxCorpus {
    private final SparkSession spark;
    private final Path images;
    private final int[] labels;
    private final List<String> classNames;
    private final PrepareSettings settings;
    private final int count;
    private final int rows;
    private final int cols;

    public IdxCorpus(SparkSession spark, Path images, PrepareSettings settings) throws IOException {
        this.spark = spark;
        this.images = images;
        this.settings = settings;
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        FileSystem fs = images.getFileSystem(conf);
        if (!fs.isFile(images)) {
            throw new InputError("layout idx needs an idx image file as input, " + images + " is a directory");
        }
        try (InputStream in = fs.open(images)) {
            IdxImageStream header = new IdxImageStream(in);
            this.count = header.count();
            this.rows = header.rows();
            this.cols = header.cols();
        } catch (IOException e) {
            throw new InputError("cannot read " + images + ": " + e.getMessage(), e);
        }
        long pixels = (long) rows * cols;
        if (pixels > settings.image().maxPixels()) { // all records share the shape: every one would be a reject
            throw new InputError("the idx images of " + images + " are " + rows + "x" + cols + " = " + pixels
                    + " pixels, over prepare.max-pixels = " + settings.image().maxPixels());
        }
        this.labels = readLabels(labelsPath(images, settings.labels()), conf);
        if (labels != null && labels.length != count) {
            throw new InputError("the idx labels file has " + labels.length + " labels for " + count + " images");
        }
        this.classNames = labels == null ? List.of() : classNames(labels, settings.classNames());
    }

    public int count() {
        return count;
    }

    public List<String> classNames() {
        return classNames;
    }

    public Dataset<Row> decode() {
        String uri = images.toString();
        int[] labelValues = labels;
        PrepareOptions options = settings.image();
        double fraction = settings.validationFraction();
        int parallelism = spark.sparkContext().defaultParallelism();
        int h = rows;
        int w = cols;
        // Records travel as (index, raw bytes): the shuffle needs serializable values.
        JavaRDD<Tuple2<Integer, byte[]>> records = JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(List.of(uri), 1)
                .flatMap(IdxCorpus::stream);
        JavaRDD<Row> decoded = records.repartition(Math.max(1, parallelism))
                .mapPartitions(prepareRecords(uri, labelValues, h, w, options, fraction));
        return spark.createDataFrame(decoded, PreparedRows.DECODED);
    }

    // Static, so that the function Spark ships to executors captures only what it names (not this corpus).
    private static FlatMapFunction<Iterator<Tuple2<Integer, byte[]>>, Row> prepareRecords(
            String uri, int[] labels, int height, int width, PrepareOptions options, double fraction) {
        return part -> {
            ImagePreparer preparer = new ImagePreparer(options);
            return new Iterator<Row>() {
                @Override
                public boolean hasNext() {
                    return part.hasNext();
                }

                @Override
                public Row next() {
                    Tuple2<Integer, byte[]> record = part.next();
                    int label = labels == null ? -1 : labels[record._1()];
                    return PreparedRows.decoded(uri + "#" + record._1(), label,
                            preparer.prepare(new Uint8Image(1, height, width, record._2())), fraction);
                }
            };
        };
    }

    /** The records of one idx file, read lazily as Spark pulls them. */
    private static Iterator<Tuple2<Integer, byte[]>> stream(String uri) throws IOException {
        Path path = new Path(uri);
        InputStream in = path.getFileSystem(new Configuration()).open(path);
        IdxImageStream idx = new IdxImageStream(in);
        return new Iterator<>() {
            private int index;

            @Override
            public boolean hasNext() {
                boolean more = idx.hasNext();
                if (!more) {
                    try {
                        in.close();
                    } catch (IOException ignored) {
                        // read to the end already; nothing to lose
                    }
                }
                return more;
            }

            @Override
            public Tuple2<Integer, byte[]> next() {
                try {
                    return new Tuple2<>(index++, idx.next().pixels());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
    }

    private static Path labelsPath(Path images, String labels) {
        if (labels.equalsIgnoreCase("none")) {
            return null;
        }
        if (!labels.isEmpty()) {
            return new Path(labels);
        }
        String name = images.getName();
        return name.contains("images-idx3") ? new Path(images.getParent(), name.replace("images-idx3", "labels-idx1")) : null;
    }

    private static int[] readLabels(Path path, Configuration conf) {
        if (path == null) {
            return null;
        }
        try {
            FileSystem fs = path.getFileSystem(conf);
            if (!fs.exists(path)) {
                throw new InputError("idx labels file not found: " + path + " (set prepare.labels, or \"none\" for unlabeled)");
            }
            try (InputStream in = fs.open(path)) {
                return IdxReader.readLabels(in);
            }
        } catch (IOException e) {
            throw new InputError("cannot read idx labels " + path + ": " + e.getMessage(), e);
        }
    }

    private static List<String> classNames(int[] labels, List<String> configured) {
        int classes = IntStream.of(labels).max().orElse(-1) + 1;
        if (configured.isEmpty()) {
            return IntStream.range(0, classes).mapToObj(Integer::toString).toList();
        }
        if (configured.size() < classes) {
            throw new InputError("prepare.class-names has " + configured.size() + " names but the labels go up to "
                    + (classes - 1));
        }
        return List.copyOf(configured);
    }
}
