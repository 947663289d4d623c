package io.sparkdiffusion.jobs;

import io.sparkdiffusion.checkpoint.CheckpointStore;
import io.sparkdiffusion.checkpoint.LoadedCheckpoint;
import io.sparkdiffusion.data.LabeledImages;
import io.sparkdiffusion.train.TrainingBatchMaker;
import io.sparkdiffusion.image.ImageShape;
import io.sparkdiffusion.model.UNetBuilder;
import io.sparkdiffusion.model.UNetSpec;
import io.sparkdiffusion.schedule.ScheduleSpec;
import io.sparkdiffusion.train.Ema;
import io.sparkdiffusion.train.LocalTrainer;
import io.sparkdiffusion.train.WarmupSchedule;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainJobTest {
    /** The spec TrainJobFixtures.TINY_MODEL gives for 8x8 grey images of 2 classes. */
    static final UNetSpec TINY_SPEC = new UNetSpec(1, 8, 8, List.of(1, 2), 1, 4, 16, 2, false, UNetSpec.Prediction.EPSILON);

    @TempDir
    static Path tmp;
    static SparkSession spark;
    static Path prepared;

    @BeforeAll
    static void prepareData() throws Exception {
        spark = SparkSession.builder().master("local[2]").appName("train-test")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").getOrCreate();
        prepared = TrainJobFixtures.preparedCorpus(tmp);
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    static int train(Path runDir, String... sets) {
        return TrainJobFixtures.train(prepared, runDir, sets);
    }

    @Test
    void oneWorkerAveragingEveryStepMatchesTheSingleJvmTrainerInWeightsAdamStateAndEma() throws Exception {
        Path runDir = tmp.resolve("equivalence");
        assertEquals(0, train(runDir, "train.workers=1", "train.averaging-frequency=1", "train.max-steps=4",
                "train.sample-every-epochs=0", "train.seed=7"));
        LoadedCheckpoint spark = CheckpointStore.open(runDir.toUri(), new Configuration()).loadLatest().orElseThrow();
        assertEquals(4, spark.info().step());

        // the same data in the same order (one partition, sorted by id), the same initial network and seeds
        List<Row> rows = TrainJobTest.spark.read().parquet(prepared.resolve("shards").toString())
                .select("id", "label", "pixels").orderBy("id").collectAsList();
        byte[] pixels = new byte[rows.size() * 64];
        int[] labels = new int[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy((byte[]) rows.get(i).get(2), 0, pixels, i * 64, 64);
            labels[i] = rows.get(i).getInt(1);
        }
        LabeledImages data = new LabeledImages(new ImageShape(1, 8, 8), pixels, labels, List.of("bars", "squares"));
        ComputationGraph single = UNetBuilder.network(UNetBuilder.configuration(TINY_SPEC,
                new Adam(new WarmupSchedule(3e-3, 3)), 7, 1.0));
        LocalTrainer trainer = new LocalTrainer(single, new TrainingBatchMaker(TINY_SPEC, ScheduleSpec.linear(100), 0.1),
                Ema.start(single.params(), Ema.Settings.of(0.999)), 7, 4);
        trainer.trainEpoch(data, 4, (s, e, l, i) -> { });

        // Weights alone can miss a gradient-scaling bug: Adam divides m by sqrt(v), so a gradient scaled by c
        // gives almost the same steps (a 1 % scaling moved the weights by 2.5e-6 here), but its moments are scaled
        // by c and c^2. So Adam's state and the EMA are compared too, each vector to 1e-5 of its own largest
        // magnitude (v, the squared gradients, is on another scale than m). On the development machine all of them
        // are equal bit for bit; the tolerance is kept because the Spark step runs in an executor's thread on a
        // deserialised copy of the network, where native kernels are not bound to the same reduction order.
        assertClose("weights", single.params(), spark.graph().params());
        INDArray singleState = single.getUpdater().getStateViewArray();
        INDArray sparkState = spark.graph().getUpdater().getStateViewArray();
        assertEquals(singleState.length(), sparkState.length(), "Adam state length");
        assertClose("Adam's first moment m", adamHalf(single, singleState, 0), adamHalf(single, sparkState, 0));
        assertClose("Adam's second moment v", adamHalf(single, singleState, 1), adamHalf(single, sparkState, 1));
        assertEquals(single.getConfiguration().getIterationCount(), spark.graph().getConfiguration().getIterationCount(),
                "Adam's step count");
        assertClose("EMA", trainer.ema().params(), spark.emaParams());
        assertEquals(trainer.ema().step(), spark.info().emaStep(), "EMA step");
    }

    /**
     * Adam's m (half 0) or v (half 1) of every updater block, concatenated: DL4J's Adam keeps a block's state as
     * [m | v] in that block's part of the updater state view.
     */
    static INDArray adamHalf(ComputationGraph layout, INDArray stateView, int half) {
        INDArray flat = stateView.reshape(stateView.length());
        List<INDArray> parts = new ArrayList<>();
        for (UpdaterBlock block : layout.getUpdater().getUpdaterBlocks()) {
            long start = block.getUpdaterViewOffsetStart();
            long length = (block.getUpdaterViewOffsetEnd() - start) / 2;
            parts.add(flat.get(NDArrayIndex.interval(start + half * length, start + (half + 1) * length)));
        }
        return Nd4j.concat(0, parts.toArray(INDArray[]::new));
    }

    /** Every element within 1e-5 of the expected vector's largest magnitude. */
    static void assertClose(String what, INDArray expected, INDArray actual) {
        float[] e = expected.toFloatVector();
        float[] a = actual.toFloatVector();
        assertEquals(e.length, a.length, what + " length");
        double scale = 0;
        double maxDiff = 0;
        for (int i = 0; i < e.length; i++) {
            scale = Math.max(scale, Math.abs(e[i]));
            maxDiff = Math.max(maxDiff, Math.abs(e[i] - a[i]));
        }
        assertTrue(scale > 0, what + " is all zero: nothing compared");
        assertTrue(maxDiff <= 1e-5 * scale, what + ": max difference Spark vs single JVM " + maxDiff
                + ", largest magnitude " + scale);
    }

    @Test
    void twoWorkersLearnCheckpointAndResumeWhereTheyStopped() throws Exception {
        Path runDir = tmp.resolve("two-workers");
        assertEquals(0, train(runDir, "train.workers=2", "train.averaging-frequency=2", "train.epochs=3"));
        CheckpointStore store = CheckpointStore.open(runDir.toUri(), new Configuration());
        // 48 images dealt to 2 partitions of 24 → 6 batches of 4 per epoch → 3 rounds of 2 steps → 6 steps per epoch
        long afterThree = store.latest().orElseThrow().step();
        assertEquals(18, afterThree, "steps after 3 epochs");
        List<String> rows = Files.readAllLines(runDir.resolve("metrics.jsonl"));
        double first = TrainJobFixtures.loss(rows.get(0));
        double last = TrainJobFixtures.loss(rows.get(rows.size() - 1));
        assertTrue(last < 0.8 * first, "loss should fall: " + first + " -> " + last);
        assertTrue(Files.exists(runDir.resolve("loss.png")));
        assertTrue(Files.list(runDir.resolve("samples")).findAny().isPresent(), "sample grids written");
        String report = Files.readString(runDir.resolve("report.html"));
        assertTrue(report.contains("<figure class=\"chart\" id=\"loss-curve\"><svg"), "the loss curve, inline");
        assertTrue(report.contains("id=\"sample-grid\"><img src=\"data:image/png;base64,"), "the newest grid, inline");
        assertTrue(report.contains("<th>optimizer steps</th><td>18</td>"), "the report's counts");

        assertEquals(0, train(runDir, "train.workers=2", "train.averaging-frequency=2", "train.epochs=4",
                "train.resume=true"));
        long afterFour = store.latest().orElseThrow().step();
        assertEquals(24, afterFour, "one more epoch of 6 steps");
        List<String> resumedRows = Files.readAllLines(runDir.resolve("metrics.jsonl"));
        assertEquals(rows.size() + rows.size() / 3, resumedRows.size(), "the curve continues without a gap or repeat");
        assertEquals(rows, resumedRows.subList(0, rows.size()));
    }

    @Test
    void aReportThatCannotBeWrittenLeavesTheRunFinishedAndSucceeded() throws Exception {
        Path runDir = tmp.resolve("report-blocked");
        Files.createDirectories(runDir.resolve("report.html")); // a non-empty folder: nothing can be renamed over it
        Files.writeString(runDir.resolve("report.html/keep"), "x");
        assertEquals(0, train(runDir, "train.workers=1", "train.averaging-frequency=1", "train.max-steps=2",
                "train.sample-every-epochs=0"));
        CheckpointStore store = CheckpointStore.open(runDir.toUri(), new Configuration());
        assertEquals(2, store.latest().orElseThrow().step(), "the run's checkpoint is there");
        assertTrue(Files.isDirectory(runDir.resolve("report.html")), "no report replaced the folder");
        try (var files = Files.list(runDir)) {
            assertEquals(List.of(), files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList(),
                    "no temporary report left");
        }
    }

    @Test
    void workersTrainAtTheSqrtScaledRateUpToItsCeilingAfterAWarmUpCountedInImages() throws Exception {
        // one worker's schedule: 3e-3 after 4 warm-up steps; 2 workers: 3e-3 x sqrt(2) after 2 steps
        String[] run = {"train.workers=2", "train.averaging-frequency=2", "train.epochs=1", "train.warmup-steps=4",
                "train.sample-every-epochs=0"};
        Path scaled = tmp.resolve("sqrt-scaled");
        assertEquals(0, train(scaled, concat(run, "train.worker-scaling=sqrt", "train.max-learning-rate=0")));
        List<String> rows = Files.readAllLines(scaled.resolve("metrics.jsonl"));
        // the first round's row is logged at step 2, whose rate is the warm-up's end
        assertEquals(3e-3 * Math.sqrt(2), TrainJobFixtures.number(rows.get(0), "lr"), 1e-12, rows.get(0));
        Path unscaled = tmp.resolve("unscaled");
        assertEquals(0, train(unscaled, concat(run, "train.worker-scaling=none")));
        assertEquals(3e-3 * 3 / 4, TrainJobFixtures.number(Files.readAllLines(unscaled.resolve("metrics.jsonl")).get(0),
                "lr"), 1e-12);
        Path capped = tmp.resolve("sqrt-capped"); // the scaled rate stops at the ceiling
        assertEquals(0, train(capped, concat(run, "train.worker-scaling=sqrt", "train.max-learning-rate=3.5e-3")));
        assertEquals(3.5e-3, TrainJobFixtures.number(Files.readAllLines(capped.resolve("metrics.jsonl")).get(0), "lr"),
                1e-12);
    }

    @Test
    void aRunKilledBetweenCheckpointsResumesFromLatestAndTheCurveJoinsUp() throws Exception {
        Path runDir = tmp.resolve("killed");
        assertEquals(0, train(runDir, "train.workers=2", "train.averaging-frequency=2", "train.epochs=2",
                "train.sample-every-epochs=0"));
        CheckpointStore store = CheckpointStore.open(runDir.toUri(), new Configuration());
        assertEquals(12, store.latest().orElseThrow().step());
        List<String> beforeKill = Files.readAllLines(runDir.resolve("metrics.jsonl"));
        // What a driver killed later leaves behind: rows logged after the last checkpoint, and a checkpoint
        // whose write was cut short (no checkpoint.json, never renamed into place)
        List<String> killed = new ArrayList<>(beforeKill);
        killed.add("{\"step\":14,\"epoch\":2,\"loss\":123.456,\"lr\":0.003,\"images_per_s\":1.0,\"wall_s\":1.0}");
        Files.write(runDir.resolve("metrics.jsonl"), killed);
        Files.deleteIfExists(runDir.resolve(".metrics.jsonl.crc")); // Hadoop's local checksum of the old content
        Path partial = Files.createDirectories(runDir.resolve("checkpoints").resolve("_tmp-step-0000016-crashed"));
        Files.write(partial.resolve("model.zip"), new byte[] {1, 2, 3});

        assertEquals(0, train(runDir, "train.workers=2", "train.averaging-frequency=2", "train.epochs=3",
                "train.sample-every-epochs=0", "train.resume=true"));
        assertEquals(18, store.latest().orElseThrow().step(), "continued from step 12, not from the lost work");
        List<String> rows = Files.readAllLines(runDir.resolve("metrics.jsonl"));
        assertEquals(beforeKill, rows.subList(0, beforeKill.size()), "rows up to the checkpoint kept");
        assertEquals(beforeKill.size() + 3, rows.size(), "the rows of the lost work replaced by the rerun's");
        assertTrue(rows.stream().noneMatch(r -> r.contains("123.456")), "no row of the lost work survives");
        assertTrue(Files.notExists(partial), "the partial checkpoint was cleaned up");
    }

    @Test
    void nesterovWithRateOneAndNoMomentumIsPlainAveragingBitForBit() throws Exception {
        String[] run = {"train.workers=2", "train.averaging-frequency=2", "train.epochs=2", "train.sample-every-epochs=0"};
        Path average = tmp.resolve("outer-average");
        Path nesterov = tmp.resolve("outer-nesterov-1-0");
        assertEquals(0, train(average, concat(run, "train.outer-optimizer=average")));
        assertEquals(0, train(nesterov, concat(run, "train.outer-optimizer=nesterov", "train.outer-learning-rate=1",
                "train.outer-momentum=0")));
        LoadedCheckpoint a = latest(average);
        LoadedCheckpoint n = latest(nesterov);
        assertEquals(12, a.info().step());
        assertArrayEquals(a.graph().params().toFloatVector(), n.graph().params().toFloatVector());
        assertArrayEquals(a.emaParams().toFloatVector(), n.emaParams().toFloatVector());
        assertNull(a.outerMomentum(), "plain averaging keeps no outer state");
        assertTrue(n.outerMomentum() != null, "the outer momentum is checkpointed");
    }

    @Test
    void aResumedNesterovRunEqualsAnUninterruptedOneBitForBit() throws Exception {
        String[] run = {"train.workers=2", "train.averaging-frequency=2", "train.sample-every-epochs=0",
                "train.outer-optimizer=nesterov", "train.outer-learning-rate=0.7", "train.outer-momentum=0.9"};
        Path straight = tmp.resolve("nesterov-straight");
        Path resumed = tmp.resolve("nesterov-resumed");
        assertEquals(0, train(straight, concat(run, "train.epochs=3")));
        assertEquals(0, train(resumed, concat(run, "train.epochs=1")));
        assertEquals(0, train(resumed, concat(run, "train.epochs=3", "train.resume=true")));
        LoadedCheckpoint s = latest(straight);
        LoadedCheckpoint r = latest(resumed);
        assertEquals(18, r.info().step());
        assertArrayEquals(s.graph().params().toFloatVector(), r.graph().params().toFloatVector());
        assertArrayEquals(s.graph().getUpdater().getStateViewArray().toFloatVector(),
                r.graph().getUpdater().getStateViewArray().toFloatVector());
        assertArrayEquals(s.outerMomentum().toFloatVector(), r.outerMomentum().toFloatVector());
        assertArrayEquals(s.emaParams().toFloatVector(), r.emaParams().toFloatVector());

        // and the outer step changes the result: nesterov is not averaging in disguise
        Path average = tmp.resolve("average-straight");
        assertEquals(0, train(average, concat(run, "train.epochs=3", "train.outer-optimizer=average")));
        assertFalse(java.util.Arrays.equals(s.graph().params().toFloatVector(),
                latest(average).graph().params().toFloatVector()));
    }

    @Test
    void twentyFourWorkersTrainTheSameWeightsInEveryRun() throws Exception {
        // 24 partitions of 2 images, batch 1: the 24 results reach the driver through a shuffle and in the order
        // their tasks finish. DL4J's own tree aggregation added them in that order: other weights every run.
        String[] run = {"train.workers=24", "train.batch-size=1", "train.averaging-frequency=1", "train.epochs=2",
                "train.sample-every-epochs=0"};
        Path first = tmp.resolve("24-workers-a");
        Path second = tmp.resolve("24-workers-b");
        assertEquals(0, train(first, run));
        assertEquals(0, train(second, run));
        LoadedCheckpoint a = latest(first);
        LoadedCheckpoint b = latest(second);
        assertEquals(4, a.info().step());
        assertArrayEquals(a.graph().params().toFloatVector(), b.graph().params().toFloatVector(), "weights");
        assertArrayEquals(a.graph().getUpdater().getStateViewArray().toFloatVector(),
                b.graph().getUpdater().getStateViewArray().toFloatVector(), "Adam's moments");
        assertArrayEquals(a.emaParams().toFloatVector(), b.emaParams().toFloatVector(), "EMA");
    }

    private static LoadedCheckpoint latest(Path runDir) throws java.io.IOException {
        return CheckpointStore.open(runDir.toUri(), new Configuration()).loadLatest().orElseThrow();
    }

    private static String[] concat(String[] first, String... more) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    @Test
    void mixedDataSetsAddTheirWeightTimesTheImagesOfTrainDataToEveryEpoch() throws Exception {
        Path other = TrainJobFixtures.preparedCorpus(tmp.resolve("mix-source")); // 48 more images, the same classes
        // one worker, batch 4: an epoch of n images is n / 4 steps; train.data has 48
        int[][] cases = {{0, 12}, {1, 18}, {3, 30}}; // weight 0.5 adds 24 images, 1.5 adds 72 (all 48, then 24)
        String[] weights = {null, "0.5", "1.5"};
        for (int c = 0; c < cases.length; c++) {
            Path runDir = tmp.resolve("mix-" + c);
            List<String> sets = new ArrayList<>(List.of("train.workers=1", "train.epochs=1", "train.sample-every-epochs=0",
                    "train.validation.images=0"));
            if (weights[c] != null) {
                sets.add("train.mix=[{ data = \"" + other + "\", weight = " + weights[c] + " }]");
            }
            assertEquals(0, train(runDir, sets.toArray(String[]::new)), "weight " + weights[c]);
            LoadedCheckpoint done = CheckpointStore.open(runDir.toUri(), new Configuration()).loadLatest().orElseThrow();
            assertEquals(cases[c][1], done.info().step(), "steps of one epoch at weight " + weights[c]);
        }

        Path small = tmp.resolve("mix-source").resolve("prepared-4px");
        assertEquals(0, PrepareJob.run("--set", "prepare.input=" + tmp.resolve("mix-source").resolve("corpus"), "--set",
                "prepare.output=" + small, "--set", "prepare.size=4", "--set", "prepare.validation-fraction=0"));
        GenerationFixtures.Result refused = GenerationFixtures.capturingStderr(() -> train(tmp.resolve("mix-bad"),
                "train.mix=[{ data = \"" + small + "\", weight = 1 }]"));
        assertEquals(2, refused.code(), refused.stderr());
        assertTrue(refused.stderr().contains("train.mix[0]") && refused.stderr().contains("1x4x4"), refused.stderr());
        GenerationFixtures.Result zero = GenerationFixtures.capturingStderr(() -> train(tmp.resolve("mix-zero"),
                "train.mix=[{ data = \"" + other + "\", weight = 0 }]"));
        assertEquals(2, zero.code(), zero.stderr());
        assertTrue(zero.stderr().contains("train.mix[0].weight"), zero.stderr());
    }

    @Test
    void aDivergedRunStopsWithExit1AndOneLineAndWritesNoCheckpoint() throws Exception {
        Path runDir = tmp.resolve("diverged");
        GenerationFixtures.Result result = GenerationFixtures.capturingStderr(() -> train(runDir, "train.workers=2",
                "train.learning-rate=1e30", "train.warmup-steps=0", "train.gradient-clip=0", "train.max-steps=8",
                "train.sample-every-epochs=0"));
        assertEquals(1, result.code(), result.stderr());
        assertTrue(result.stderr().contains("training diverged: the loss is NaN at step")
                && result.stderr().strip().lines().count() == 1, result.stderr());
        List<String> rows = Files.readAllLines(runDir.resolve("metrics.jsonl"));
        assertTrue(rows.get(rows.size() - 1).contains("\"loss\":\"NaN\""), "the last row shows it: " + rows);
        assertFalse(Files.exists(runDir.resolve("checkpoints").resolve("LATEST")), "no checkpoint of NaN weights");
    }

    @Test
    void badInputExitsWith2AndOneLine() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true));
        try {
            assertEquals(2, TrainJob.run("--set", "train.data=" + tmp.resolve("missing"), "--set",
                    "train.run-dir=" + tmp.resolve("r1")));
            assertTrue(err.toString().contains("not a complete PrepareJob output"), err.toString());

            Path noShards = copyOfPrepared("no-shards");
            try (var files = Files.list(noShards.resolve("shards"))) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            err.reset();
            assertEquals(2, train(tmp.resolve("r2"), "train.data=" + noShards));
            assertTrue(err.toString().contains("no Parquet shards"), err.toString());

            Path future = copyOfPrepared("future-version");
            String manifest = Files.readString(future.resolve("manifest.json"));
            Files.writeString(future.resolve("manifest.json"),
                    manifest.replaceFirst("\"formatVersion\"\\s*:\\s*1", "\"formatVersion\" : 99"));
            Files.deleteIfExists(future.resolve(".manifest.json.crc"));
            err.reset();
            assertEquals(2, train(tmp.resolve("r3"), "train.data=" + future));
            assertTrue(err.toString().contains("format version 99"), err.toString());

            Path runDir = tmp.resolve("respec");
            assertEquals(0, train(runDir, "train.workers=2", "train.max-steps=2", "train.sample-every-epochs=0"));
            err.reset();
            assertEquals(2, train(runDir, "train.resume=true", "train.model.base-channels=4"));
            assertTrue(err.toString().contains("cannot resume"), err.toString());
            err.reset();
            assertEquals(2, train(runDir, "train.max-steps=4"), "an existing run is not silently overwritten");
            assertTrue(err.toString().contains("already has checkpoints"), err.toString());
            assertEquals(1, err.toString().strip().lines().count());
        } finally {
            System.setErr(old);
        }
    }

    /** A copy of the prepared data set that a test may damage. */
    static Path copyOfPrepared(String name) throws java.io.IOException {
        Path copy = tmp.resolve(name);
        try (var paths = Files.walk(prepared)) {
            for (Path source : paths.toList()) {
                Files.copy(source, copy.resolve(prepared.relativize(source).toString()));
            }
        }
        return copy;
    }
}
