package io.sparkdiffusion.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.sparkdiffusion.image.ImageFixtures;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Settings that only fail once Spark runs are refused before it starts: exit 2 with one line naming the key. Every
 * job here is given a Spark master that cannot start, so a job that got as far as Spark would exit 1 instead.
 */
class SettingsCaughtBeforeSparkTest extends PrepareJobTestSupport {
    private static final String NO_MASTER = "no-such-master://x";

    @TempDir
    static Path tmp;
    static Path prepared;
    /** A checkpoint of a tiny model with T = 100. */
    static Path run;

    @BeforeAll
    static void fixtures() throws Exception {
        startSpark();
        try {
            prepared = TrainJobFixtures.preparedCorpus(tmp);
        } finally {
            stopSpark();
        }
        run = GenerationFixtures.checkpoint(tmp.resolve("run"), List.of("bars", "squares"));
    }

    @BeforeEach
    void noSession() {
        SparkSession.getDefaultSession().foreach(s -> {
            s.stop();
            return null;
        });
        System.clearProperty("spark.master");
    }

    /** The job's one line on stderr, after checking that it exited 2 before reaching Spark. */
    private static String refused(java.util.function.IntSupplier job) {
        Run result = capture(job);
        assertEquals(2, result.exitCode(), result.stderr());
        assertEquals(1, result.stderrLines().size(), result.stderr());
        return result.stderrLines().get(0);
    }

    private static String refusedTrain(String... sets) {
        Path runDir = tmp.resolve("train-run");
        List<String> all = new ArrayList<>(List.of("train.spark-master=" + NO_MASTER));
        all.addAll(List.of(sets));
        String line = refused(() -> TrainJobFixtures.train(prepared, runDir, all.toArray(String[]::new)));
        assertFalse(Files.exists(runDir), "nothing written");
        return line;
    }

    private static String refusedGeneration(String job, Path output, String... sets) {
        List<String> all = new ArrayList<>(List.of(job + ".run-dir=" + run, job + ".output=" + output,
                job + ".spark-master=" + NO_MASTER, job + ".images-per-unit=2", job + ".batch-size=2",
                job.equals("sample") ? "sample.count=4" : "augment.data=" + prepared));
        all.addAll(List.of(sets));
        String[] args = GenerationFixtures.sets(all);
        String line = refused(() -> job.equals("sample") ? SampleJob.run(args) : AugmentJob.run(args));
        assertFalse(Files.exists(output), "nothing written, so the corrected rerun starts afresh");
        return line;
    }

    @Test
    void samplerTypoIsRefusedBeforeSparkStarts() {
        String line = refusedTrain("train.sample.sampler=ddimm");
        assertTrue(line.contains("'train.sample.sampler'") && line.contains("ddim, dpm-solver++"), line);
    }

    @Test
    void emaDecayOfOneIsRefusedBeforeSparkStarts() {
        String line = refusedTrain("train.ema-decay=1");
        assertTrue(line.contains("'train.ema-decay'") && line.contains("[0, 1)"), line);
    }

    @Test
    void negativeGradientClipIsRefusedBeforeSparkStarts() {
        String line = refusedTrain("train.gradient-clip=-1");
        assertTrue(line.contains("'train.gradient-clip'") && line.contains(">= 0"), line);
    }

    @Test
    void trainSampleStepsAboveTheSchedulesTimestepsAreRefusedBeforeSparkStarts() {
        String line = refusedTrain("train.sample-every-epochs=1", "train.sample.steps=101");
        assertTrue(line.contains("train.sample.steps") && line.contains("100 timesteps"), line);
    }

    @Test
    void stepsAboveTheSchedulesTimestepsAreRefusedBeforeThePlanIsWritten() {
        for (String sampler : List.of("ddim", "dpm-solver++")) {
            String line = refusedGeneration("sample", tmp.resolve("sample-" + sampler), "sample.sampler=" + sampler,
                    "sample.steps=101");
            assertTrue(line.contains("sample.steps") && line.contains("100 timesteps"), line);
        }
        String line = refusedGeneration("augment", tmp.resolve("augment-steps"), "augment.steps=200");
        assertTrue(line.contains("augment.steps") && line.contains("100 timesteps"), line);
    }

    @Test
    void augmentThatWouldRunNoDenoisingStepIsRefused() {
        String line = refusedGeneration("augment", tmp.resolve("augment-copies"), "augment.strength=0.2",
                "augment.steps=4");
        assertTrue(line.contains("augment.strength") && line.contains("augment.steps")
                && line.contains("no denoising step"), line);
    }

    @Test
    void malformedPrepareGlobIsRefusedBeforeSparkStarts() throws Exception {
        Path in = tmp.resolve("glob-in");
        write(in.resolve("c/a.png"), ImageFixtures.png(ImageFixtures.grey(8, 8, 0)));
        Path out = tmp.resolve("glob-out");
        String line = refused(() -> PrepareJob.run("--set", "prepare.input=" + in, "--set", "prepare.output=" + out,
                "--set", "prepare.size=8", "--set", "prepare.glob=*.{png",
                "--set", "prepare.spark-master=" + NO_MASTER));
        assertTrue(line.contains("'prepare.glob'"), line);
        assertFalse(Files.exists(out), "nothing written");
    }
}
