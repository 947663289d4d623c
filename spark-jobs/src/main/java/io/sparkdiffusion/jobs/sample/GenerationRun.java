package io.sparkdiffusion.jobs.sample;

import io.sparkdiffusion.config.CommitProtocol;
import io.sparkdiffusion.generate.GeneratedImages;
import io.sparkdiffusion.generate.GenerationOutput;
import io.sparkdiffusion.generate.ImageShards;
import io.sparkdiffusion.generate.ModelBytes;
import io.sparkdiffusion.generate.OutputFormat;
import io.sparkdiffusion.generate.OutputLayout;
import io.sparkdiffusion.generate.ProgressLine;
import io.sparkdiffusion.generate.Recipe;
import io.sparkdiffusion.generate.ShardGroups;
import io.sparkdiffusion.jobs.report.GenerationReport;
import io.sparkdiffusion.report.ReportFiles;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * The driver's part of a generation job, once the output is begun: runs the units not done yet on the
 * executors (the model broadcast as bytes) with a progress line every few seconds, checks that every unit
 * and image is there, merges the units' shards into {@code shards/} (when the format has shards), writes
 * {@code samples.parquet} and {@code report.html}, then {@code _SUCCESS}.
 */
final class GenerationRun {
    private final SparkSession spark;
    private final GenerationSettings settings;
    private final GenerationOutput output;
    private final GeneratedImages records;
    private final int units;
    private final long images;
    private final OutputFormat format;

    /**
     * @param records what a shard records of each image
     * @param units   units in the whole run
     * @param images  images in the whole run
     */
    GenerationRun(SparkSession spark, GenerationSettings settings, GenerationOutput output, GeneratedImages records,
                  int units, long images) {
        this.spark = spark;
        this.settings = settings;
        this.output = output;
        this.records = records;
        this.units = units;
        this.images = images;
        this.format = settings.formatFor(images);
    }

    /**
     * @param pending  the units still to do (given those done) as Spark data
     * @param manifest the manifest rows of the whole run
     * @param report   the report to write before _SUCCESS, or null for none
     */
    void run(ModelBytes model, Recipe recipe, Function<BitSet, JavaRDD<PlannedUnit>> pending, JavaRDD<Row> manifest,
             GenerationReport report) throws IOException {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        String job = settings.root();
        BitSet done = output.doneUnits();
        int doneAtStart = done.cardinality();
        System.out.printf("%s: %d images in %d units, %d done by an earlier run%n", job, images, units, doneAtStart);
        if (doneAtStart < units) {
            Broadcast<ModelBytes> modelBytes = sc.broadcast(model);
            Broadcast<SerializableConfiguration> hadoop = sc.broadcast(new SerializableConfiguration(
                    sc.hadoopConfiguration()));
            ProgressLine progress = new ProgressLine(units, doneAtStart, images, settings.imagesPerUnit());
            ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, job + "-progress");
                t.setDaemon(true);
                return t;
            });
            reporter.scheduleAtFixedRate(() -> report(progress), settings.progressSeconds(),
                    settings.progressSeconds(), TimeUnit.SECONDS);
            long wall0 = System.nanoTime();
            long cpu0 = processCpuNanos();
            try {
                pending.apply(done).foreachPartition(new GenerateUnits(modelBytes, hadoop, recipe, output.layout(),
                        format, records));
            } finally {
                reporter.shutdownNow();
                modelBytes.destroy();
                hadoop.destroy();
            }
            report(progress);
            double wall = (System.nanoTime() - wall0) / 1e9;
            long made = Math.min(images, (long) (units - doneAtStart) * settings.imagesPerUnit());
            // with a local master the executors run in this JVM: then this is the whole job's CPU time
            System.out.printf(Locale.ROOT, "%s: units stage %.1f s for ~%d images (%.2f img/s); CPU time of the driver"
                    + " JVM %.1f s%n", job, wall, made, made / wall, (processCpuNanos() - cpu0) / 1e9);
        }
        BitSet after = output.doneUnits();
        if (after.cardinality() != units || after.length() != units) {
            throw new IOException((units - after.cardinality()) + " of " + units + " units are missing after the run"
                    + " (first: " + after.nextClearBit(0) + "); rerun with the same settings to make them");
        }
        if (format.writesPngs()) {
            long found = output.countPngs();
            if (found != images) {
                throw new IOException(output.layout().path(OutputLayout.IMAGES) + " holds " + found + " PNG files, the"
                        + " plan " + images + "; files were removed or added by hand: start over with "
                        + settings.key("overwrite") + "=true");
            }
        }
        if (format.writesShards()) {
            mergeShards(sc);
        }
        Path staged = output.staging(OutputLayout.MANIFEST);
        spark.createDataFrame(manifest, ManifestRows.SCHEMA).coalesce(1).write().parquet(staged.toString());
        output.commit(staged, OutputLayout.MANIFEST);
        if (report != null) { // a part of the output like samples.parquet, so a rerun after a kill writes it again
            ReportFiles.writeOrWarn(job, output.layout().path(ReportFiles.FILE), () -> {
                Path page = output.staging(ReportFiles.FILE);
                CommitProtocol.write(output.fileSystem(), page, report.html(spark, output, images));
                output.commit(page, ReportFiles.FILE);
            });
        }
        output.finish();
        System.out.printf("%s: %d images in %s%n", job, images, output.layout().output());
    }

    /**
     * Merges the units' small shards, in unit order, into shards of about {@code shard-mb} each (one Spark task per
     * shard, which counts the rows it copies), staged and then put in place as a whole: a kill leaves the units'
     * shards, and the rerun merges again.
     */
    private void mergeShards(JavaSparkContext sc) throws IOException {
        List<List<String>> groups = new ArrayList<>();
        for (List<Integer> group : ShardGroups.consecutive(output.unitShardSizes(units), settings.shardBytes())) {
            groups.add(group.stream().map(unit -> output.layout().unitShard(unit).toString()).toList());
        }
        String staged = output.staging(OutputLayout.SHARDS).toString();
        Broadcast<SerializableConfiguration> hadoop = sc.broadcast(
                new SerializableConfiguration(sc.hadoopConfiguration()));
        long rows;
        try {
            rows = sc.parallelize(IntStream.range(0, groups.size()).boxed().toList(), groups.size())
                    .map(k -> ImageShards.concatenate(hadoop.value().value(), groups.get(k).stream().map(Path::new)
                            .toList(), new Path(staged, OutputLayout.shardName(k))))
                    .reduce(Long::sum);
        } finally {
            hadoop.destroy();
        }
        if (rows != images) {
            throw new IOException("the units' shards hold " + rows + " images, the plan " + images + "; files were"
                    + " changed by hand: start over with " + settings.key("overwrite") + "=true");
        }
        output.commit(new Path(staged), OutputLayout.SHARDS);
        System.out.printf("%s: %d images in %d Parquet shards in %s%n", settings.root(), images, groups.size(),
                output.layout().path(OutputLayout.SHARDS));
    }

    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    private void report(ProgressLine progress) {
        try {
            System.out.println(settings.root() + ": " + progress.line(output.doneUnits().cardinality()));
        } catch (IOException | RuntimeException e) {
            System.out.println(settings.root() + ": (progress unavailable: " + e.getMessage() + ")");
        }
    }
}
