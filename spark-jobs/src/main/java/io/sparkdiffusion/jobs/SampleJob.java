package io.sparkdiffusion.jobs;

import io.sparkdiffusion.cli.JobRunner;
import io.sparkdiffusion.config.Settings;
import io.sparkdiffusion.generate.FolderNames;
import io.sparkdiffusion.generate.GenerationOutput;
import io.sparkdiffusion.generate.ModelBytes;
import io.sparkdiffusion.generate.Recipe;
import io.sparkdiffusion.generate.SamplePlan;
import io.sparkdiffusion.image.ImageShape;
import io.sparkdiffusion.jobs.session.SparkSessions;
import io.sparkdiffusion.jobs.report.GenerationReport;
import io.sparkdiffusion.jobs.sample.CheckpointChoice;
import io.sparkdiffusion.jobs.sample.SharedPlanFields;
import io.sparkdiffusion.jobs.sample.GenerationSettings;
import io.sparkdiffusion.jobs.sample.SampleCounts;
import io.sparkdiffusion.jobs.sample.SampleUnits;
import io.sparkdiffusion.lock.OutputLock;
import io.sparkdiffusion.runtime.NativeRuntime;
import org.apache.hadoop.conf.Configuration;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Generates a labeled image set from a checkpoint across the executors: the images ({@code images/<class>/<id>.png}
 * or Parquet shards, {@code sample.output-format}), {@code samples.parquet} and {@code _SUCCESS} in
 * {@code sample.output}. Killed and rerun with the same
 * settings, it makes only the missing units.
 *
 * <pre>spark-submit --class io.sparkdiffusion.jobs.SampleJob JAR --config conf/sample.conf [--set sample.key=value ...]</pre>
 */
public final class SampleJob {
    static final String USAGE = "SampleJob [--config FILE] [--set sample.key=value ...]";
    private static final String ROOT = "sample";

    private SampleJob() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the job and returns its exit code: 0 done, 2 bad usage/config/input (one line on stderr), 1 failure. */
    public static int run(String... args) {
        return JobRunner.run(ROOT, USAGE, args, SampleJob::sample);
    }

    /** The job on checked settings, in this JVM and its Spark session if one is running (EvaluateJob's sweep). */
    public static void sample(Settings all) throws Exception {
        NativeRuntime.chooseNativeBuild(); // before anything in this JVM can load ND4J
        Instant started = Instant.now();
        GenerationSettings settings = GenerationSettings.from(all, ROOT);
        boolean report = all.getBoolean("sample.report");
        SampleCounts counts = SampleCounts.from(all);
        Configuration conf = new Configuration();
        // Everything that can be checked without Spark is checked first: bad input costs no cluster time.
        CheckpointChoice checkpoint = CheckpointChoice.resolve(settings, conf);
        settings.checkSteps(checkpoint.info().schedule().timesteps());
        int size = all.getNonNegativeInt("sample.image-size");
        int channels = all.getNonNegativeInt("sample.channels");
        if (size > 0 || channels > 0) {
            ImageShape made = checkpoint.shape();
            checkpoint.checkShape(new ImageShape(channels > 0 ? channels : made.channels(), size > 0 ? size : made.height(),
                    size > 0 ? size : made.width()), "sample.image-size / sample.channels");
        }
        List<String> classes = checkpoint.spec().conditional() ? checkpoint.info().classNames() : List.of();
        SamplePlan plan = new SamplePlan(settings.seed(), counts.byLabel(classes), !classes.isEmpty(),
                settings.imagesPerUnit());
        Recipe recipe = settings.recipe(1.0);
        GenerationOutput output = GenerationOutput.open(settings.output(), FolderNames.forClasses(classes), conf);
        OutputLock.acquireForJob(settings.output(), "sample.output", conf); // one writer of plan.json and the units
        Map<String, Object> countsByClass = new LinkedHashMap<>();
        long[] byLabel = plan.counts();
        for (int label = 0; label < byLabel.length; label++) {
            countsByClass.put(classes.isEmpty() ? "(unlabeled)" : classes.get(label), byLabel[label]);
        }
        Map<String, Object> record = SharedPlanFields.record(ROOT, settings, checkpoint, recipe, output);
        record.put("counts", countsByClass);
        record.put("format", settings.formatFor(plan.total()).configName());
        if (output.begin(record, settings.overwrite(), "sample.output") == GenerationOutput.State.COMPLETE) {
            System.out.println("sample: " + output.layout().output() + " is already complete");
            return;
        }
        ModelBytes model = ModelBytes.read(checkpoint.dir(), checkpoint.info(), settings.useEma(), conf);
        try (SparkSessions spark = SparkSessions.open(ROOT, settings.sparkMaster())) {
            new SampleUnits(spark.session(), settings, output, plan, classes, checkpoint).run(model, recipe,
                    report ? new GenerationReport(ROOT, all, started, record, checkpoint.info()) : null);
        }
    }
}
