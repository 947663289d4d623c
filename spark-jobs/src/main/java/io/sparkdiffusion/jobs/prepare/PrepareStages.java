package io.sparkdiffusion.jobs.prepare;

import static io.sparkdiffusion.jobs.prepare.PreparedRows.CONTENT_HASH;
import static io.sparkdiffusion.jobs.prepare.PreparedRows.ID;
import static io.sparkdiffusion.jobs.prepare.PreparedRows.LABEL;
import static io.sparkdiffusion.jobs.prepare.PreparedRows.PIXELS;
import static io.sparkdiffusion.jobs.prepare.PreparedRows.REASON;
import static io.sparkdiffusion.jobs.prepare.PreparedRows.SOURCE;
import static io.sparkdiffusion.jobs.prepare.PreparedRows.SPLIT;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.data.PreparedManifest;
import io.sparkdiffusion.jobs.glue.StagedOutput;
import io.sparkdiffusion.jobs.prepare.PrepareSettings.Layout;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PrepareJob's stages, all on the executors; the driver only sees counts, class names and one aggregate.
 * <ol>
 *   <li>decode every file (or idx record) once and write the result to {@code decoded/} in the staging
 *       directory, so that nothing is decoded twice;</li>
 *   <li>count files and rejects, and stop early when too many are bad;</li>
 *   <li>write {@code rejects/} and {@code duplicates/} (JSON lines, sorted by source), drop duplicates (the
 *       lexicographically first source of each content hash is kept) and write {@code shards/}, whose rows
 *       are spread by content hash and ordered by (content hash, source) within a shard;</li>
 *   <li>read the shards back to aggregate statistics and counts for {@code manifest.json}.</li>
 * </ol>
 */
public final class PrepareStages {
    private static final String RANK = "rank";
    private static final String DUPLICATE_OF = "duplicate_of";
    // Our own _SUCCESS marks the whole output; none inside shards/, rejects/, duplicates/.
    private static final String NO_NESTED_SUCCESS = "mapreduce.fileoutputcommitter.marksuccessfuljobs";

    private static final Logger LOG = LoggerFactory.getLogger(PrepareStages.class);

    // Ids, sources, hashes and pixels are (nearly) all distinct: Parquet's dictionary attempt only costs time.
    private static final Map<String, String> NO_DICTIONARY = Map.of(
            "parquet.enable.dictionary#" + ID, "false", "parquet.enable.dictionary#" + SOURCE, "false",
            "parquet.enable.dictionary#" + PIXELS, "false", "parquet.enable.dictionary#" + CONTENT_HASH, "false");

    private final SparkSession spark;
    private final PrepareSettings settings;
    private final Path input;
    private final StagedOutput out;

    public PrepareStages(SparkSession spark, PrepareSettings settings, Path input, StagedOutput out) {
        this.spark = spark;
        this.settings = settings;
        this.input = input;
        this.out = out;
    }

    public PreparedManifest run() throws IOException {
        long start = System.nanoTime();
        List<String> classNames;
        Dataset<Row> decoded;
        if (settings.layout() == Layout.IDX) {
            IdxCorpus idx = new IdxCorpus(spark, input, settings);
            if (idx.count() == 0) {
                throw new InputError("the idx file " + input + " holds no images");
            }
            classNames = idx.classNames();
            decoded = idx.decode();
        } else {
            TreeCorpus tree = new TreeCorpus(spark, input, settings);
            if (tree.isEmpty()) {
                throw new InputError("no files matching prepare.glob " + settings.glob() + " under " + input);
            }
            classNames = tree.classNames();
            decoded = tree.decode(classNames);
        }
        LOG.info("listed the input and found {} classes in {} s", classNames.size(), seconds(start));
        Path decodedPath = out.path("decoded");
        decoded.write().option(NO_NESTED_SUCCESS, "false").options(NO_DICTIONARY).parquet(decodedPath.toString());
        Dataset<Row> all = spark.read().parquet(decodedPath.toString());

        Row counts = all.agg(count(lit(1)), sum(when(col(REASON).isNotNull(), 1).otherwise(0))).first();
        long files = counts.getLong(0);
        long rejected = counts.isNullAt(1) ? 0 : counts.getLong(1);
        LOG.info("decoded {} files or idx records ({} rejected) in {} s", files, rejected, seconds(start));
        checkRejects(all, files, rejected);

        writeSorted(all.filter(col(REASON).isNotNull()).select(SOURCE, REASON), "rejects");
        long kept = files - rejected;
        int shardCount = (int) Math.max(1, (kept + settings.rowsPerShard() - 1) / settings.rowsPerShard());
        // One shuffle: rows are hash-partitioned by content into the shards, so the window that finds the
        // duplicates (same content hash, the first source kept) needs no second shuffle or sort.
        WindowSpec sameContent = Window.partitionBy(CONTENT_HASH).orderBy(SOURCE);
        Dataset<Row> ranked = all.filter(col(REASON).isNull())
                .repartition(shardCount, col(CONTENT_HASH))
                .withColumn(RANK, row_number().over(sameContent))
                .withColumn(DUPLICATE_OF, first(SOURCE).over(sameContent));
        writeSorted(ranked.filter(col(RANK).gt(1)).select(SOURCE, DUPLICATE_OF), "duplicates");
        ranked.filter(col(RANK).equalTo(1))
                .select(Arrays.stream(PreparedRows.SHARD_COLUMNS).map(Column::new).toArray(Column[]::new))
                .write().option(NO_NESTED_SUCCESS, "false").options(NO_DICTIONARY)
                .parquet(out.path("shards").toString());

        LOG.info("wrote rejects, duplicates and shards after {} s", seconds(start));
        ShardSummary summary = summarize(classNames.size());
        LOG.info("summarized the shards after {} s", seconds(start));
        out.fileSystem().delete(decodedPath, true);
        PreparedManifest manifest = manifest(classNames, summary, files, rejected, kept - summary.images());
        out.writeFile("manifest.json", manifest.toJson());
        return manifest;
    }

    private static String seconds(long startNanos) {
        return String.format("%.1f", (System.nanoTime() - startNanos) / 1e9);
    }

    private void checkRejects(Dataset<Row> all, long files, long rejected) {
        if (rejected == 0) {
            return;
        }
        boolean tooMany = rejected > settings.maxRejectFraction() * files;
        if (!tooMany && rejected < files) {
            return;
        }
        Row example = all.filter(col(REASON).isNotNull()).select(SOURCE, REASON).orderBy(SOURCE).first();
        String what = rejected == files ? "none of the " + files + " input files is a usable image"
                : String.format("%d of %d input files (%.1f%%) could not be used, more than prepare.max-reject-fraction = %s",
                rejected, files, 100.0 * rejected / files, settings.maxRejectFraction());
        throw new InputError(what + "; e.g. " + example.getString(0) + ": " + example.getString(1));
    }

    private void writeSorted(Dataset<Row> rows, String child) {
        rows.repartition(1).sortWithinPartitions(SOURCE)
                .write().option(NO_NESTED_SUCCESS, "false").json(out.path(child).toString());
    }

    private ShardSummary summarize(int classes) {
        int channels = settings.image().channels();
        Function2<ShardSummary, Row, ShardSummary> add = (s, row) -> s.add(row.getInt(0), row.getString(1), (byte[]) row.get(2));
        return spark.read().parquet(out.path("shards").toString()).select(LABEL, SPLIT, PIXELS).javaRDD()
                .treeAggregate(new ShardSummary(channels, classes), add, ShardSummary::merge);
    }

    private PreparedManifest manifest(List<String> classNames, ShardSummary summary, long files, long rejected,
                                      long duplicates) throws IOException {
        Map<String, Long> perClass = new LinkedHashMap<>();
        long[] counts = summary.perClass();
        for (int i = 0; i < classNames.size(); i++) {
            perClass.put(classNames.get(i), counts[i]);
        }
        int shardFiles = 0;
        for (FileStatus f : out.fileSystem().listStatus(out.path("shards"))) {
            shardFiles += f.getPath().getName().endsWith(".parquet") ? 1 : 0;
        }
        return new PreparedManifest(PreparedManifest.FORMAT_VERSION, Instant.now().toString(), input.toString(),
                settings.layout().configName(), settings.image().shape(), classNames, perClass, summary.images(), files,
                rejected, duplicates,
                new PreparedManifest.Split(settings.validationFraction(), PreparedManifest.Split.METHOD, summary.train(),
                        summary.validation()),
                new PreparedManifest.Statistics(PreparedManifest.Statistics.SCALE, summary.pixels().mean(),
                        summary.pixels().std()),
                new PreparedManifest.Shards("shards", shardFiles, settings.rowsPerShard()), settings.parameters());
    }
}
