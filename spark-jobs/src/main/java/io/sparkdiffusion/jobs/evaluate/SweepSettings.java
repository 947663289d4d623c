package io.sparkdiffusion.jobs.evaluate;

import io.sparkdiffusion.config.Settings;
import io.sparkdiffusion.eval.SweepPoint;
import io.sparkdiffusion.jobs.sample.CheckpointChoice;

import java.util.List;
import java.util.Optional;

/**
 * The {@code evaluate.sweep.*} keys: which checkpoint to sample from, and the grid of sampler settings and guidance
 * scales to score.
 *
 * @param perClass images of every class at every point
 * @param weights  "ema" or "raw"
 */
public record SweepSettings(Optional<String> runDir, Optional<String> checkpoint, List<SweepPoint> points,
                            int perClass, long seed, String weights) {
    static final String ROOT = EvaluateSettings.ROOT + ".sweep";

    public static SweepSettings from(Settings all) {
        Settings s = all.at(ROOT);
        Optional<String> runDir = s.getOptionalString("run-dir");
        Optional<String> checkpoint = s.getOptionalString("checkpoint");
        CheckpointChoice.requireOne(runDir, checkpoint, ROOT);
        return new SweepSettings(runDir, checkpoint,
                SweepPoint.grid(s.getStringList("samplers"), s.getDoubleList("guidance"), ROOT),
                s.getPositiveInt("per-class"), s.getLong("seed"), s.getChoice("weights", "ema", "raw"));
    }
}
