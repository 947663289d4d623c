package io.sparkdiffusion.jobs;

import io.sparkdiffusion.checkpoint.CheckpointStore;
import io.sparkdiffusion.checkpoint.LoadedCheckpoint;
import io.sparkdiffusion.cli.JobRunner;
import io.sparkdiffusion.config.CommitProtocol;
import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.config.Settings;
import io.sparkdiffusion.data.PreparedColumns;
import io.sparkdiffusion.data.PreparedManifest;
import io.sparkdiffusion.image.ImageShape;
import io.sparkdiffusion.jobs.session.SparkSessions;
import io.sparkdiffusion.jobs.report.TrainReport;
import io.sparkdiffusion.jobs.train.HeldOutSet;
import io.sparkdiffusion.jobs.train.PreparedData;
import io.sparkdiffusion.jobs.train.Resumption;
import io.sparkdiffusion.jobs.train.SparkTrainer;
import io.sparkdiffusion.jobs.train.TrainSettings;
import io.sparkdiffusion.model.FlopCount;
import io.sparkdiffusion.model.SpecReader;
import io.sparkdiffusion.model.UNetBuilder;
import io.sparkdiffusion.model.UNetSpec;
import io.sparkdiffusion.report.ReportFiles;
import io.sparkdiffusion.runtime.NativeRuntime;
import io.sparkdiffusion.train.Ema;
import io.sparkdiffusion.train.OuterOptimizer;
import io.sparkdiffusion.train.TrainingBatchMaker;
import io.sparkdiffusion.train.TrainingRun;
import io.sparkdiffusion.train.WarmupSchedule;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.learning.config.Adam;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * Trains the U-Net denoiser on a PrepareJob output with DL4J's parameter averaging across executors;
 * checkpoints, metrics, a loss curve and sample grids go to {@code train.run-dir}.
 *
 * <pre>spark-submit --class io.sparkdiffusion.jobs.TrainJob JAR --config conf/train.conf [--resume] [--set train.key=value ...]</pre>
 */
public final class TrainJob {
    static final String USAGE = "TrainJob [--config FILE] [--resume] [--set train.key=value ...]";
    /** DL4J's Spark module asks an NTP server for the time unless told to use the system clock. */
    private static final String TIME_SOURCE_PROPERTY = "org.deeplearning4j.spark.time.TimeSource";

    private TrainJob() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        // --resume is shorthand for --set train.resume=true
        String[] expanded = Arrays.stream(args)
                .flatMap(a -> a.equals("--resume") ? java.util.stream.Stream.of("--set", "train.resume=true")
                        : java.util.stream.Stream.of(a))
                .toArray(String[]::new);
        return JobRunner.run("train", USAGE, expanded, TrainJob::train);
    }

    static void train(Settings all) throws Exception {
        NativeRuntime.chooseNativeBuild(); // before anything in this JVM can load ND4J
        Instant started = Instant.now();
        TrainSettings settings = TrainSettings.from(all);
        boolean report = all.getBoolean("train.report");
        Configuration hadoop = new Configuration();
        // Everything that can be checked without Spark is checked first: bad input costs no cluster time.
        PreparedManifest manifest = PreparedManifest.readFrom(settings.data(), hadoop);
        ImageShape shape = manifest.shape();
        if (shape.height() != shape.width()) {
            throw new InputError("TrainJob needs square images; " + settings.data() + " has " + shape);
        }
        List<PreparedData.Mixed> mixed = mixed(settings, manifest, hadoop);
        int numClasses = manifest.classNames() == null ? 0 : manifest.classNames().size();
        UNetSpec spec = SpecReader.model(all, "train.model", shape.channels(), shape.height(),
                settings.conditionalFor(numClasses) ? numClasses : 0);
        TrainingRun trainingRun = TrainingRun.open("train", settings.runDir(), settings.resume(), " (or --resume)",
                new TrainingRun.Limits(settings.epochs(), settings.maxSteps()),
                new TrainingRun.Cadence(0, settings.checkpointEveryEpochs(), settings.keepCheckpoints(),
                        settings.sampleEveryEpochs(), false, settings.sample()), hadoop);
        LoadedCheckpoint resumed = trainingRun.resumed().orElse(null);
        if (resumed != null) {
            resumed.info().checkResumable(resumed.dir().toString(), "train.", settings.schedule(), settings.seed(),
                    spec, SpecReader.presetGiving(all, "train.model", resumed.info().model()).orElse(null));
            Resumption.checkData(resumed.info(), resumed.dir().toString(), manifest, settings.data(), settings.split());
            if (trainingRun.alreadyFinished()) {
                return;
            }
            Resumption.checkPosition(resumed.info(), resumed.dir().toString(), settings, settings.workers(), true);
        }
        trainingRun.begin(resumed == null ? 0 : resumed.info().step(), spec, settings.schedule());
        CheckpointStore store = trainingRun.store();
        FileSystem runFs = trainingRun.fileSystem();

        System.setProperty(TIME_SOURCE_PROPERTY, "org.deeplearning4j.spark.time.SystemClockTimeSource");
        NativeRuntime.init();
        try (SparkSessions spark = SparkSessions.open("train", settings.sparkMaster())) {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.session().sparkContext());
            int workers = settings.workers() > 0 ? settings.workers() : sc.defaultParallelism();
            if (resumed != null && settings.workers() == 0) { // now that Spark says how many
                Resumption.checkPosition(resumed.info(), resumed.dir().toString(), settings, workers, false);
            }
            PreparedData data = PreparedData.load(spark.session(), settings.data(), manifest, settings.split(), workers,
                    mixed, settings.seed());
            HeldOutSet heldOut = heldOutSet(spark, settings, manifest, spec, workers);
            String model = spec + " (preset " + SpecReader.preset(all, "train.model", shape.height()).name() + ", "
                    + String.format(java.util.Locale.ROOT, "%.1f", FlopCount.of(spec).forward() / 1e6)
                    + " MFLOP/image forward)";
            System.out.println("train: " + NativeRuntime.describe() + "; model " + model);
            try {
                new SparkTrainer(sc, settings, data, heldOut, spec, trainingRun, workers)
                        .run(start(resumed, spec, settings, workers));
            } finally {
                data.release(); // a session the job did not make (a test's, a notebook's) keeps running
                if (heldOut != null) {
                    heldOut.release();
                }
            }
            if (report) { // after the last checkpoint: the run's data is complete whatever happens here
                TrainReport.Run run = new TrainReport.Run(settings.data(), mixed.stream().map(m -> m.dataDir()
                        + " (weight " + m.weight() + ")").toList(), manifest, model + "; " + NativeRuntime.describe(),
                        workers, resumed == null ? null : resumed.info().step());
                Path file = new Path(store.runDir(), ReportFiles.FILE);
                ReportFiles.writeOrWarn("train", file, () -> CommitProtocol.replaceFile(runFs, file,
                        TrainReport.html(run, all, spark.session(), started, store, runFs)));
            }
        }
    }

    /** The train.mix data sets, read and checked against train.data before anything runs. */
    private static List<PreparedData.Mixed> mixed(TrainSettings settings, PreparedManifest manifest, Configuration hadoop)
            throws java.io.IOException {
        List<PreparedData.Mixed> mixed = new java.util.ArrayList<>();
        List<String> classes = manifest.classNames() == null ? List.of() : manifest.classNames();
        long main = manifest.imagesIn(settings.split());
        for (int i = 0; i < settings.mix().size(); i++) {
            TrainSettings.Mix mix = settings.mix().get(i);
            String key = "train.mix[" + i + "]";
            PreparedManifest other = PreparedManifest.readFrom(mix.data(), hadoop);
            if (!other.shape().equals(manifest.shape())) {
                throw new InputError(key + " " + mix.data() + " has images of " + other.shape() + ", train.data "
                        + manifest.shape() + "; prepare it at the same size and channels");
            }
            List<String> otherClasses = other.classNames() == null ? List.of() : other.classNames();
            if (!otherClasses.equals(classes)) {
                throw new InputError(key + " " + mix.data() + " has the classes " + otherClasses + ", train.data "
                        + classes + " (a label would mean another class); prepare it with prepare.class-names = "
                        + classes);
            }
            if (other.imagesIn(settings.split()) == 0) {
                throw new InputError(key + " " + mix.data() + " has no images in the " + settings.split() + " split");
            }
            System.out.printf(java.util.Locale.ROOT, "train: mixing %d images of %s (%d in its %s split) into each"
                            + " epoch: weight %s of the %d of %s%n", Math.round(mix.weight() * main), mix.data(),
                    other.imagesIn(settings.split()), settings.split(), mix.weight(), main, settings.data());
            mixed.add(new PreparedData.Mixed(mix.data(), other, mix.weight()));
        }
        return mixed;
    }

    /** The validation split's held-out set, or null when validation is off or the data has no validation split. */
    private static HeldOutSet heldOutSet(SparkSessions spark, TrainSettings settings, PreparedManifest manifest,
                                         UNetSpec spec, int workers) {
        if (!settings.validation().enabled()) {
            return null;
        }
        HeldOutSet heldOut = HeldOutSet.load(spark.session(), settings.data(), manifest, settings.validation(),
                new TrainingBatchMaker(spec, settings.schedule(), 0), workers).orElse(null);
        if (heldOut == null) {
            System.out.println("train: " + settings.data() + " has no validation split: no validation loss");
        } else {
            System.out.printf("train: validation loss on %d images of the validation split every %d rounds%s%n",
                    heldOut.images(), settings.validation().everyRounds(),
                    settings.split().equals(PreparedColumns.TRAIN) ? ""
                            : " (not held out: train.split = " + settings.split() + " trains on them too)");
        }
        return heldOut;
    }

    private static SparkTrainer.Start start(LoadedCheckpoint resumed, UNetSpec spec, TrainSettings settings,
                                            int workers) {
        Ema.Settings emaSettings = Ema.Settings.of(settings.emaDecay());
        if (resumed != null) {
            System.out.printf("train: resuming from %s at step %d, epoch %d%n", resumed.dir(), resumed.info().step(),
                    resumed.info().epoch());
            OuterOptimizer outer = settings.outer().optimizer();
            if (outer.kind() != OuterOptimizer.Kind.AVERAGE && resumed.outerMomentum() == null) {
                System.out.println("train: " + resumed.dir() + " has no outer momentum: " + outer.describe()
                        + " starts from zero momentum");
            }
            Resumption.applyTrainingSettings(resumed.graph(), resumed.info(), settings, workers);
            return new SparkTrainer.Start(resumed.graph(), Ema.resume(resumed.emaParams(), resumed.info().emaStep(),
                    emaSettings), outer.withVelocity(resumed.outerMomentum()), resumed.info().step(),
                    resumed.info().epoch(), (int) resumed.info().trainerLong("roundInEpoch", 0));
        }
        WarmupSchedule schedule = settings.scheduleFor(workers);
        System.out.printf("train: learning rate %.3g after %d warm-up steps (%s scaling of %.3g and %d for %d workers)%n",
                schedule.getLearningRate(), schedule.getWarmupSteps(), settings.workerScaling().name().toLowerCase(),
                settings.learningRate(), settings.warmupSteps(), workers);
        Adam adam = new Adam(schedule);
        ComputationGraph network = UNetBuilder.network(
                UNetBuilder.configuration(spec, adam, settings.seed(), settings.gradientClip()));
        return new SparkTrainer.Start(network, Ema.start(network.params(), emaSettings), settings.outer().optimizer(),
                0, 0, 0);
    }
}
