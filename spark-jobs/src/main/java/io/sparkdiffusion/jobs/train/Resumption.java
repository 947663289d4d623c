package io.sparkdiffusion.jobs.train;

import io.sparkdiffusion.checkpoint.CheckpointInfo;
import io.sparkdiffusion.config.InputError;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code --resume} checks before a run continues from a checkpoint, and the settings a checkpoint records
 * so that it can (docs/jobs.md, "Resuming"). Everything here refuses with an {@link InputError} (exit 2, one
 * line) rather than continue from a place or with a meaning other than the one the user asked for.
 */
public final class Resumption {
    /** Trainer-state keys of the settings that fix where a round's batches are in an epoch. */
    static final String WORKERS = "workers";
    static final String BATCH_SIZE = "batchSize";
    static final String AVERAGING_FREQUENCY = "averagingFrequency";

    private Resumption() {
    }

    /** The settings a checkpoint records besides the position, for the checks of a later resume. */
    static Map<String, Object> recordedSettings(TrainSettings settings, int workers) {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put(WORKERS, workers);
        state.put(BATCH_SIZE, settings.batchSize());
        state.put(AVERAGING_FREQUENCY, settings.averagingFrequency());
        return state;
    }

    /**
     * Refuses to resume a checkpoint taken in the middle of an epoch with another worker count, batch size or
     * averaging frequency: its position is a round number of the old layout (which partition holds which image,
     * how many batches a round takes), and the same number means another place, or none, in the new one.
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
                        + "train.batch-size and train.averaging-frequency; resuming in the middle of epoch "
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
        if (!changed.isEmpty()) {
            throw new InputError("cannot resume " + dir + " with " + String.join(", ", changed) + ": it stopped after "
                    + "round " + round + " of epoch " + info.epoch() + ", a position that does not carry over to "
                    + "another layout; resume with the checkpoint's values and change them at an epoch's end");
        }
    }

    private static void changed(CheckpointInfo info, String key, long now, String setting, List<String> changed) {
        long then = info.trainerLong(key, now);
        if (then != now) {
            changed.add(setting + " = " + now + " (the checkpoint's is " + then + ")");
        }
    }
}
