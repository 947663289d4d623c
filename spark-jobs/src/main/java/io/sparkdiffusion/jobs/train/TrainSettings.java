package io.sparkdiffusion.jobs.train;

import io.sparkdiffusion.config.ConfigError;
import io.sparkdiffusion.config.Settings;
import io.sparkdiffusion.data.PreparedColumns;
import io.sparkdiffusion.model.SpecReader;
import io.sparkdiffusion.sampling.Samplers;
import io.sparkdiffusion.schedule.ScheduleSpec;
import io.sparkdiffusion.train.ClassConditioning;
import io.sparkdiffusion.train.OuterOptimizer;
import io.sparkdiffusion.train.SampleGrid;
import io.sparkdiffusion.train.WarmupSchedule;
import io.sparkdiffusion.train.WorkerScaling;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The {@code train.*} keys of TrainJob, read and validated once. */
public record TrainSettings(String data, List<Mix> mix, String split, String runDir, int epochs, long maxSteps, boolean resume,
                            long seed, int batchSize, int workers, int averagingFrequency,
                            double learningRate, int warmupSteps, WorkerScaling workerScaling, double maxLearningRate,
                            double gradientClip, String conditional,
                            double labelDropout, double emaDecay, int checkpointEveryEpochs, int keepCheckpoints,
                            int sampleEveryEpochs, SampleGrid sample, ScheduleSpec schedule,
                            Outer outer, boolean averageUpdaterState, int aggregationDepth, Validation validation,
                            Optional<String> sparkMaster) {

    static final String ROOT = "train";

    /**
     * Another PrepareJob output mixed into every epoch: {@code weight} × the images of {@code train.data}'s split
     * from it (a fixed subset chosen by the run's seed, or every image repeated and then such a subset).
     */
    public record Mix(String data, double weight) {
    }

    /** The driver's step after each averaging round (see {@link OuterOptimizer}). */
    public record Outer(OuterOptimizer.Kind kind, double learningRate, double momentum) {
        public OuterOptimizer optimizer() {
            return kind == OuterOptimizer.Kind.AVERAGE ? OuterOptimizer.average()
                    : new OuterOptimizer(kind, learningRate, momentum);
        }
    }

    /** The validation loss: {@code images} held-out images (0 = off), every {@code everyRounds} rounds. */
    public record Validation(int images, int everyRounds, long seed) {
        public boolean enabled() {
            return images > 0;
        }
    }

    public TrainSettings {
        if (sampleEveryEpochs > 0 && sample.count() > 0) { // the first grid is sampled after an epoch
            Samplers.checkSteps(ROOT + ".sample.steps", sample.sampler(), sample.steps(), schedule.timesteps(),
                    ROOT + ".schedule");
        }
    }

    public static TrainSettings from(Settings all) {
        Settings s = all.at(ROOT);
        String data = s.getString("data");
        String runDir = s.getString("run-dir");
        if (data.isBlank()) {
            throw new ConfigError("train.data is empty: set it to a PrepareJob output directory");
        }
        if (runDir.isBlank()) {
            throw new ConfigError("train.run-dir is empty: set it to the directory for checkpoints and metrics");
        }
        Settings sample = s.at("sample");
        Settings validation = s.at("validation");
        return new TrainSettings(data, mix(all), s.getChoice("split", PreparedColumns.TRAIN,
                PreparedColumns.VALIDATION, PreparedColumns.BOTH_SPLITS), runDir,
                s.getPositiveInt("epochs"), s.getLong("max-steps"), s.getBoolean("resume"), s.getLong("seed"),
                s.getPositiveInt("batch-size"), s.getNonNegativeInt("workers"), s.getPositiveInt("averaging-frequency"),
                s.getPositiveDouble("learning-rate"), s.getNonNegativeInt("warmup-steps"),
                s.getEnum("worker-scaling", WorkerScaling.class), s.getNonNegativeDouble("max-learning-rate"),
                s.getNonNegativeDouble("gradient-clip"),
                ClassConditioning.read(s, "conditional"),
                s.getDoubleInRange("label-dropout", 0, 1), s.getDoubleBelow("ema-decay", 0, 1),
                s.getPositiveInt("checkpoint-every-epochs"), s.getPositiveInt("keep-checkpoints"),
                s.getNonNegativeInt("sample-every-epochs"),
                SampleGrid.read(sample, true),
                SpecReader.schedule(all, ROOT + ".schedule"),
                new Outer(s.getEnum("outer-optimizer", OuterOptimizer.Kind.class), s.getPositiveDouble("outer-learning-rate"),
                        s.getDoubleInRange("outer-momentum", 0, 0.999)),
                s.getBoolean("average-updater-state"), s.getIntInRange("aggregation-depth", 1, 10),
                new Validation(validation.getNonNegativeInt("images"), validation.getPositiveInt("every-rounds"),
                        validation.getLong("seed")),
                s.getOptionalString("spark-master"));
    }

    private static List<Mix> mix(Settings all) {
        List<Mix> mix = new ArrayList<>();
        List<? extends ConfigObject> entries;
        try {
            entries = all.config().getObjectList(ROOT + ".mix");
        } catch (ConfigException e) {
            throw new ConfigError("key 'train.mix': expected a list of { data = PATH, weight = W }: " + e.getMessage());
        }
        for (int i = 0; i < entries.size(); i++) {
            Config entry = entries.get(i).toConfig();
            String key = "train.mix[" + i + "]";
            if (!entry.hasPath("data") || entry.getString("data").isBlank() || !entry.hasPath("weight")
                    || !entry.root().keySet().equals(java.util.Set.of("data", "weight"))) {
                throw new ConfigError(key + ": expected { data = PATH, weight = W }, got " + entries.get(i).render(
                        com.typesafe.config.ConfigRenderOptions.concise()));
            }
            double weight;
            try {
                weight = entry.getDouble("weight");
            } catch (ConfigException e) {
                throw new ConfigError(key + ".weight: expected a number above 0, got " + entry.getValue("weight").render());
            }
            if (!(weight > 0) || Double.isInfinite(weight)) {
                throw new ConfigError(key + ".weight: expected a number above 0, got " + weight);
            }
            mix.add(new Mix(entry.getString("data"), weight));
        }
        return List.copyOf(mix);
    }

    /**
     * The learning-rate schedule of {@code workers} workers: learning-rate and warm-up-steps scaled from one worker's,
     * the rate up to max-learning-rate.
     */
    public WarmupSchedule scheduleFor(int workers) {
        return workerScaling.schedule(learningRate, warmupSteps, workers, maxLearningRate);
    }

    /** Whether to train class-conditionally, given the number of classes the data has. */
    public boolean conditionalFor(int numClasses) {
        return ClassConditioning.decide(ROOT + ".conditional", conditional, numClasses);
    }
}
