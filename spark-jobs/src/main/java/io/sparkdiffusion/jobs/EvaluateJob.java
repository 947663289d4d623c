package io.sparkdiffusion.jobs;

import io.sparkdiffusion.cli.JobRunner;
import io.sparkdiffusion.config.Settings;
import io.sparkdiffusion.jobs.evaluate.ClassifierTraining;
import io.sparkdiffusion.jobs.evaluate.EvaluateSettings;
import io.sparkdiffusion.jobs.evaluate.Evaluation;
import io.sparkdiffusion.jobs.evaluate.Sweep;
import io.sparkdiffusion.jobs.evaluate.SweepSettings;
import io.sparkdiffusion.runtime.NativeRuntime;

import java.time.Instant;

/**
 * Scores generated images against real ones: Fréchet distance in the feature space of a small CNN classifier (with
 * the real-vs-real floor), class consistency, per-class counts, and train-on-synthetic vs train-on-real accuracy.
 * Mode {@code train-classifier} first trains that classifier on a PrepareJob output; mode {@code sweep} samples from a
 * checkpoint at a grid of sampler settings and guidance scales and scores every point.
 *
 * <pre>
 * spark-submit --class io.sparkdiffusion.jobs.EvaluateJob JAR --config conf/evaluate.conf --set evaluate.mode=train-classifier
 * spark-submit --class io.sparkdiffusion.jobs.EvaluateJob JAR --config conf/evaluate.conf [--set evaluate.key=value ...]
 * </pre>
 */
public final class EvaluateJob {
    static final String USAGE = "EvaluateJob [--config FILE] [--set evaluate.key=value ...]";

    private EvaluateJob() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the job and returns its exit code: 0 done, 2 bad usage/config/input (one line on stderr), 1 failure. */
    public static int run(String... args) {
        return JobRunner.run("evaluate", USAGE, args, EvaluateJob::evaluate);
    }

    static void evaluate(Settings all) throws Exception {
        NativeRuntime.chooseNativeBuild(); // before anything in this JVM can load ND4J
        Instant started = Instant.now();
        EvaluateSettings settings = EvaluateSettings.from(all);
        switch (settings.mode()) {
            case TRAIN_CLASSIFIER -> ClassifierTraining.run(settings, all, started);
            case EVALUATE -> Evaluation.run(settings, all, started);
            case SWEEP -> Sweep.run(settings, SweepSettings.from(all), all, started);
            default -> throw new IllegalStateException("unknown mode " + settings.mode());
        }
    }
}
