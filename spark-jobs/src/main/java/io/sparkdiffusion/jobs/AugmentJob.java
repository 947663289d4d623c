package io.sparkdiffusion.jobs;

import io.sparkdiffusion.cli.JobRunner;
import io.sparkdiffusion.config.ConfigError;
import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.config.Settings;
import io.sparkdiffusion.data.PreparedColumns;
import io.sparkdiffusion.data.PreparedManifest;
import io.sparkdiffusion.generate.FolderNames;
import io.sparkdiffusion.generate.GeneratedImages;
import io.sparkdiffusion.generate.GenerationOutput;
import io.sparkdiffusion.generate.ModelBytes;
import io.sparkdiffusion.generate.Recipe;
import io.sparkdiffusion.generate.VariationPlan;
import io.sparkdiffusion.jobs.session.SparkSessions;
import io.sparkdiffusion.jobs.report.GenerationReport;
import io.sparkdiffusion.jobs.sample.AugmentUnits;
import io.sparkdiffusion.jobs.sample.CheckpointChoice;
import io.sparkdiffusion.jobs.sample.SharedPlanFields;
import io.sparkdiffusion.jobs.sample.GenerationSettings;
import io.sparkdiffusion.lock.OutputLock;
import io.sparkdiffusion.runtime.NativeRuntime;
import io.sparkdiffusion.sampling.SdEdit;
import io.sparkdiffusion.schedule.NoiseSchedule;
import io.sparkdiffusion.schedule.ScheduleSpec;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes {@code augment.variations} SDEdit variations of every image of a PrepareJob output (or of a
 * deterministic fraction of them): each image is noised to {@code augment.strength} and denoised back, guided
 * toward its own label. Output as SampleJob's, with each variation's source id in {@code samples.parquet};
 * killed and rerun with the same settings, it makes only the missing units.
 *
 * <pre>spark-submit --class io.sparkdiffusion.jobs.AugmentJob JAR --config conf/augment.conf [--set augment.key=value ...]</pre>
 */
public final class AugmentJob {
    static final String USAGE = "AugmentJob [--config FILE] [--set augment.key=value ...]";
    private static final String ROOT = "augment";

    private AugmentJob() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the job and returns its exit code: 0 done, 2 bad usage/config/input (one line on stderr), 1 failure. */
    public static int run(String... args) {
        return JobRunner.run(ROOT, USAGE, args, AugmentJob::augment);
    }

    /**
     * Refuses a strength too low for the sampler's step count: SDEdit runs the last ⌊strength × steps⌋ steps, and
     * with none to run every "variation" would be a copy of its input.
     */
    private static void checkSomeStepRuns(Recipe recipe, ScheduleSpec schedule) {
        int steps = recipe.newSampler(NoiseSchedule.of(schedule)).timesteps().length; // ddpm: T
        if (SdEdit.stepsRun(steps, recipe.strength()) == 0) {
            String raise = recipe.sampler().equals("ddpm") ? "augment.strength" : "augment.strength or augment.steps";
            throw new ConfigError(String.format(Locale.ROOT, "augment.strength (%s) times the %d steps of %s"
                    + " is below 1: no denoising step would run and every variation would be a copy of its image;"
                    + " raise %s", recipe.strength(), steps, recipe.sampler(), raise));
        }
    }

    static void augment(Settings all) throws Exception {
        NativeRuntime.chooseNativeBuild(); // before anything in this JVM can load ND4J
        Instant started = Instant.now();
        GenerationSettings settings = GenerationSettings.from(all, ROOT);
        boolean report = all.getBoolean("augment.report");
        Settings s = all.at(ROOT);
        String data = s.getString("data");
        if (data.isBlank()) {
            throw new ConfigError("augment.data is empty: set it to a PrepareJob output directory");
        }
        String split = s.getChoice("split", PreparedColumns.BOTH_SPLITS, PreparedColumns.TRAIN,
                PreparedColumns.VALIDATION);
        boolean newestVersionOnly = s.getChoice("versions", "all", "newest").equals("newest");
        double strength = s.getDoubleInRange("strength", 0, 1);
        double fraction = s.getDoubleInRange("fraction", 0, 1);
        if (strength == 0 || fraction == 0) {
            throw new ConfigError("augment." + (strength == 0 ? "strength" : "fraction") + " must be above 0");
        }
        VariationPlan plan = new VariationPlan(settings.seed(), s.getPositiveInt("variations"), fraction);
        Configuration conf = new Configuration();
        // Everything that can be checked without Spark is checked first: bad input costs no cluster time.
        PreparedManifest manifest = PreparedManifest.readFrom(data, conf);
        CheckpointChoice checkpoint = CheckpointChoice.resolve(settings, conf);
        settings.checkSteps(checkpoint.info().schedule().timesteps());
        checkpoint.checkShape(manifest.shape(), "the images of " + data);
        List<String> classes = manifest.classNames() == null ? List.of() : manifest.classNames();
        if (checkpoint.spec().conditional() && !checkpoint.info().classNames().equals(classes)) {
            throw new InputError("the checkpoint's classes " + checkpoint.info().classNames() + " are not those of "
                    + data + " " + classes + ": guidance toward an image's label would aim at another class");
        }
        Recipe recipe = settings.recipe(strength);
        checkSomeStepRuns(recipe, checkpoint.info().schedule());
        GenerationOutput output = GenerationOutput.open(settings.output(), FolderNames.forClasses(classes), conf);
        OutputLock.acquireForJob(settings.output(), "augment.output", conf); // one writer of plan.json and the units
        Path dataDir = new Path(data);
        Map<String, Object> record = SharedPlanFields.record(ROOT, settings, checkpoint, recipe, output);
        record.put("data", dataDir.getFileSystem(conf).makeQualified(dataDir).toString());
        record.put("dataCreatedAt", manifest.createdAt());
        record.put("dataImages", manifest.images());
        record.put("split", split);
        if (newestVersionOnly) { // the newest version today is another one tomorrow: a rerun must vary the same images
            record.put("dataVersion", manifest.version());
        }
        record.put("variations", plan.variations());
        record.put("fraction", fraction);
        record.put("strength", strength);

        try (SparkSessions spark = SparkSessions.open(ROOT, settings.sparkMaster())) {
            AugmentUnits units = AugmentUnits.select(spark.session(), data, manifest, split, newestVersionOnly, plan,
                    settings.imagesPerUnit());
            try {
                record.put("format", settings.formatFor(units.sourceCount() * plan.variations()).configName());
                if (output.begin(record, settings.overwrite(), "augment.output") == GenerationOutput.State.COMPLETE) {
                    System.out.println("augment: " + output.layout().output() + " is already complete");
                    return;
                }
                System.out.printf("augment: %d variations each of %d images of %s%n", plan.variations(),
                        units.sourceCount(), data);
                ModelBytes model = ModelBytes.read(checkpoint.dir(), checkpoint.info(), settings.useEma(), conf);
                GeneratedImages records = new GeneratedImages(output.layout(), classes, recipe, settings.weights(),
                        checkpoint.dir().toString(), checkpoint.info().step(), true);
                units.run(spark.session(), settings, output, plan, records, model, recipe,
                        report ? new GenerationReport(ROOT, all, started, record, checkpoint.info()) : null);
            } finally {
                units.release();
            }
        }
    }
}
