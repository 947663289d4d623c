package io.sparkdiffusion.jobs.sample;

import io.sparkdiffusion.config.ConfigError;
import io.sparkdiffusion.config.Settings;
import io.sparkdiffusion.generate.OutputFormat;
import io.sparkdiffusion.generate.Recipe;
import io.sparkdiffusion.sampling.Samplers;

import java.util.Optional;

/**
 * The keys SampleJob ({@code sample.*}) and AugmentJob ({@code augment.*}) share: which checkpoint, where to,
 * how to generate, how to spread the work.
 *
 * @param root            the job's root key, for messages
 * @param runDir          a TrainJob run directory (its LATEST checkpoint), or empty
 * @param checkpoint      an explicit checkpoint directory, or empty (wins over runDir)
 * @param output          the output directory
 * @param useEma          EMA weights (true) or the raw ones
 * @param imagesPerUnit   images per unit of work (the grain of scheduling, committing and resuming)
 * @param partitions      Spark tasks; 0 = one per unit
 * @param overwrite       replace an existing output (moved aside until the new one is complete)
 * @param progressSeconds seconds between progress lines
 * @param outputFormat    auto, parquet, png-tree or both ({@link OutputFormat#resolve})
 * @param shardBytes      the bytes each Parquet shard aims at
 */
public record GenerationSettings(String root, Optional<String> runDir, Optional<String> checkpoint, String output,
                                 String sampler, int steps, double eta, double guidance, boolean useEma,
                                 int batchSize, int imagesPerUnit, long seed, int partitions, boolean overwrite,
                                 int progressSeconds, String outputFormat, long shardBytes,
                                 Optional<String> sparkMaster) {

    public static GenerationSettings from(Settings all, String root) {
        Settings s = all.at(root);
        Optional<String> runDir = s.getOptionalString("run-dir");
        Optional<String> checkpoint = s.getOptionalString("checkpoint");
        CheckpointChoice.requireOne(runDir, checkpoint, root);
        String output = s.getString("output");
        if (output.isBlank()) {
            throw new ConfigError(root + ".output is empty: set it to the directory for the images");
        }
        return new GenerationSettings(root, runDir, checkpoint, output,
                s.getChoice("sampler", Samplers.NAMES.toArray(String[]::new)), s.getIntInRange("steps", 1, 100_000),
                s.getDoubleInRange("eta", 0, 10), s.getDoubleInRange("guidance", -100, 100),
                s.getChoice("weights", "ema", "raw").equals("ema"), s.getPositiveInt("batch-size"),
                s.getPositiveInt("images-per-unit"), s.getLong("seed"), s.getNonNegativeInt("partitions"),
                s.getBoolean("overwrite"), s.getPositiveInt("progress-seconds"),
                s.getChoice("output-format", "auto", "parquet", "png-tree", "both"),
                s.getIntInRange("shard-mb", 1, 1 << 20) * 1_000_000L, s.getOptionalString("spark-master"));
    }

    /**
     * Refuses more steps than the checkpoint's schedule has timesteps, before anything is written: the sampler
     * would refuse them in every task, after {@code plan.json} had fixed them. ddpm runs all T and ignores steps.
     */
    public void checkSteps(int timesteps) {
        Samplers.checkSteps(key("steps"), sampler, steps, timesteps, "the checkpoint's noise schedule");
    }

    /** The recipe; {@code strength} only matters for variations. */
    public Recipe recipe(double strength) {
        return new Recipe(sampler, steps, eta, guidance, strength, batchSize);
    }

    /** What a run of this many images writes. */
    public OutputFormat formatFor(long images) {
        return OutputFormat.resolve(outputFormat, images);
    }

    /** "ema" or "raw". */
    public String weights() {
        return useEma ? "ema" : "raw";
    }

    public String key(String name) {
        return root + "." + name;
    }
}
