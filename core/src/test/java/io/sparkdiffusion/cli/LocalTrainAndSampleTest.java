package io.sparkdiffusion.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkdiffusion.checkpoint.CheckpointStore;
import io.sparkdiffusion.checkpoint.LoadedCheckpoint;
import io.sparkdiffusion.image.PngImages;
import io.sparkdiffusion.image.Uint8Image;
import io.sparkdiffusion.train.NetworkOptimizerSettings;
import io.sparkdiffusion.train.WarmupSchedule;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalTrainAndSampleTest {
    @TempDir
    Path tmp;

    /** A folder-per-class tree of 8x8 grayscale PNGs: two classes, a few images each. */
    Path corpus() throws Exception {
        SplittableRandom random = new SplittableRandom(3);
        for (String cls : List.of("bars", "squares")) {
            Path dir = Files.createDirectories(tmp.resolve("corpus").resolve(cls));
            for (int i = 0; i < 12; i++) {
                byte[] pixels = new byte[64];
                for (int p = 0; p < 64; p++) {
                    pixels[p] = (byte) random.nextInt(256);
                }
                Files.write(dir.resolve(i + ".png"), PngImages.encode(new Uint8Image(1, 8, 8, pixels)));
            }
        }
        return tmp.resolve("corpus");
    }

    List<String> tinyRun(Path data, Path runDir, int steps, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "--set", "local.data=" + data, "--set", "local.run-dir=" + runDir,
                "--set", "local.max-steps=" + steps, "--set", "local.batch-size=8", "--set", "local.log-every=2",
                "--set", "local.checkpoint-every=2", "--set", "local.model.base-channels=8",
                "--set", "local.model.channel-multipliers=[1,2]", "--set", "local.model.groups=4",
                "--set", "local.model.time-embedding-dim=16", "--set", "local.schedule.timesteps=50",
                "--set", "local.sample.count=4", "--set", "local.sample.steps=3", "--set", "local.conditional=true"));
        for (String m : more) {
            args.add("--set");
            args.add(m);
        }
        return args;
    }

    int run(List<String> args, ByteArrayOutputStream err) {
        PrintStream oldErr = System.err;
        System.setErr(new PrintStream(err, true));
        try {
            return JobRunner.run("local", "usage", args.toArray(String[]::new), LocalTrainAndSample::run);
        } finally {
            System.setErr(oldErr);
        }
    }

    @Test
    void emptyRunDirIsRefusedWithOneLineNamingTheKey() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, run(tinyRun(corpus(), tmp.resolve("unused"), 2, "local.run-dir=\"\""), err), err.toString());
        List<String> lines = err.toString().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), err.toString());
        assertTrue(lines.get(0).contains("local.run-dir"), lines.get(0));
    }

    @Test
    void aDivergedRunStopsWithExit1AndOneLineAndWritesNoCheckpoint() throws Exception {
        Path runDir = tmp.resolve("diverged");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(1, run(tinyRun(corpus(), runDir, 6, "local.learning-rate=1e30", "local.warmup-steps=0"), err),
                err.toString());
        List<String> lines = err.toString().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), err.toString());
        assertTrue(lines.get(0).contains("training diverged: the loss is NaN at step"), lines.get(0));
        assertTrue(Files.readString(runDir.resolve("metrics.jsonl")).contains("\"loss\":\"NaN\""), "the row is kept");
        assertFalse(Files.exists(runDir.resolve("checkpoints").resolve("LATEST")), "no checkpoint of NaN weights");
    }

    @Test
    void samplerTypoIsRefusedBeforeTraining() throws Exception {
        Path runDir = tmp.resolve("run");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, run(tinyRun(corpus(), runDir, 2, "local.sample.sampler=ddimm"), err), err.toString());
        assertTrue(err.toString().strip().contains("'local.sample.sampler'"), err.toString());
        assertFalse(Files.exists(runDir), "no training before the refusal");
    }

    @Test
    void trainsCheckpointsSamplesAndResumesAtTheSavedStep() throws Exception {
        Path data = corpus();
        Path runDir = tmp.resolve("run");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, run(tinyRun(data, runDir, 4), err), err.toString());
        assertTrue(Files.exists(runDir.resolve("samples/step-0000004.png")));
        assertTrue(Files.exists(runDir.resolve("metrics.jsonl")));
        assertTrue(Files.exists(runDir.resolve("loss.png")));
        CheckpointStore store = CheckpointStore.open(runDir.toUri(), new Configuration());
        assertEquals(4, store.latest().orElseThrow().step());
        Uint8Image grid = PngImages.decode(Files.readAllBytes(runDir.resolve("samples/step-0000004.png")));
        assertEquals(1, grid.channels());

        assertEquals(0, run(tinyRun(data, runDir, 6, "local.resume=true"), err), err.toString());
        assertEquals(6, store.latest().orElseThrow().step());
        List<String> rows = Files.readAllLines(runDir.resolve("metrics.jsonl"));
        assertEquals(3, rows.size(), "rows at steps 2, 4 and (resumed) 6: " + rows);
        assertTrue(rows.get(2).contains("\"step\":6"));
    }

    @Test
    void resumingWithAnotherModelIsAnInputError() throws Exception {
        Path data = corpus();
        Path runDir = tmp.resolve("run");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, run(tinyRun(data, runDir, 2), err), err.toString());
        int code = run(tinyRun(data, runDir, 4, "local.resume=true", "local.model.base-channels=4"), err);
        assertEquals(2, code);
        assertTrue(err.toString().contains("cannot resume"), err.toString());
    }

    @Test
    void aResumeTrainsWithTheConfiguredLearningRateNotTheCheckpoints() throws Exception {
        Path data = corpus();
        Path runDir = tmp.resolve("run");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, run(tinyRun(data, runDir, 2), err), err.toString());
        assertEquals(0, run(tinyRun(data, runDir, 4, "local.resume=true", "local.learning-rate=1e-3",
                "local.warmup-steps=0"), err), err.toString());
        List<Map<String, Object>> rows = lossRows(runDir);
        assertEquals(4, ((Number) rows.get(1).get("step")).intValue());
        assertEquals(1e-3, ((Number) rows.get(1).get("lr")).doubleValue(), 1e-15, "the resumed steps' rate");
        LoadedCheckpoint latest = CheckpointStore.open(runDir.toUri(), new Configuration()).loadLatest().orElseThrow();
        assertEquals(new WarmupSchedule(1e-3, 0), NetworkOptimizerSettings.learningRate(latest.graph()),
                "the next checkpoint trains on with it");
    }

    /** The one line on stderr of a refusal (exit 2). */
    static String oneLine(ByteArrayOutputStream err) {
        List<String> lines = err.toString().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), err.toString());
        return lines.get(0);
    }

    @Test
    void aSecondRunIntoTheSameRunDirWithoutResumeIsRefusedAndLeavesTheFirstIntact() throws Exception {
        Path data = corpus();
        Path runDir = tmp.resolve("run");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, run(tinyRun(data, runDir, 4), err), err.toString());
        byte[] metrics = Files.readAllBytes(runDir.resolve("metrics.jsonl"));
        CheckpointStore store = CheckpointStore.open(runDir.toUri(), new Configuration());
        List<String> checkpoints = store.list().stream().map(r -> r.name()).toList();
        byte[] model = Files.readAllBytes(runDir.resolve("checkpoints/step-0000004/model.zip"));

        err.reset();
        assertEquals(2, run(tinyRun(data, runDir, 2), err), "an existing run is not silently overwritten");
        String line = oneLine(err);
        assertTrue(line.contains("already has checkpoints") && line.contains("local.resume=true")
                && line.contains("local.run-dir"), line);
        assertArrayEquals(metrics, Files.readAllBytes(runDir.resolve("metrics.jsonl")), "metrics.jsonl untouched");
        assertEquals(checkpoints, store.list().stream().map(r -> r.name()).toList());
        assertArrayEquals(model, Files.readAllBytes(runDir.resolve("checkpoints/step-0000004/model.zip")));
        assertFalse(Files.exists(runDir.resolve("samples/step-0000002.png")), "refused before training");
    }

    @Test
    void aRunDirWithMetricsButNoCheckpointIsRefusedWithoutResume() throws Exception {
        Path runDir = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(runDir.resolve("metrics.jsonl"), "{\"step\":2,\"loss\":1.0}\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, run(tinyRun(corpus(), runDir, 2), err));
        String line = oneLine(err);
        assertTrue(line.contains("metrics.jsonl") && line.contains("local.run-dir"), line);
        assertEquals("{\"step\":2,\"loss\":1.0}\n", Files.readString(runDir.resolve("metrics.jsonl")));
    }

    @Test
    void aResumeNeverStartsFromScratchWhenCheckpointsExistButNoneIsReadable() throws Exception {
        Path data = corpus();
        Path runDir = tmp.resolve("run");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, run(tinyRun(data, runDir, 2), err), err.toString());
        byte[] metrics = Files.readAllBytes(runDir.resolve("metrics.jsonl"));
        Path checkpoints = runDir.resolve("checkpoints");
        Path step = checkpoints.resolve("step-0000002");
        // what a crash while replacing the only checkpoint leaves on an object store: the old copy moved aside
        Path old = checkpoints.resolve("_old-step-0000002-crashed");
        Files.move(step, old);
        Files.delete(checkpoints.resolve("LATEST"));
        Files.deleteIfExists(checkpoints.resolve(".LATEST.crc"));
        err.reset();
        assertEquals(2, run(tinyRun(data, runDir, 4, "local.resume=true"), err), "not a new run from step 0");
        String line = oneLine(err);
        assertTrue(line.contains("_old-step-0000002-crashed") && line.contains("local.run-dir"), line);
        err.reset();
        assertEquals(2, run(tinyRun(data, runDir, 4), err), "nor without local.resume");
        assertTrue(oneLine(err).contains("_old-step-0000002-crashed"), err.toString());
        assertArrayEquals(metrics, Files.readAllBytes(runDir.resolve("metrics.jsonl")), "metrics.jsonl untouched");

        // a checkpoint that cannot be read
        Files.move(old, step);
        Files.write(step.resolve("model.zip"), new byte[] {1, 2, 3});
        Files.deleteIfExists(step.resolve(".model.zip.crc"));
        err.reset();
        assertEquals(2, run(tinyRun(data, runDir, 4, "local.resume=true"), err));
        line = oneLine(err);
        assertTrue(line.contains("step-0000002") && line.contains("cannot be read"), line);
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(step.resolve("model.zip")));
        assertArrayEquals(metrics, Files.readAllBytes(runDir.resolve("metrics.jsonl")), "metrics.jsonl untouched");
        assertFalse(Files.exists(runDir.resolve("samples/step-0000004.png")), "nothing trained");
    }

    @Test
    void resumingWithAnotherScheduleOrSeedIsRefusedNamingTheKey() throws Exception {
        Path data = corpus();
        Path runDir = tmp.resolve("run");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, run(tinyRun(data, runDir, 2), err), err.toString());
        byte[] metrics = Files.readAllBytes(runDir.resolve("metrics.jsonl"));

        err.reset();
        assertEquals(2, run(tinyRun(data, runDir, 4, "local.resume=true", "local.schedule.timesteps=60"), err));
        String line = oneLine(err);
        assertTrue(line.contains("cannot resume") && line.contains("local.schedule"), line);

        err.reset();
        assertEquals(2, run(tinyRun(data, runDir, 4, "local.resume=true", "local.seed=5"), err));
        line = oneLine(err);
        assertTrue(line.contains("cannot resume") && line.contains("local.seed"), line);

        CheckpointStore store = CheckpointStore.open(runDir.toUri(), new Configuration());
        assertEquals(2, store.latest().orElseThrow().step(), "nothing trained");
        assertArrayEquals(metrics, Files.readAllBytes(runDir.resolve("metrics.jsonl")));
    }

    /**
     * A run stopped at step 4 (mid-epoch: 24 images in batches of 8 are 3 steps an epoch) and resumed to step 8 is the
     * run that never stopped, bit for bit: the same weights, Adam moments and iteration count, EMA and EMA step,
     * position, loss rows and sample grid. Every step is the same arithmetic in the same order on the same inputs
     * (data order and noise come from (seed, epoch, batch), the checkpoint stores float32 state exactly), so no
     * tolerance is needed; 2 replicas are set explicitly so the split of each batch does not depend on the machine.
     */
    @Test
    void aRunResumedMidEpochEqualsTheRunThatNeverStoppedBitForBit() throws Exception {
        Path data = corpus();
        Path straight = tmp.resolve("straight");
        Path resumed = tmp.resolve("resumed");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, run(tinyRun(data, straight, 8, "local.replicas=2"), err), err.toString());
        assertEquals(0, run(tinyRun(data, resumed, 4, "local.replicas=2"), err), err.toString());
        assertEquals(0, run(tinyRun(data, resumed, 8, "local.replicas=2", "local.resume=true"), err), err.toString());

        LoadedCheckpoint a = CheckpointStore.open(straight.toUri(), new Configuration()).loadLatest().orElseThrow();
        LoadedCheckpoint b = CheckpointStore.open(resumed.toUri(), new Configuration()).loadLatest().orElseThrow();
        assertEquals(8, a.info().step());
        assertEquals(a.info().step(), b.info().step());
        assertEquals(a.info().epoch(), b.info().epoch());
        assertEquals(a.info().trainerLong("batchInEpoch", -1), b.info().trainerLong("batchInEpoch", -1));
        assertArrayEquals(a.graph().params().toFloatVector(), b.graph().params().toFloatVector(), "weights");
        assertArrayEquals(a.graph().getUpdater().getStateViewArray().toFloatVector(),
                b.graph().getUpdater().getStateViewArray().toFloatVector(), "Adam's moments");
        assertEquals(a.graph().getConfiguration().getIterationCount(),
                b.graph().getConfiguration().getIterationCount(), "Adam's step count (bias correction, warm-up)");
        assertArrayEquals(a.emaParams().toFloatVector(), b.emaParams().toFloatVector(), "EMA");
        assertEquals(a.info().emaStep(), b.info().emaStep());

        List<Map<String, Object>> rowsA = lossRows(straight);
        assertEquals(4, rowsA.size(), "rows at steps 2, 4, 6, 8: " + rowsA);
        assertEquals(rowsA, lossRows(resumed), "step, epoch, loss and learning rate of every row");
        assertArrayEquals(Files.readAllBytes(straight.resolve("samples/step-0000008.png")),
                Files.readAllBytes(resumed.resolve("samples/step-0000008.png")), "the sample grid of the EMA");
    }

    /** The metrics rows without their timings (images/s, wall time), which differ from run to run. */
    static List<Map<String, Object>> lossRows(Path runDir) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String line : Files.readAllLines(runDir.resolve("metrics.jsonl"))) {
            Map<String, Object> row = json.readValue(line, new TypeReference<Map<String, Object>>() { });
            row.keySet().retainAll(List.of("step", "epoch", "loss", "lr"));
            assertEquals(4, row.size(), line);
            rows.add(row);
        }
        return rows;
    }

    /** The old name local.steps trains the very run local.max-steps does, and says once that it is deprecated. */
    @Test
    void theOldStepsKeyGivesTheRunOfMaxStepsAndOneDeprecationLine() throws Exception {
        Path data = corpus();
        Path withNew = tmp.resolve("new");
        Path withOld = tmp.resolve("old");
        ByteArrayOutputStream errNew = new ByteArrayOutputStream();
        assertEquals(0, run(tinyRun(data, withNew, 4, "local.replicas=2"), errNew), errNew.toString());
        List<String> old = tinyRun(data, withOld, 4, "local.replicas=2");
        old.set(old.indexOf("local.max-steps=4"), "local.steps=4");
        ByteArrayOutputStream errOld = new ByteArrayOutputStream();
        assertEquals(0, run(old, errOld), errOld.toString());

        assertEquals("local.steps is deprecated: use local.max-steps", oneLine(errOld));
        assertEquals("", errNew.toString().strip());
        LoadedCheckpoint a = CheckpointStore.open(withNew.toUri(), new Configuration()).loadLatest().orElseThrow();
        LoadedCheckpoint b = CheckpointStore.open(withOld.toUri(), new Configuration()).loadLatest().orElseThrow();
        assertEquals(4, b.info().step());
        assertArrayEquals(a.graph().params().toFloatVector(), b.graph().params().toFloatVector(), "weights");
        assertArrayEquals(a.emaParams().toFloatVector(), b.emaParams().toFloatVector(), "EMA");
        assertEquals(lossRows(withNew), lossRows(withOld));
    }

    /** local.conditional takes auto, true and false as train.conditional does, and the booleans it took before. */
    @Test
    void conditionalAutoTrainsOnTheClassesAndTheOldBooleanSpellingsStillWork() throws Exception {
        Path data = corpus();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        for (String value : List.of("auto", "true", "yes", "false", "off")) {
            Path runDir = tmp.resolve("conditional-" + value);
            assertEquals(0, run(tinyRun(data, runDir, 2, "local.conditional=" + value), err), err.toString());
            int classes = CheckpointStore.open(runDir.toUri(), new Configuration()).loadLatest().orElseThrow()
                    .info().model().numClasses();
            assertEquals(value.equals("false") || value.equals("off") ? 0 : 2, classes, value);
        }
        err.reset();
        assertEquals(2, run(tinyRun(data, tmp.resolve("bad"), 2, "local.conditional=maybe"), err));
        assertTrue(oneLine(err).contains("'local.conditional'"), err.toString());
    }

    /** As TrainJob: a resume of a run that reached its limits writes nothing (a rewritten checkpoint is a new one). */
    @Test
    void resumingAFinishedRunSaysSoAndLeavesTheRunAsItIs() throws Exception {
        Path data = corpus();
        Path runDir = tmp.resolve("run");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, run(tinyRun(data, runDir, 4), err), err.toString());
        Path info = runDir.resolve("checkpoints/step-0000004/checkpoint.json");
        byte[] before = Files.readAllBytes(info);
        byte[] metrics = Files.readAllBytes(runDir.resolve("metrics.jsonl"));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        System.setOut(new PrintStream(out, true));
        try {
            assertEquals(0, run(tinyRun(data, runDir, 4, "local.resume=true"), err), err.toString());
        } finally {
            System.setOut(oldOut);
        }
        assertTrue(out.toString().contains("is at step 4, epoch 1: nothing to do for local.epochs = 1000000, "
                + "local.max-steps = 4"), out.toString());
        assertArrayEquals(before, Files.readAllBytes(info), "the checkpoint is not rewritten");
        assertArrayEquals(metrics, Files.readAllBytes(runDir.resolve("metrics.jsonl")));
    }

    @Test
    void missingDataAndUnknownKeysExitWithCode2AndOneLine() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, run(tinyRun(tmp.resolve("nowhere"), tmp.resolve("run"), 2), err));
        assertTrue(err.toString().contains("does not exist"), err.toString());
        assertEquals(1, err.toString().strip().lines().count(), err.toString());

        ByteArrayOutputStream err2 = new ByteArrayOutputStream();
        assertEquals(2, run(List.of("--set", "local.max-stepz=3"), err2));
        assertTrue(err2.toString().contains("local.max-steps"), "suggests the right key: " + err2);
    }
}
