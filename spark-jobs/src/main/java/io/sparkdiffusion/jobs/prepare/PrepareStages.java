package io.sparkdiffusion.jobs.prepare;

import static io.sparkdiffusion.data.PreparedColumns.DUPLICATE_OF;
import static io.sparkdiffusion.data.PreparedColumns.ID;
import static io.sparkdiffusion.data.PreparedColumns.PIXELS;
import static io.sparkdiffusion.data.PreparedColumns.REASON;
import static io.sparkdiffusion.data.PreparedColumns.SOURCE;
import static io.sparkdiffusion.data.PreparedManifest.DUPLICATES;
import static io.sparkdiffusion.data.PreparedManifest.REJECTS;
import static io.sparkdiffusion.data.PreparedManifest.SHARDS;
import static io.sparkdiffusion.jobs.prepare.PreparedRows.CONTENT_HASH;
import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.data.PreparedManifest;
import io.sparkdiffusion.jobs.io.StagedOutput;
import io.sparkdiffusion.jobs.prepare.PrepareSettings.Layout;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PrepareJob's stages, all on the executors; the driver only sees counts, class names and one aggregate.
 * <ol>
 *   <li>decode every file (or idx record) once, straight into one shuffle that spreads the rows by content
 *       hash over the shards and sorts each shard by (content hash, source), so that copies of one content
 *       are neighbours;</li>
 *   <li>write {@code shards/}: of each content the first source is kept (deterministic); the same pass
 *       counts files, rejects and duplicates and aggregates the manifest's statistics (an accumulator that
 *       Spark merges once per task);</li>
 *   <li>fail when too many files were rejected (the staging directory, shards and all, is then deleted);</li>
 *   <li>write {@code rejects/} and {@code duplicates/} (JSON lines, sorted by source) from the same shuffle
 *       output, without decoding again; and {@code manifest.json}.</li>
 * </ol>
 */
public final class PrepareStages {
    // Our own _SUCCESS marks the whole output; none inside shards/, rejects/, duplicates/.
    private static final String NO_NESTED_SUCCESS = "mapreduce.fileoutputcommitter.marksuccessfuljobs";

    private static final Logger LOG = LoggerFactory.getLogger(PrepareStages.class);

    // Ids, sources and pixels are (nearly) all distinct: Parquet's dictionary attempt only costs time.
    private static final Map<String, String> NO_DICTIONARY = Map.of(
            "parquet.enable.dictionary#" + ID, "false", "parquet.enable.dictionary#" + SOURCE, "false",
            "parquet.enable.dictionary#" + PIXELS, "false");

    private static final StructType REJECT_ROWS = new StructType()
            .add(SOURCE, DataTypes.StringType, false).add(REASON, DataTypes.StringType, false);
    private static final StructType DUPLICATE_ROWS = new StructType()
            .add(SOURCE, DataTypes.StringType, false).add(DUPLICATE_OF, DataTypes.StringType, false);

    private final SparkSession spark;
    private final PrepareSettings settings;
    private final Path input;
    private final StagedOutput out;
    private final StageClock clock;

    /** {@code clock} started when the session was ready: the progress log gives the time since then. */
    public PrepareStages(SparkSession spark, PrepareSettings settings, Path input, StagedOutput out, StageClock clock) {
        this.spark = spark;
        this.settings = settings;
        this.input = input;
        this.out = out;
        this.clock = clock;
    }

    public PreparedManifest run() throws IOException {
        List<String> classNames;
        Dataset<Row> decoded;
        long inputs;
        List<String> skippedFolders = null; // idx: one file, no folders
        if (settings.layout() == Layout.IDX) {
            IdxCorpus idx = new IdxCorpus(spark, input, settings);
            if (idx.count() == 0) {
                throw new InputError("the idx file " + input + " holds no images");
            }
            classNames = idx.classNames();
            decoded = idx.decode();
            inputs = idx.count();
        } else if (settings.layout() == Layout.GENERATED) {
            GeneratedCorpus generated = new GeneratedCorpus(spark, input);
            inputs = generated.count();
            if (inputs == 0) {
                throw new InputError("the shards of " + input + " hold no images");
            }
            classNames = generated.classNames(settings.classNames());
            decoded = generated.decode(classNames, settings.image(), settings.validationFraction());
        } else {
            TreeCorpus tree = new TreeCorpus(spark, input, settings);
            if (tree.files() == 0) {
                throw new InputError("no files matching prepare.glob " + settings.glob() + " under " + input);
            }
            classNames = tree.classNames();
            decoded = tree.decode(classNames);
            inputs = tree.files();
            skippedFolders = TreeCorpus.skippedFolders(input.getFileSystem(spark.sparkContext().hadoopConfiguration()),
                    input);
            if (!skippedFolders.isEmpty()) {
                LOG.warn("skipped {} folders under {} whose names start with _ or . (Spark reads them as hidden): {}",
                        skippedFolders.size(), input, skippedFolders);
            }
        }
        LOG.info("listed {} files or idx records in {} classes after {}", inputs, classNames.size(), clock);
        PrepareCounts tally = write(decoded, inputs, classNames, EarlierContents.NONE, false, 0, 0).tally();
        PreparedManifest manifest = manifest(classNames, tally, skippedFolders);
        out.writeFile(PreparedManifest.FILE_NAME, manifest.toJson());
        LOG.info("wrote rejects, duplicates and the manifest after {}", clock);
        return manifest;
    }

    /**
     * What {@link #write} wrote: the tally of the files decoded and, when asked for, one
     * {@link FileIndex#OUTCOMES} row per file (on the driver).
     */
    public record Written(PrepareCounts tally, List<Row> outcomes) {
    }

    /**
     * Stages 1–4 but the manifest: decodes {@code decoded} ({@code inputs} files or records) once, writes
     * {@code shards/}, checks the rejects, writes {@code rejects/} and {@code duplicates/}. {@code earlier} names
     * the contents an incremental output already holds (its copies are duplicates); {@code outcomes} also collects
     * what became of every file, for an incremental output's file index. The reject check counts the
     * {@code filesBefore} files, {@code rejectedBefore} of them rejected, that an incremental output keeps from earlier
     * versions too: a version fails when a full prepare of the same tree would.
     */
    public Written write(Dataset<Row> decoded, long inputs, List<String> classNames, EarlierContents earlier,
                         boolean outcomes, long filesBefore, long rejectedBefore) throws IOException {
        // Sized by the inputs (the kept count is not known before decoding): rejects only make shards smaller.
        int shardCount = (int) Math.max(1, (inputs + settings.rowsPerShard() - 1) / settings.rowsPerShard());
        // The one shuffle. Every later job on this RDD reads its output again; none decodes again.
        JavaRDD<Row> grouped = decoded.repartition(shardCount, col(CONTENT_HASH))
                .sortWithinPartitions(CONTENT_HASH, SOURCE).javaRDD();
        PrepareCountsAccumulator accumulator = new PrepareCountsAccumulator(settings.image().channels(), classNames.size());
        spark.sparkContext().register(accumulator, "prepare tally");
        spark.createDataFrame(grouped.mapPartitions(ContentGroups.keptRows(accumulator, settings.image().channels(),
                        classNames.size(), earlier)), PreparedRows.SHARD)
                .write().option(NO_NESTED_SUCCESS, "false").options(NO_DICTIONARY)
                .parquet(out.path(SHARDS).toString());
        PrepareCounts tally = accumulator.value();
        LOG.info("decoded {} files or idx records ({} rejected, {} duplicates) and wrote the shards after {}",
                tally.files(), tally.rejected(), tally.duplicates(), clock);
        checkRejects(tally, filesBefore, rejectedBefore);

        if (tally.rejected() > 0) {
            JavaRDD<Row> rejects = grouped.filter(row -> row.getAs(REASON) != null)
                    .map(row -> RowFactory.create(row.getAs(SOURCE), row.getAs(REASON)));
            writeSorted(spark.createDataFrame(rejects, REJECT_ROWS), REJECTS);
        } else {
            writeEmpty(REJECTS);
        }
        if (tally.duplicates() > 0) {
            writeSorted(spark.createDataFrame(grouped.mapPartitions(ContentGroups.duplicates(earlier)), DUPLICATE_ROWS),
                    DUPLICATES);
        } else {
            writeEmpty(DUPLICATES);
        }
        List<Row> fileOutcomes = outcomes
                ? grouped.mapPartitions(ContentGroups.outcomes(settings.image().channels(), earlier)).collect()
                : List.of();
        return new Written(tally, fileOutcomes);
    }

    private void checkRejects(PrepareCounts tally, long filesBefore, long rejectedBefore) {
        long rejected = tally.rejected() + rejectedBefore;
        long files = tally.files() + filesBefore;
        if (tally.rejected() == 0) {
            return;
        }
        boolean tooMany = rejected > settings.maxRejectFraction() * files;
        if (!tooMany && rejected < files) {
            return;
        }
        String what = rejected == files ? "none of the " + files + " input files is a usable image"
                : String.format("%d of %d input files (%.1f%%) could not be used, more than prepare.max-reject-fraction = %s",
                rejected, files, 100.0 * rejected / files, settings.maxRejectFraction());
        throw new InputError(what + "; e.g. " + tally.firstRejectSource() + ": " + tally.firstRejectReason());
    }

    /** One JSON-lines file, sorted by source (rejects and duplicates are few: one task writes them). */
    private void writeSorted(Dataset<Row> rows, String child) {
        rows.repartition(1).sortWithinPartitions(SOURCE)
                .write().option(NO_NESTED_SUCCESS, "false").json(out.path(child).toString());
    }

    /** The same directory with one empty JSON-lines file, without a Spark job. */
    private void writeEmpty(String child) throws IOException {
        out.writeFile(child + "/part-00000.json", new byte[0]);
    }

    /** The number of Parquet files written to {@code shards/}. */
    public int shardFiles() throws IOException {
        int shardFiles = 0;
        for (FileStatus f : out.fileSystem().listStatus(out.path(SHARDS))) {
            shardFiles += f.getPath().getName().endsWith(".parquet") ? 1 : 0;
        }
        return shardFiles;
    }

    private PreparedManifest manifest(List<String> classNames, PrepareCounts tally, List<String> skippedFolders)
            throws IOException {
        ShardSummary summary = tally.kept();
        Map<String, Long> perClass = new LinkedHashMap<>();
        long[] counts = summary.perClass();
        for (int i = 0; i < classNames.size(); i++) {
            perClass.put(classNames.get(i), counts[i]);
        }
        int shardFiles = shardFiles();
        return new PreparedManifest(PreparedManifest.FORMAT_VERSION, Instant.now().toString(), input.toString(),
                settings.layout().configName(), settings.image().shape(), classNames, perClass, summary.images(),
                tally.files(), tally.rejected(), tally.duplicates(), skippedFolders,
                new PreparedManifest.Split(settings.validationFraction(), PreparedManifest.Split.METHOD, summary.train(),
                        summary.validation()),
                new PreparedManifest.Statistics(PreparedManifest.Statistics.SCALE, summary.pixels().mean(),
                        summary.pixels().std()),
                new PreparedManifest.Shards(SHARDS, shardFiles, settings.rowsPerShard()), settings.parameters(), null);
    }
}
