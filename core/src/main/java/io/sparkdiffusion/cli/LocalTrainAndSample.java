package io.sparkdiffusion.cli;

import io.sparkdiffusion.checkpoint.CheckpointInfo;
import io.sparkdiffusion.checkpoint.LoadedCheckpoint;
import io.sparkdiffusion.config.ConfigError;
import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.config.Settings;
import io.sparkdiffusion.model.SpecReader;
import io.sparkdiffusion.data.LabeledImages;
import io.sparkdiffusion.data.LocalDatasets;
import io.sparkdiffusion.train.TrainingBatchMaker;
import io.sparkdiffusion.model.UNetBuilder;
import io.sparkdiffusion.model.UNetSpec;
import io.sparkdiffusion.runtime.NativeRuntime;
import io.sparkdiffusion.schedule.ScheduleSpec;
import io.sparkdiffusion.train.ClassConditioning;
import io.sparkdiffusion.train.Ema;
import io.sparkdiffusion.train.LocalTrainer;
import io.sparkdiffusion.train.ReplicatedGradientStep;
import io.sparkdiffusion.train.ProgressMeter;
import io.sparkdiffusion.train.NetworkOptimizerSettings;
import io.sparkdiffusion.train.SampleGrid;
import io.sparkdiffusion.train.TrainingRun;
import io.sparkdiffusion.train.WarmupSchedule;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.schedule.ISchedule;

import java.util.Map;

/**
 * The single-JVM path: train the denoiser on a small corpus, checkpoint it, and write a grid of EMA samples.
 * For users without a cluster and for the demo; the Spark jobs do the same at scale. What is left here is the loop
 * that makes the steps (core's {@link LocalTrainer}); the run directory, with its start or resume, checkpoints,
 * metrics, loss curve and sample grid, is the {@link TrainingRun}'s, as TrainJob's is.
 */
public final class LocalTrainAndSample {
    private static final String ROOT = "local";
    private static final String BATCH_IN_EPOCH = "batchInEpoch";
    private static final String USAGE = "LocalTrainAndSample [--config FILE] [--set local.key=value ...] [--help]";

    private LocalTrainAndSample() {
    }

    public static void main(String[] args) {
        System.exit(JobRunner.run(ROOT, USAGE, args, LocalTrainAndSample::run));
    }

    static void run(Settings all) throws Exception {
        Settings s = all.at(ROOT);
        // Checked before the data is read and the model trained: a mistake here would only show at the end.
        String runDir = s.getOptionalString("run-dir").orElseThrow(() -> new ConfigError(
                "local.run-dir is empty: set it to the directory for checkpoints, metrics and the sample grid"));
        SampleGrid grid = SampleGrid.read(s.at("sample"), false);
        ScheduleSpec scheduleSpec = SpecReader.schedule(all, ROOT + ".schedule");
        long seed = s.getLong("seed");
        String conditionalChoice = ClassConditioning.read(s, "conditional");
        long maxSteps = s.getPositiveLong("max-steps");
        int maxEpochs = s.getPositiveInt("epochs");
        int logEvery = s.getPositiveInt("log-every");
        Configuration hadoop = new Configuration();
        TrainingRun run = TrainingRun.open(ROOT, runDir, s.getBoolean("resume"), "",
                new TrainingRun.Limits(maxEpochs, maxSteps),
                new TrainingRun.Cadence(s.getPositiveInt("checkpoint-every"), 0, s.getPositiveInt("keep-checkpoints"),
                        0, true, grid), hadoop);
        LoadedCheckpoint resumed = run.resumed().orElse(null);
        if (resumed != null) { // the model is checked once the data says what it is
            resumed.info().checkResumable(resumed.dir().toString(), ROOT + ".", scheduleSpec, seed, null, null);
        }
        NativeRuntime.init();
        System.out.println("runtime: " + NativeRuntime.describe());

        LabeledImages data = LocalDatasets.read(s.getString("data"), s.getString("labels"), hadoop);
        boolean conditional = ClassConditioning.decide(ROOT + ".conditional", conditionalChoice, data.numClasses());
        UNetSpec spec = SpecReader.model(all, ROOT + ".model", data.shape().channels(), data.shape().height(),
                conditional ? data.numClasses() : 0);
        if (data.shape().height() != data.shape().width()) {
            throw new InputError("images must be square, got " + data.shape());
        }
        System.out.printf("data: %d images %s, %d classes; model: %s%n", data.count(), data.shape(),
                data.numClasses(), spec);

        Ema.Settings emaSettings = Ema.Settings.of(s.getDoubleBelow("ema-decay", 0, 1));
        ComputationGraph network;
        Ema ema;
        long step = 0;
        int epoch = 0;
        int batchInEpoch = 0;
        WarmupSchedule learningRate = new WarmupSchedule(s.getPositiveDouble("learning-rate"),
                s.getNonNegativeInt("warmup-steps"));
        if (resumed != null) {
            resumed.info().checkResumable(resumed.dir().toString(), ROOT + ".", scheduleSpec, seed, spec,
                    SpecReader.presetGiving(all, ROOT + ".model", resumed.info().model()).orElse(null));
            resumed.info().checkResumableOn(resumed.dir().toString(), ROOT + ".", s.getString("data"),
                    data.classNames(), data.shape());
            if (run.alreadyFinished()) {
                return;
            }
            network = resumed.graph();
            ema = Ema.resume(resumed.emaParams(), resumed.info().emaStep(), emaSettings);
            step = resumed.info().step();
            epoch = resumed.info().epoch();
            batchInEpoch = (int) resumed.info().trainerLong(BATCH_IN_EPOCH, 0);
            System.out.printf("resumed from %s at step %d, epoch %d%n", resumed.dir(), step, epoch);
            ISchedule had = NetworkOptimizerSettings.replaceLearningRate(network, learningRate);
            if (had != null) {
                System.out.printf("resuming with a learning rate of %s warm-up steps instead of the checkpoint's %s: "
                        + "local.learning-rate or local.warmup-steps changed%n",
                        NetworkOptimizerSettings.describe(learningRate), NetworkOptimizerSettings.describe(had));
            }
        } else {
            network = UNetBuilder.network(spec, new Adam(learningRate), seed);
            ema = Ema.start(network.params(), emaSettings);
        }
        System.out.printf("parameters: %,d%n", network.numParams());
        run.begin(step, spec, scheduleSpec);

        TrainingBatchMaker batchMaker = new TrainingBatchMaker(spec, scheduleSpec, s.getDoubleInRange("label-dropout", 0, 1));
        int replicas = s.getNonNegativeInt("replicas");
        replicas = replicas == 0 ? Runtime.getRuntime().availableProcessors() : replicas;
        int threadsEach = ReplicatedGradientStep.threadsPerReplica(NativeRuntime.configuredOmpThreads(), replicas);
        System.out.printf("replicas: %d x %d native threads%n", replicas, threadsEach);
        ProgressMeter progress = new ProgressMeter(step, maxSteps);
        CheckpointInfo base = CheckpointInfo.of(step, epoch, scheduleSpec, spec, data.shape(), data.classNames())
                .withRunSeed(seed);
        try (LocalTrainer trainer = new LocalTrainer(network, batchMaker, ema, seed, s.getPositiveInt("batch-size"),
                step, epoch, batchInEpoch).withReplicas(replicas, threadsEach)) {
            while (trainer.step() < maxSteps && trainer.epoch() < maxEpochs) {
                trainer.trainEpoch(data, maxSteps, (done, e, loss, images) -> {
                    progress.record(loss, images);
                    Map<String, Object> row = done % logEvery == 0 || done == maxSteps || !Double.isFinite(loss)
                            ? progress.row(done, e, network.getLearningRate("time_mlp1")) : null;
                    if (!Double.isFinite(loss)) {
                        throw uncheck(() -> run.diverged(row, loss, done, "local.learning-rate", null));
                    }
                    if (row != null) {
                        run.addMetrics(row);
                        System.out.println(progress.line(done, e));
                    }
                    uncheck(() -> {
                        run.afterStep(done, () -> snapshot(base, trainer, progress));
                        return null;
                    });
                });
            }
            trainer.close(); // the replicas' threads, before the grid is sampled
            run.finish(trainer.step(), () -> snapshot(base, trainer, progress));
        }
    }

    /** A checkpoint of the trainer's position (step, epoch, batch within it), weights, optimizer state and EMA. */
    private static TrainingRun.Snapshot snapshot(CheckpointInfo base, LocalTrainer trainer, ProgressMeter progress) {
        CheckpointInfo info = CheckpointInfo.of(trainer.step(), trainer.epoch(), base.schedule(), base.model(),
                        base.imageShape(), base.classNames())
                .withRunSeed(base.runSeed())
                .withTrainerState(Map.of(BATCH_IN_EPOCH, trainer.batchInEpoch()))
                .withMetrics(Map.of("loss", progress.recentLoss()))
                .withEma(trainer.ema().settings().maxDecay(), trainer.ema().step());
        return new TrainingRun.Snapshot(info, trainer.network(), trainer.ema().params(), null);
    }

    /** Runs file work inside the step listener, which cannot throw IOException. */
    private static <T> T uncheck(IoWork<T> work) {
        try {
            return work.run();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("writing the run directory failed", e);
        }
    }

    @FunctionalInterface
    private interface IoWork<T> {
        T run() throws java.io.IOException;
    }
}
