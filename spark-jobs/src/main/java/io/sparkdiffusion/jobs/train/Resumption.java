package io.sparkdiffusion.jobs.train;

import io.sparkdiffusion.checkpoint.CheckpointInfo;
import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.data.PreparedManifest;
import io.sparkdiffusion.train.NetworkOptimizerSettings;
import io.sparkdiffusion.train.WarmupSchedule;
import io.sparkdiffusion.train.WorkerScaling;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.schedule.ISchedule;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What {@code --resume} checks and applies before a run continues from a checkpoint, and the settings a
 * checkpoint records so that it can (docs/jobs/train.md, "Resuming"). The checks refuse with an {@link InputError}
 * (exit 2, one line) rather than continue from another place or with data of another meaning; a changed learning
 * rate or gradient clip is applied and said, never ignored. Which checkpoint a resume loads, and the network,
 * schedule, seed, classes and image shape it needs, and whether anything is left to do, core checks
 * ({@code CheckpointStore.loadToResume}, {@code CheckpointInfo.checkResumable}, {@code TrainingRun}).
 */
public final class Resumption {
    /** Trainer-state keys of the settings that fix where a round's batches are in an epoch. */
    static final String WORKERS = "workers";
    static final String BATCH_SIZE = "batchSize";
    static final String AVERAGING_FREQUENCY = "averagingFrequency";
    static final String SPLIT = "split";
    static final String MIX = "mix";
    /** Trainer-state keys of the settings the learning-rate schedule and the gradient clip come from. */
    static final String LEARNING_RATE = "learningRate";
    static final String WARMUP_STEPS = "warmupSteps";
    static final String MAX_LEARNING_RATE = "maxLearningRate";
    static final String WORKER_SCALING = "workerScaling";
    static final String GRADIENT_CLIP = "gradientClip";

    private Resumption() {
    }

    /** The settings a checkpoint records besides the position, for the checks of a later resume. */
    static Map<String, Object> recordedSettings(TrainSettings settings, int workers) {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put(WORKERS, workers);
        state.put(BATCH_SIZE, settings.batchSize());
        state.put(AVERAGING_FREQUENCY, settings.averagingFrequency());
        state.put(SPLIT, settings.split());
        state.put(MIX, mixRecord(settings));
        state.put(LEARNING_RATE, settings.learningRate());
        state.put(WARMUP_STEPS, settings.warmupSteps());
        state.put(MAX_LEARNING_RATE, settings.maxLearningRate());
        state.put(WORKER_SCALING, settings.workerScaling().name().toLowerCase(Locale.ROOT));
        state.put(GRADIENT_CLIP, settings.gradientClip());
        return state;
    }

    /**
     * Refuses to resume a checkpoint taken in the middle of an epoch with another worker count, batch size,
     * averaging frequency, split or mix: its position is a round number of the old layout (which partition holds which
     * image, how many batches a round takes), and the same number means another place, or none, in the new one.
     * At an epoch's end the position is "start of the next epoch" whatever the layout, so any change is fine.
     *
     * @param workers the worker count, or 0 when it is not known yet (train.workers = 0 before Spark starts)
     * @param beforeSpark whether this is the check before Spark starts (which says when the checkpoint
     *                    records no layout)
     */
    public static void checkPosition(CheckpointInfo info, String dir, TrainSettings settings, int workers,
                                     boolean beforeSpark) {
        long round = info.trainerLong(SparkTrainer.EPOCH_ROUND, 0);
        if (round == 0) {
            return;
        }
        if (!info.trainerState().containsKey(BATCH_SIZE)) {
            if (beforeSpark) {
                System.out.println("train: " + dir + " (written by an older build) does not record train.workers, "
                        + "train.batch-size, train.averaging-frequency and train.split; resuming in the middle of epoch "
                        + info.epoch() + " assumes they are unchanged");
            }
            return;
        }
        List<String> changed = new ArrayList<>();
        if (workers > 0) {
            changed(info, WORKERS, workers, "train.workers", changed);
        }
        changed(info, BATCH_SIZE, settings.batchSize(), "train.batch-size", changed);
        changed(info, AVERAGING_FREQUENCY, settings.averagingFrequency(), "train.averaging-frequency", changed);
        Object split = info.trainerState().get(SPLIT);
        if (split != null && !split.equals(settings.split())) {
            changed.add("train.split = " + settings.split() + " (the checkpoint's is " + split + ")");
        }
        Object mix = info.trainerState().get(MIX);
        if (mix != null && !mix.equals(mixRecord(settings))) {
            changed.add("train.mix = " + settings.mix() + " (the checkpoint's is [" + mix + "])");
        }
        if (!changed.isEmpty()) {
            throw new InputError("cannot resume " + dir + " with " + String.join(", ", changed) + ": it stopped after "
                    + "round " + round + " of epoch " + info.epoch() + ", a position that does not carry over to "
                    + "another layout; resume with the checkpoint's values and change them at an epoch's end");
        }
    }

    /** The mixed data sets and weights as one string (empty without a mix), as the trainer state records them. */
    private static String mixRecord(TrainSettings settings) {
        return String.join(", ", settings.mix().stream().map(m -> m.data() + " x " + m.weight()).toList());
    }

    private static void changed(CheckpointInfo info, String key, long now, String setting, List<String> changed) {
        long then = info.trainerLong(key, now);
        if (then != now) {
            changed.add(setting + " = " + now + " (the checkpoint's is " + then + ")");
        }
    }

    /**
     * Refuses data other than the data the checkpoint was trained on: other class names (a renamed class folder
     * gives a label another meaning), another image shape, or another number of images (which moves every image
     * to another partition and batch). Other fields of the manifest (when it was made, where the corpus was)
     * may differ: a re-prepared copy of the same corpus is the same data.
     */
    public static void checkData(CheckpointInfo info, String dir, PreparedManifest manifest,
                                 String data, String split) {
        info.checkResumableOn(dir, TrainSettings.ROOT + ".", data,
                manifest.classNames() == null ? List.of() : manifest.classNames(), manifest.shape());
        if (info.dataManifest() == null) {
            return; // a checkpoint of a build that did not record the manifest: the classes are all there is
        }
        PreparedManifest stored;
        try {
            stored = CheckpointInfo.json().treeToValue(info.dataManifest(),
                    PreparedManifest.class);
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new InputError("cannot resume " + dir + ": its record of the training data is unreadable ("
                    + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        long then = stored.imagesIn(split);
        long now = manifest.imagesIn(split);
        if (then != now || !Objects.equals(stored.imagesPerClass(), manifest.imagesPerClass())) {
            throw new InputError("cannot resume " + dir + " on " + data + ": it has " + now + " images in train.split = "
                    + split + " " + manifest.imagesPerClass() + ", the checkpoint's data " + then + " "
                    + stored.imagesPerClass() + " (the images would move to other batches); train on the data the run "
                    + "started with, or start a new train.run-dir");
        }
    }

    /**
     * Makes a resumed network train with the configured learning-rate schedule and gradient clip. Both live in
     * the network's configuration (model.zip), so without this a resume would keep the checkpoint's values
     * whatever train.learning-rate, train.warmup-steps, train.worker-scaling, train.max-learning-rate, train.workers
     * (which scale the schedule, {@link TrainSettings#scheduleFor}) and train.gradient-clip say. A change is applied, Adam's
     * moments kept, and said in one line; an unchanged network is left exactly as loaded.
     */
    public static void applyTrainingSettings(ComputationGraph network, CheckpointInfo info, TrainSettings settings,
                                             int workers) {
        WarmupSchedule wanted = settings.scheduleFor(workers);
        ISchedule had = NetworkOptimizerSettings.replaceLearningRate(network, wanted);
        if (had != null) {
            System.out.printf("train: resuming with a learning rate of %.3g after %d warm-up steps (%s scaling for %d "
                            + "workers) instead of the checkpoint's %s: %s%n", wanted.getLearningRate(),
                    wanted.getWarmupSteps(), settings.workerScaling().name().toLowerCase(Locale.ROOT), workers,
                    NetworkOptimizerSettings.describe(had), whyScheduleDiffers(info, settings, workers));
        }
        double clip = NetworkOptimizerSettings.gradientClip(network);
        if (clip != settings.gradientClip()) {
            NetworkOptimizerSettings.setGradientClip(network, settings.gradientClip());
            System.out.printf("train: resuming with a gradient clip of %s instead of the checkpoint's %s: "
                    + "train.gradient-clip changed%n", clipName(settings.gradientClip()), clipName(clip));
        }
    }

    /**
     * Why the configured schedule is not the checkpoint's: the keys that changed, or, for a checkpoint that records
     * no worker scaling (written before train.worker-scaling existed or was recorded), that the configured scaling
     * applies, which no key of the user changed.
     */
    private static String whyScheduleDiffers(CheckpointInfo info, TrainSettings settings, int workers) {
        if (!info.trainerState().containsKey(WORKER_SCALING) || !info.trainerState().containsKey(LEARNING_RATE)) {
            String scaling = settings.workerScaling().name().toLowerCase(Locale.ROOT);
            return "the checkpoint records no train.worker-scaling (written before it existed or was recorded), so the "
                    + "configured " + scaling + " scaling" + (settings.workerScaling() == WorkerScaling.LINEAR
                    ? " (the default)" : "") + " applies";
        }
        List<String> changed = new ArrayList<>();
        Object rate = info.trainerState().get(LEARNING_RATE);
        if (!(rate instanceof Number n) || n.doubleValue() != settings.learningRate()) {
            changed.add("train.learning-rate");
        }
        if (info.trainerLong(WARMUP_STEPS, -1) != settings.warmupSteps()) {
            changed.add("train.warmup-steps");
        }
        if (!settings.workerScaling().name().toLowerCase(Locale.ROOT).equals(info.trainerState().get(WORKER_SCALING))) {
            changed.add("train.worker-scaling");
        }
        Object ceiling = info.trainerState().get(MAX_LEARNING_RATE); // absent before the ceiling existed
        if (ceiling instanceof Number c && c.doubleValue() != settings.maxLearningRate()) {
            changed.add("train.max-learning-rate");
        }
        if (info.trainerLong(WORKERS, -1) != workers) {
            changed.add("train.workers");
        }
        return (changed.isEmpty() ? "the schedule" : String.join(", ", changed)) + " changed";
    }

    private static String clipName(double clip) {
        return clip > 0 ? String.valueOf(clip) : "0 (none)";
    }
}
