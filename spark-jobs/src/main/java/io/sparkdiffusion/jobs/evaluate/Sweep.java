package io.sparkdiffusion.jobs.evaluate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigValueFactory;
import io.sparkdiffusion.config.ConfigError;
import io.sparkdiffusion.config.HadoopFiles;
import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.config.JobConfigLoader;
import io.sparkdiffusion.config.CommitProtocol;
import io.sparkdiffusion.config.Settings;
import io.sparkdiffusion.eval.EvaluationReport;
import io.sparkdiffusion.eval.SweepPoint;
import io.sparkdiffusion.eval.SweepTable;
import io.sparkdiffusion.jobs.SampleJob;
import io.sparkdiffusion.jobs.sample.CheckpointChoice;
import io.sparkdiffusion.jobs.session.SparkSessions;
import io.sparkdiffusion.lock.OutputLock;
import io.sparkdiffusion.sampling.Samplers;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Mode sweep: samples from one checkpoint at every point of a grid of sampler settings and guidance scales, scores
 * each point as mode evaluate does, and writes the table ({@code sweep.json}, {@code sweep.csv}) and its plot
 * ({@code sweep.png}) into {@code evaluate.output}. Every point keeps its images and scores in
 * {@code points/<name>/} and is recorded in its {@code point.json} once scored, so a killed sweep rerun with the
 * same settings scores only the points it had not finished (SampleJob itself resumes a half-made point).
 */
public final class Sweep {
    static final String POINTS = "points";
    static final String POINT_RECORD = "point.json";
    static final String SETTINGS_RECORD = "sweep-settings.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EvaluateSettings settings;
    private final SweepSettings sweep;
    private final Settings all;
    private final Instant started;
    private final Configuration hadoop = new Configuration();

    private Sweep(EvaluateSettings settings, SweepSettings sweep, Settings all, Instant started) {
        this.settings = settings;
        this.sweep = sweep;
        this.all = all;
        this.started = started;
    }

    public static void run(EvaluateSettings settings, SweepSettings sweep, Settings all, Instant started)
            throws Exception {
        new Sweep(settings, sweep, all, started).run();
    }

    private void run() throws Exception {
        // The checkpoint and the grid are checked before Spark starts: bad input costs no cluster time.
        CheckpointChoice checkpoint = CheckpointChoice.resolve(sweep.runDir(), sweep.checkpoint(), SweepSettings.ROOT,
                hadoop);
        int timesteps = checkpoint.info().schedule().timesteps();
        boolean conditional = checkpoint.spec().conditional();
        List<SweepPoint> points = sweep.points().stream().map(p -> p.withDdpmSteps(timesteps)).toList();
        for (SweepPoint point : points) {
            Samplers.checkSteps(SweepSettings.ROOT + ".samplers", point.sampler(), point.steps(), timesteps,
                    "the checkpoint's noise schedule");
            if (!conditional && point.guidance() != 1.0) {
                throw new ConfigError(SweepSettings.ROOT + ".guidance lists " + point.guidance() + ", but the checkpoint "
                        + checkpoint.dir() + " is unconditional, so guidance has no effect: use [1]");
            }
        }
        Path output = new Path(settings.output());
        FileSystem fs = output.getFileSystem(hadoop);
        output = fs.makeQualified(output);
        OutputLock.acquireForJob(output.toString(), "evaluate.output", hadoop);
        if (settings.overwrite() && fs.exists(output)) {
            fs.delete(output, true);
        }
        keepOnlyPointsOfTheseSettings(fs, new Path(output, SETTINGS_RECORD), checkpoint);
        List<SweepTable.Row> rows = new ArrayList<>();
        try (SparkSessions spark = SparkSessions.open("evaluate", settings.sparkMaster())) {
            for (SweepPoint point : points) {
                rows.add(score(point, new Path(output, POINTS + "/" + point.name()), checkpoint, conditional, fs));
                System.out.printf(Locale.ROOT, "evaluate: sweep point %d of %d (%s) scored%n", rows.size(),
                        points.size(), point.name());
            }
        }
        SweepTable table = new SweepTable(rows);
        CommitProtocol.replaceFile(fs, new Path(output, "sweep.json"), table.toJson());
        CommitProtocol.replaceFile(fs, new Path(output, "sweep.csv"), table.csv().getBytes(StandardCharsets.UTF_8));
        CommitProtocol.replaceFile(fs, new Path(output, "sweep.png"), table.png());
        System.out.print(table.markdown());
        System.out.println("evaluate: wrote " + new Path(output, "sweep.csv") + " and sweep.png");
    }

    /**
     * Records what every point of this output shares (checkpoint, images, seed, weights, reference, classifier) and
     * refuses to add points to an output whose kept points were made and scored otherwise: their rows would not
     * compare with the new ones.
     */
    private void keepOnlyPointsOfTheseSettings(FileSystem fs, Path record, CheckpointChoice checkpoint)
            throws IOException {
        Map<String, Object> shared = new LinkedHashMap<>();
        shared.put("checkpoint", checkpoint.dir().toString());
        shared.put("per-class", sweep.perClass());
        shared.put("seed", sweep.seed());
        shared.put("weights", sweep.weights());
        shared.put("reference", settings.reference() + " (" + settings.referenceSplit() + ")");
        shared.put("classifier", settings.classifier());
        shared.put("tstr-images", settings.tstrImages());
        byte[] json = JSON.writeValueAsBytes(shared);
        if (fs.exists(record)) {
            Map<?, ?> kept = JSON.readValue(HadoopFiles.readAll(fs, record), Map.class);
            if (!JSON.readValue(json, Map.class).equals(kept)) {
                throw new InputError("evaluate.output " + record.getParent() + " holds sweep points made with other "
                        + "settings (" + kept + "); set evaluate.overwrite = true or choose another output");
            }
            return;
        }
        CommitProtocol.replaceFile(fs, record, json);
    }

    private SweepTable.Row score(SweepPoint point, Path dir, CheckpointChoice checkpoint, boolean conditional,
                                 FileSystem fs) throws Exception {
        Path record = new Path(dir, POINT_RECORD);
        if (fs.exists(record)) {
            return SweepTable.Row.fromJson(HadoopFiles.readAll(fs, record));
        }
        Path samples = new Path(dir, "samples");
        boolean sampledBefore = CommitProtocol.isComplete(fs, samples); // by a run killed while scoring
        long begun = System.nanoTime();
        SampleJob.sample(sampleSettings(point, samples, checkpoint, conditional));
        // the time of this run's sampling: unknown if an earlier run made the images, low if it made some of them
        Double sampleSeconds = sampledBefore ? null : (System.nanoTime() - begun) / 1e9;
        Settings noReport = new Settings(all.config().withValue(EvaluateSettings.ROOT + ".report",
                ConfigValueFactory.fromAnyRef(false))); // the sweep's table has the point's scores
        EvaluationReport report = Evaluation.run(settings.scoring(samples.toString(), new Path(dir, "scores").toString()),
                noReport, started);
        SweepTable.Row row = SweepTable.Row.of(point, conditional, report, sampleSeconds);
        CommitProtocol.replaceFile(fs, record, row.toJson());
        return row;
    }

    /** SampleJob's settings for one point: its defaults, with the sweep's checkpoint, point, counts and seed. */
    private Settings sampleSettings(SweepPoint point, Path samples, CheckpointChoice checkpoint, boolean conditional) {
        List<String> sets = new ArrayList<>(List.of("sample.checkpoint=" + checkpoint.dir(), "sample.output=" + samples,
                "sample.sampler=" + point.sampler(), "sample.steps=" + point.steps(),
                "sample.guidance=" + point.guidance(), "sample.seed=" + sweep.seed(), "sample.weights=" + sweep.weights(),
                conditional ? "sample.per-class=" + sweep.perClass() : "sample.count=" + sweep.perClass()));
        settings.sparkMaster().ifPresent(master -> sets.add("sample.spark-master=" + master));
        return new Settings(JobConfigLoader.forJob("sample").load(Optional.empty(), sets));
    }
}
