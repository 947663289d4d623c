package io.sparkdiffusion.cli;

import io.sparkdiffusion.checkpoint.CheckpointInfo;
import io.sparkdiffusion.checkpoint.CheckpointStore;
import io.sparkdiffusion.checkpoint.LoadedCheckpoint;
import io.sparkdiffusion.config.CommitProtocol;
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
import io.sparkdiffusion.train.GridSampler;
import io.sparkdiffusion.sampling.Samplers;
import io.sparkdiffusion.schedule.ScheduleSpec;
import io.sparkdiffusion.train.Ema;
import io.sparkdiffusion.train.LocalTrainer;
import io.sparkdiffusion.train.ReplicatedGradientStep;
import io.sparkdiffusion.train.MetricsLog;
import io.sparkdiffusion.train.ProgressMeter;
import io.sparkdiffusion.train.TrainingDiverged;
import io.sparkdiffusion.train.NetworkOptimizerSettings;
import io.sparkdiffusion.train.WarmupSchedule;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.schedule.ISchedule;

import java.util.Map;

/**
 * The single-JVM path: train the denoiser on a small corpus, checkpoint it, and write a grid of EMA samples.
 * For users without a cluster and for the demo; the Spark jobs do the same at scale.
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
        String samplerName = s.at("sample").getChoice("sampler", Samplers.NAMES.toArray(String[]::new));
        ScheduleSpec scheduleSpec = SpecReader.schedule(all, ROOT + ".schedule");
        long seed = s.getLong("seed");
        boolean resume = s.getBoolean("resume");
        Configuration hadoop = new Configuration();
        CheckpointStore store = CheckpointStore.open(runDir, hadoop);
        LoadedCheckpoint resumed = null;
        if (resume) {
            resumed = store.loadToResume(ROOT + ".run-dir").orElse(null);
            if (resumed != null) { // the model is checked once the data says what it is
                resumed.info().checkResumable(resumed.dir().toString(), ROOT + ".", scheduleSpec, seed, null, null);
            }
        } else {
            refuseEarlierRun(store, hadoop);
        }
        NativeRuntime.init();
        System.out.println("runtime: " + NativeRuntime.describe());

        LabeledImages data = LocalDatasets.read(s.getString("data"), s.getString("labels"), hadoop);
        boolean conditional = s.getBoolean("conditional");
        if (conditional && data.numClasses() < 2) {
            throw new InputError("conditional training needs at least 2 classes; " + s.getString("data")
                    + " has " + data.numClasses());
        }
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

        TrainingBatchMaker batchMaker = new TrainingBatchMaker(spec, scheduleSpec, s.getDoubleInRange("label-dropout", 0, 1));
        int replicas = s.getNonNegativeInt("replicas");
        replicas = replicas == 0 ? Runtime.getRuntime().availableProcessors() : replicas;
        int threadsEach = ReplicatedGradientStep.threadsPerReplica(NativeRuntime.configuredOmpThreads(), replicas);
        System.out.printf("replicas: %d x %d native threads%n", replicas, threadsEach);
        LocalTrainer trainer = new LocalTrainer(network, batchMaker, ema, seed, s.getPositiveInt("batch-size"), step,
                epoch, batchInEpoch).withReplicas(replicas, threadsEach);
        MetricsLog metrics = MetricsLog.open(store.runDir().getFileSystem(hadoop), store.runDir(), step);
        long maxSteps = s.getPositiveLong("steps");
        int maxEpochs = s.getPositiveInt("epochs");
        int logEvery = s.getPositiveInt("log-every");
        int checkpointEvery = s.getPositiveInt("checkpoint-every");
        int keep = s.getPositiveInt("keep-checkpoints");
        ProgressMeter progress = new ProgressMeter(step, maxSteps);
        CheckpointInfo base = CheckpointInfo.of(step, epoch, scheduleSpec, spec, data.shape(), data.classNames())
                .withRunSeed(seed);

        while (trainer.step() < maxSteps && trainer.epoch() < maxEpochs) {
            trainer.trainEpoch(data, maxSteps, (done, e, loss, images) -> {
                progress.record(loss, images);
                if (!Double.isFinite(loss)) {
                    metrics.add(progress.row(done, e, network.getLearningRate("time_mlp1")));
                    flush(metrics);
                    throw new TrainingDiverged(loss, done, "local.learning-rate", null);
                }
                if (done % logEvery == 0 || done == maxSteps) {
                    metrics.add(progress.row(done, e, network.getLearningRate("time_mlp1")));
                    System.out.println(progress.line(done, e));
                }
                if (done % checkpointEvery == 0 && done < maxSteps) {
                    saveCheckpoint(store, base, trainer, keep, progress);
                    flush(metrics);
                }
            });
        }
        trainer.close();
        saveCheckpoint(store, base, trainer, keep, progress);
        metrics.flush();
        Path lossCurve = metrics.writeLossCurve("training loss, " + store.runDir().getName());

        Settings sample = s.at("sample");
        GridSampler grid = new GridSampler(spec, scheduleSpec, samplerName,
                sample.getPositiveInt("steps"), sample.getDouble("eta"), sample.getDouble("guidance"));
        long start = System.nanoTime();
        byte[] png = grid.samplePng(network, ema.params(), sample.getPositiveInt("count"), sample.getLong("seed"));
        Path gridPath = new Path(store.runDir(), String.format("samples-step-%07d.png", trainer.step()));
        CommitProtocol.write(gridPath.getFileSystem(hadoop), gridPath, png);
        System.out.printf("sampled %d images (%s, %d steps) in %.1f s%n", sample.getPositiveInt("count"),
                samplerName, sample.getPositiveInt("steps"), (System.nanoTime() - start) / 1e9);
        System.out.println("sample grid: " + gridPath);
        System.out.println("loss curve:  " + lossCurve);
        System.out.println("metrics:     " + new Path(store.runDir(), MetricsLog.FILE));
        System.out.println("checkpoint:  " + store.latest().map(r -> r.dir().toString()).orElse("?"));
    }

    /**
     * Refuses a run directory that already holds a run, as TrainJob does: its checkpoints would be replaced and its
     * metrics.jsonl truncated. A metrics.jsonl without checkpoints (an earlier run's, or one whose checkpoints were
     * removed) is refused too; only {@code local.resume=true} continues a run, nothing starts over in place.
     */
    private static void refuseEarlierRun(CheckpointStore store, Configuration hadoop) throws java.io.IOException {
        java.util.List<String> existing = store.entries();
        if (!existing.isEmpty()) {
            throw new InputError(store.runDir() + " already has checkpoints (" + String.join(", ", existing)
                    + "); set local.resume=true to continue, or choose another local.run-dir");
        }
        Path metrics = new Path(store.runDir(), MetricsLog.FILE);
        if (metrics.getFileSystem(hadoop).exists(metrics)) {
            throw new InputError(store.runDir() + " already has the " + MetricsLog.FILE + " of an earlier run; "
                    + "choose another local.run-dir, or remove it to start over");
        }
    }

    /** Saves the trainer's position (step, epoch, batch within it), weights, optimizer state and EMA. */
    private static void saveCheckpoint(CheckpointStore store, CheckpointInfo base, LocalTrainer trainer, int keep,
                                       ProgressMeter progress) {
        try {
            CheckpointInfo info = CheckpointInfo.of(trainer.step(), trainer.epoch(), base.schedule(), base.model(),
                            base.imageShape(), base.classNames())
                    .withRunSeed(base.runSeed())
                    .withTrainerState(Map.of(BATCH_IN_EPOCH, trainer.batchInEpoch()))
                    .withMetrics(Map.of("loss", progress.recentLoss()))
                    .withEma(trainer.ema().settings().maxDecay(), trainer.ema().step());
            store.save(info, trainer.network(), trainer.ema().params());
            store.keepLast(keep);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("checkpoint failed", e);
        }
    }

    private static void flush(MetricsLog metrics) {
        try {
            metrics.flush();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("writing metrics failed", e);
        }
    }
}
