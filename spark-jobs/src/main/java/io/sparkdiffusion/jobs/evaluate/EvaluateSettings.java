package io.sparkdiffusion.jobs.evaluate;

import java.util.Optional;

import io.sparkdiffusion.config.ConfigError;
import io.sparkdiffusion.config.Settings;
import io.sparkdiffusion.data.PreparedColumns;
import io.sparkdiffusion.eval.ClassifierRecipe;
import io.sparkdiffusion.jobs.io.FileNameGlob;

/**
 * The {@code evaluate.*} keys of EvaluateJob, read and checked once.
 *
 * @param trainImages at most this many training images for the feature classifier (0 = all)
 * @param tstrImages  at most this many images for each train-on-synthetic / train-on-real classifier (0 = skip)
 * @param realTrain   real training images for TRTR; empty = the data the classifier was trained on
 */
public record EvaluateSettings(Mode mode, String classifier, String data, int trainImages, boolean overwrite,
                               String generated, String glob, String reference, String referenceSplit,
                               String output, int tstrImages, Optional<String> realTrain, long seed, int batchSize,
                               ClassifierRecipe recipe, Optional<String> sparkMaster) {
    static final String ROOT = "evaluate";

    public enum Mode {
        TRAIN_CLASSIFIER, EVALUATE, SWEEP;

        public String configName() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    public static EvaluateSettings from(Settings all) {
        Settings s = all.at(ROOT);
        Mode mode = s.getEnum("mode", Mode.class);
        String classifier = required(s, "classifier", "the feature classifier's directory");
        Settings r = s.at("classifier-training");
        ClassifierRecipe recipe = new ClassifierRecipe(r.getPositiveInt("epochs"), r.getPositiveInt("batch-size"),
                r.getPositiveDouble("learning-rate"), r.getPositiveInt("feature-width"), r.getLong("seed"));
        boolean training = mode == Mode.TRAIN_CLASSIFIER;
        boolean scoringGiven = mode == Mode.EVALUATE; // a sweep makes the images it scores
        return new EvaluateSettings(mode, classifier,
                training ? required(s, "data", "a PrepareJob output to train the classifier on") : s.getString("data"),
                s.getNonNegativeInt("train-images"),
                s.getBoolean("overwrite"),
                scoringGiven ? required(s, "generated", "the generated images (a SampleJob/AugmentJob output)") : "",
                FileNameGlob.read(all, ROOT + ".glob"),
                training ? "" : required(s, "reference", "a PrepareJob output of real images (e.g. the test set)"),
                s.getChoice("reference-split", PreparedColumns.BOTH_SPLITS, PreparedColumns.TRAIN,
                        PreparedColumns.VALIDATION),
                training ? "" : required(s, "output", mode == Mode.SWEEP ? "a directory for the sweep"
                        : "a directory for metrics.json"),
                s.getNonNegativeInt("tstr-images"), s.getOptionalString("real-train"), s.getLong("seed"),
                s.getPositiveInt("batch-size"), recipe, s.getOptionalString("spark-master"));
    }

    /** The settings that score one sweep point: its images, its own output, replaced if a killed run left one. */
    EvaluateSettings scoring(String generatedImages, String pointOutput) {
        return new EvaluateSettings(Mode.EVALUATE, classifier, data, trainImages, true, generatedImages, "*.png",
                reference, referenceSplit, pointOutput, tstrImages, realTrain, seed, batchSize, recipe, sparkMaster);
    }

    private static String required(Settings s, String key, String what) {
        return s.getOptionalString(key).orElseThrow(() ->
                new ConfigError("key '" + ROOT + "." + key + "' is not set: expected " + what));
    }
}
