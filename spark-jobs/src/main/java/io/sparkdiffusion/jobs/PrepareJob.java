package io.sparkdiffusion.jobs;

import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import io.sparkdiffusion.cli.JobRunner;
import io.sparkdiffusion.config.CommitProtocol;
import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.config.Settings;
import io.sparkdiffusion.data.PreparedManifest;
import io.sparkdiffusion.jobs.session.SparkSessions;
import io.sparkdiffusion.jobs.io.StagedOutput;
import io.sparkdiffusion.lock.OutputLock;
import io.sparkdiffusion.jobs.prepare.IncrementalPrepare;
import io.sparkdiffusion.jobs.prepare.PrepareSettings;
import io.sparkdiffusion.jobs.prepare.PrepareStages;
import io.sparkdiffusion.jobs.prepare.StageClock;
import io.sparkdiffusion.jobs.report.PrepareReport;
import io.sparkdiffusion.report.ReportFiles;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes, resizes and shards an image corpus into {@code <output>/shards/part-*.parquet} with
 * {@code manifest.json}, {@code rejects/}, {@code duplicates/} and {@code _SUCCESS} (formats:
 * {@link PreparedManifest}); with {@code prepare.mode = incremental}, only the files not seen before, into a new
 * version of the output ({@link IncrementalPrepare}).
 *
 * <pre>spark-submit --class io.sparkdiffusion.jobs.PrepareJob JAR --config conf/prepare.conf [--set prepare.key=value ...]</pre>
 */
public final class PrepareJob {
    static final String USAGE = "PrepareJob [--config FILE] [--set prepare.key=value ...]";
    private static final Logger LOG = LoggerFactory.getLogger(PrepareJob.class);
    /**
     * On a local master only (a {@code -Dspark.key=value} wins): no web UI (a Jetty server to start and a listener fed
     * every task's events) for a run that lasts seconds; no session cache of file listings (it would keep all of the
     * corpus's statuses, ~40 MB for 70,000 files, in the heap that the executors share in local mode, for a listing
     * made once); an uncompressed shuffle: in one JVM it never crosses a network, and lz4 over the decoded rows was
     * ~10 % of the job's CPU time in its steady state (bench/README.md), for a local disk's ~1 KB per 28×28 image;
     * and no block locations in the listing (one host has them all: Spark would ask for them file by file on the
     * driver).
     */
    private static final Map<String, String> LOCAL_DEFAULTS = Map.of("spark.ui.enabled", "false",
            "spark.sql.hive.filesourcePartitionFileCacheSize", "0",
            "spark.shuffle.compress", "false", "spark.sql.sources.ignoreDataLocality", "true");

    private PrepareJob() {
    }

    /** The Spark settings PrepareJob applies on a local master where they are not set (WarmPrepareBenchmark makes its session with them). */
    static Map<String, String> localDefaults() {
        return LOCAL_DEFAULTS;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the job and returns its exit code: 0 done, 2 bad usage/config/input (one line on stderr), 1 failure. */
    public static int run(String... args) {
        return JobRunner.run("prepare", USAGE, args, PrepareJob::prepare);
    }

    static void prepare(Settings all) throws IOException {
        Instant started = Instant.now();
        PrepareSettings settings = PrepareSettings.from(all);
        boolean report = all.getBoolean("prepare.report");
        // Checked before Spark starts: a wrong path costs no cluster time and writes nothing.
        Configuration conf = new Configuration();
        Path input = new Path(settings.input());
        FileSystem inputFs = input.getFileSystem(conf);
        if (!inputFs.exists(input)) {
            throw new InputError("input " + settings.input() + " does not exist (prepare.input)");
        }
        input = inputFs.makeQualified(input);
        OutputLock.acquireForJob(settings.output(), "prepare.output", conf); // overwrite=true must not hit a running job
        if (settings.mode() == PrepareSettings.Mode.INCREMENTAL) {
            prepareIncrementally(settings, input, conf, report ? all : null, started);
            return;
        }
        StagedOutput out = StagedOutput.prepare(new Path(settings.output()), settings.overwrite(), "prepare.output", conf);
        try (SparkSessions spark = SparkSessions.open("prepare", settings.sparkMaster(), LOCAL_DEFAULTS)) {
            StageClock clock = new StageClock();
            try {
                PreparedManifest manifest = new PrepareStages(spark.session(), settings, input, out, clock).run();
                if (report) { // staged with the data, so committed with it
                    ReportFiles.writeOrWarn("prepare", out.output(), () -> out.writeFile(ReportFiles.FILE,
                            PrepareReport.html(manifest, all, spark.session(), started, out.fileSystem(), out.staging(),
                                    out.output())));
                }
                out.commit();
                LOG.info("committed the output (_SUCCESS written) after {}", clock);
                System.out.printf("prepare: %d images (%d rejected, %d duplicates) of shape %s in %s%n",
                        manifest.images(), manifest.rejected(), manifest.duplicates(), manifest.shape(), out.output());
            } catch (Exception | Error e) {
                out.abandon();
                throw e;
            }
        }
    }

    /** A new output's version 1, or the next version of an existing incremental output ({@link IncrementalPrepare}). */
    private static void prepareIncrementally(PrepareSettings settings, Path input, Configuration conf,
                                             Settings reportSettings, Instant started) throws IOException {
        Path given = CommitProtocol.belowRoot(new Path(settings.output()));
        Path output = given.getFileSystem(conf).makeQualified(given);
        Optional<PreparedManifest> previous = IncrementalPrepare.current(output, settings, input, conf);
        StagedOutput out = previous.isEmpty()
                ? StagedOutput.prepare(output, false, "prepare.output", conf)
                : StagedOutput.prepare(new Path(output, IncrementalPrepare.versionDir(previous.get().version() + 1)),
                false, "prepare.output", conf);
        try (SparkSessions spark = SparkSessions.open("prepare", settings.sparkMaster(), LOCAL_DEFAULTS)) {
            StageClock clock = new StageClock();
            IncrementalPrepare.Outcome outcome;
            try {
                outcome = new IncrementalPrepare(spark.session(), settings, input, clock)
                        .run(previous.orElse(null), output, out);
            } catch (Exception | Error e) {
                out.abandon();
                throw e;
            }
            System.out.println(outcome.line());
            PreparedManifest current = outcome.committed();
            if (reportSettings != null && current != null) { // the page of the newest version, over the one before
                Path report = new Path(output, ReportFiles.FILE);
                FileSystem fs = out.fileSystem();
                ReportFiles.writeOrWarn("prepare", output, () -> CommitProtocol.replaceFile(fs, report,
                        PrepareReport.html(current, reportSettings, spark.session(), started, fs, output, output)));
            }
        }
    }
}
