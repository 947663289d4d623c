package io.sparkdiffusion.jobs;

import io.sparkdiffusion.checkpoint.CheckpointInfo;
import io.sparkdiffusion.checkpoint.CheckpointStore;
import io.sparkdiffusion.checkpoint.LoadedCheckpoint;
import io.sparkdiffusion.train.WarmupSchedule;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.learning.config.Adam;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@code --resume} refuses, applies and leaves alone (issue 18, items 1 to 4 and 21). */
class TrainJobResumeTest {
    /** 48 images in 2 partitions of 24, batches of 4, averaging every 2 steps: 3 rounds, 6 steps per epoch. */
    private static final String[] TWO_WORKERS = {"train.workers=2", "train.averaging-frequency=2",
            "train.sample-every-epochs=0"};

    @TempDir
    static Path tmp;
    static SparkSession spark;
    static Path prepared;

    @BeforeAll
    static void prepareData() throws Exception {
        spark = SparkSession.builder().master("local[2]").appName("train-resume-test")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").getOrCreate();
        prepared = TrainJobFixtures.preparedCorpus(tmp);
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @Test
    void aMidEpochCheckpointIsNotResumedWithAnotherWorkerCountBatchSizeOrAveragingFrequency() throws Exception {
        Path runDir = tmp.resolve("mid-epoch-layout");
        // stops after the first of epoch 1's 3 rounds (step 8): a checkpoint in the middle of an epoch
        assertEquals(0, train(runDir, with(TWO_WORKERS, "train.max-steps=8")).code());
        assertEquals(1, latest(runDir).info().trainerLong("roundInEpoch", -1));
        Map<String, String> before = snapshot(runDir);
        // workers=8: 6 images a partition, 2 batches, 1 round an epoch: round 1 is past its end (once a job that never ended)
        for (String key : List.of("train.workers=4", "train.workers=8", "train.batch-size=8",
                "train.averaging-frequency=3", "train.split=all")) {
            Run run = train(runDir, with(TWO_WORKERS, "train.max-steps=12", "train.resume=true", key));
            assertEquals(2, run.code(), key + " would resume at another place in the epoch");
            assertTrue(run.err().contains(key.substring(0, key.indexOf('='))), run.err());
            assertEquals(1, run.err().strip().lines().count(), run.err());
        }
        assertEquals(before, snapshot(runDir), "a refused resume changes nothing");
    }

    @Test
    void aMidEpochCheckpointOfAnOlderBuildIsNotResumedPastTheEndOfTheEpoch() throws Exception {
        Path runDir = tmp.resolve("older-mid-epoch");
        assertEquals(0, train(runDir, with(TWO_WORKERS, "train.max-steps=8")).code());
        // what a build before the layout was recorded wrote: the position and the outer optimizer only
        Path json = runDir.resolve("checkpoints/step-0000008/checkpoint.json");
        CheckpointInfo info = CheckpointInfo.fromJson(Files.readString(json));
        Map<String, Object> state = new java.util.HashMap<>(info.trainerState());
        state.keySet().retainAll(List.of("roundInEpoch", "outerOptimizer"));
        Files.writeString(json, info.withTrainerState(state).toJson());
        Files.deleteIfExists(json.resolveSibling(".checkpoint.json.crc"));

        Run pastTheEnd = train(runDir, with(TWO_WORKERS, "train.max-steps=12", "train.resume=true", "train.workers=8"));
        assertEquals(2, pastTheEnd.code(), "refused, not a loop without end");
        assertTrue(pastTheEnd.err().contains("cannot resume at round 1 of epoch 1"), pastTheEnd.err());
        assertEquals(8, latest(runDir).info().step());

        Run same = train(runDir, with(TWO_WORKERS, "train.max-steps=12", "train.resume=true"));
        assertEquals(0, same.code());
        assertTrue(same.out().contains("assumes they are unchanged"), same.out());
        assertEquals(12, latest(runDir).info().step());
    }

    @Test
    void aResumeAppliesAChangedLearningRateWarmUpGradientClipAndWorkerCountAndSaysSo() throws Exception {
        Path runDir = tmp.resolve("changed-rate");
        assertEquals(0, train(runDir, with(TWO_WORKERS, "train.epochs=1")).code());
        Run changed = train(runDir, with(TWO_WORKERS, "train.epochs=2", "train.resume=true",
                "train.learning-rate=1e-3", "train.warmup-steps=9", "train.gradient-clip=0.5"));
        assertEquals(0, changed.code());
        for (String key : List.of("train.learning-rate", "train.warmup-steps", "train.gradient-clip")) {
            assertTrue(changed.out().contains(key), key + " not reported as changed: " + changed.out());
        }
        List<String> rows = Files.readAllLines(runDir.resolve("metrics.jsonl"));
        assertEquals(6, rows.size());
        // linear scaling for 2 workers: 1e-3 x 2 after ceil(9 / 2) = 5 warm-up steps; step 8 is past them
        assertEquals(2e-3, TrainJobFixtures.number(rows.get(3), "lr"), 1e-12, rows.get(3));
        LoadedCheckpoint two = latest(runDir);
        assertEquals(new WarmupSchedule(2e-3, 5), schedule(two), "the checkpoint trains on with the new rate");
        assertEquals(0.5, clip(two), "and the new gradient clip");

        // a new worker count at an epoch boundary is a new position-independent layout, but a new schedule
        Run moreWorkers = train(runDir, with(TWO_WORKERS, "train.epochs=3", "train.resume=true",
                "train.learning-rate=1e-3", "train.warmup-steps=9", "train.gradient-clip=0.5", "train.workers=3"));
        assertEquals(0, moreWorkers.code());
        assertTrue(moreWorkers.out().contains("train.workers"), moreWorkers.out());
        List<String> three = Files.readAllLines(runDir.resolve("metrics.jsonl"));
        assertEquals(3e-3, TrainJobFixtures.number(three.get(6), "lr"), 1e-12, three.get(6));
        assertEquals(new WarmupSchedule(3e-3, 3), schedule(latest(runDir)));
    }

    @Test
    void aResumeOnDataWhoseClassesWereRenamedIsRefused() throws Exception {
        Path runDir = tmp.resolve("renamed-class");
        assertEquals(0, train(runDir, with(TWO_WORKERS, "train.max-steps=2")).code());
        Path renamed = copyOfPrepared("prepared-renamed");
        String manifest = Files.readString(renamed.resolve("manifest.json"));
        assertTrue(manifest.contains("\"squares\""));
        Files.writeString(renamed.resolve("manifest.json"), manifest.replace("\"squares\"", "\"circles\""));
        Files.deleteIfExists(renamed.resolve(".manifest.json.crc"));
        Map<String, String> before = snapshot(runDir);
        Run run = trainOn(renamed, runDir, with(TWO_WORKERS, "train.max-steps=4", "train.resume=true"));
        assertEquals(2, run.code(), "label 1 would now mean another class");
        assertTrue(run.err().contains("squares") && run.err().contains("circles"), run.err());
        assertEquals(1, run.err().strip().lines().count(), run.err());

        // the same classes, one image fewer (say a file that no longer decodes): every image in another batch
        Path smaller = copyOfPrepared("prepared-smaller");
        String fewer = manifest.replaceFirst("\"bars\"\\s*:\\s*24", "\"bars\" : 23");
        assertTrue(!fewer.equals(manifest), manifest);
        Files.writeString(smaller.resolve("manifest.json"), fewer);
        Files.deleteIfExists(smaller.resolve(".manifest.json.crc"));
        Run shrunk = trainOn(smaller, runDir, with(TWO_WORKERS, "train.max-steps=4", "train.resume=true"));
        assertEquals(2, shrunk.code());
        assertTrue(shrunk.err().contains("bars=23"), shrunk.err());
        assertEquals(before, snapshot(runDir));
    }

    @Test
    void resumingAFinishedRunChangesNothing() throws Exception {
        for (String stop : List.of("train.epochs=1", "train.max-steps=8")) {
            Path runDir = tmp.resolve("finished-" + stop.substring(6, stop.indexOf('=')));
            assertEquals(0, train(runDir, with(TWO_WORKERS, stop)).code());
            Map<String, String> before = snapshot(runDir);
            Run again = train(runDir, with(TWO_WORKERS, stop, "train.resume=true"));
            assertEquals(0, again.code());
            assertTrue(again.out().contains("nothing to do"), again.out());
            assertEquals(before, snapshot(runDir), "no checkpoint, LATEST or metrics rewritten after " + stop);
        }
    }

    @Test
    void aResumeNeverStartsFromScratchWhenCheckpointsExistButNoneIsReadable() throws Exception {
        Path runDir = tmp.resolve("unreadable");
        assertEquals(0, train(runDir, with(TWO_WORKERS, "train.max-steps=2", "train.keep-checkpoints=1")).code());
        Path checkpoints = runDir.resolve("checkpoints");
        Path step = checkpoints.resolve("step-0000002");
        // what a crash while replacing the only checkpoint leaves on an object store: the old copy moved aside
        Path old = checkpoints.resolve("_old-step-0000002-crashed");
        Files.move(step, old);
        Files.delete(checkpoints.resolve("LATEST"));
        Files.deleteIfExists(checkpoints.resolve(".LATEST.crc"));
        Run aside = train(runDir, with(TWO_WORKERS, "train.max-steps=4", "train.resume=true"));
        assertEquals(2, aside.code(), "not a new run from step 0");
        assertTrue(aside.err().contains("_old-step-0000002-crashed"), aside.err());
        assertEquals(1, aside.err().strip().lines().count(), aside.err());
        Run fresh = train(runDir, with(TWO_WORKERS, "train.max-steps=4"));
        assertEquals(2, fresh.code(), "nor without --resume");
        assertTrue(Files.notExists(step) && Files.exists(old));

        // a checkpoint that cannot be read
        Files.move(old, step);
        Files.write(step.resolve("model.zip"), new byte[] {1, 2, 3});
        Files.deleteIfExists(step.resolve(".model.zip.crc"));
        Run corrupt = train(runDir, with(TWO_WORKERS, "train.max-steps=4", "train.resume=true"));
        assertEquals(2, corrupt.code());
        assertTrue(corrupt.err().contains("step-0000002"), corrupt.err());
        assertEquals(1, corrupt.err().strip().lines().count(), corrupt.err());
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(step.resolve("model.zip")));
    }

    @Test
    void aRunDirWithMetricsButNoCheckpointIsRefusedWithoutResume() throws Exception {
        Path runDir = Files.createDirectories(tmp.resolve("metrics-only"));
        Files.writeString(runDir.resolve("metrics.jsonl"), "{\"step\":2,\"loss\":1.0}\n");
        Run fresh = train(runDir, with(TWO_WORKERS, "train.max-steps=2"));
        assertEquals(2, fresh.code(), "an earlier run's metrics are not truncated");
        assertEquals(1, fresh.err().strip().lines().count(), fresh.err());
        assertTrue(fresh.err().contains("metrics.jsonl") && fresh.err().contains("train.run-dir"), fresh.err());
        assertEquals("{\"step\":2,\"loss\":1.0}\n", Files.readString(runDir.resolve("metrics.jsonl")));
        assertTrue(Files.notExists(runDir.resolve("checkpoints")), "refused before training");
    }

    @Test
    void aRunStoppedMidEpochAndResumedEqualsAnUninterruptedOneBitForBit() throws Exception {
        Path straight = tmp.resolve("uninterrupted");
        Path resumed = tmp.resolve("stopped-at-step-8");
        assertEquals(0, train(straight, with(TWO_WORKERS, "train.epochs=2")).code());
        assertEquals(0, train(resumed, with(TWO_WORKERS, "train.epochs=2", "train.max-steps=8")).code());
        assertEquals(1, latest(resumed).info().trainerLong("roundInEpoch", -1), "stopped in the middle of epoch 1");
        assertEquals(0, train(resumed, with(TWO_WORKERS, "train.epochs=2", "train.resume=true")).code());

        // Everything is deterministic here: the same batches from (seed, epoch, partition, batch), float32
        // tensors saved exactly, the same reductions in the same order. So equal means equal, bit for bit.
        LoadedCheckpoint s = latest(straight);
        LoadedCheckpoint r = latest(resumed);
        assertEquals(12, r.info().step());
        assertEquals(s.info().epoch(), r.info().epoch());
        assertEquals(s.info().emaStep(), r.info().emaStep());
        assertArrayEquals(s.graph().params().toFloatVector(), r.graph().params().toFloatVector(), "weights");
        assertArrayEquals(s.graph().getUpdater().getStateViewArray().toFloatVector(),
                r.graph().getUpdater().getStateViewArray().toFloatVector(), "Adam's moments");
        assertArrayEquals(s.emaParams().toFloatVector(), r.emaParams().toFloatVector(), "EMA");
        assertEquals(s.graph().getConfiguration().getIterationCount(), r.graph().getConfiguration().getIterationCount());
        assertEquals(learning(Files.readAllLines(straight.resolve("metrics.jsonl"))),
                learning(Files.readAllLines(resumed.resolve("metrics.jsonl"))), "step, epoch, loss and lr of every row");
    }

    /** Each metrics row's step, epoch, loss and learning rate, exactly as written (timings differ run to run). */
    private static List<String> learning(List<String> rows) {
        return rows.stream().map(row -> String.join(" ", field(row, "step"), field(row, "epoch"), field(row, "loss"),
                field(row, "lr"))).toList();
    }

    private static String field(String row, String key) {
        int at = row.indexOf("\"" + key + "\":") + key.length() + 3;
        int end = row.indexOf(',', at);
        return row.substring(at, end < 0 ? row.indexOf('}', at) : end);
    }

    /** The learning-rate schedule the network trains with. */
    private static WarmupSchedule schedule(LoadedCheckpoint checkpoint) {
        BaseLayer layer = (BaseLayer) checkpoint.graph().getLayer("time_mlp1").conf().getLayer();
        return (WarmupSchedule) ((Adam) layer.getIUpdater()).getLearningRateSchedule();
    }

    /** The gradient clip of the network's layers (0 = none), the same for all. */
    private static double clip(LoadedCheckpoint checkpoint) {
        java.util.Set<Double> clips = new java.util.HashSet<>();
        for (org.deeplearning4j.nn.api.Layer layer : checkpoint.graph().getLayers()) {
            if (layer.conf().getLayer() instanceof BaseLayer base) {
                clips.add(base.getGradientNormalization() == GradientNormalization.ClipL2PerLayer
                        ? base.getGradientNormalizationThreshold() : 0);
            }
        }
        assertEquals(1, clips.size(), clips.toString());
        return clips.iterator().next();
    }

    /** A copy of the prepared data set that a test may change. */
    static Path copyOfPrepared(String name) throws IOException {
        Path copy = tmp.resolve(name);
        try (Stream<Path> paths = Files.walk(prepared)) {
            for (Path source : paths.toList()) {
                Files.copy(source, copy.resolve(prepared.relativize(source).toString()));
            }
        }
        return copy;
    }

    /** A TrainJob run's exit code with what it printed. */
    record Run(int code, String out, String err) {
    }

    static Run train(Path runDir, String... sets) {
        return trainOn(prepared, runDir, sets);
    }

    static Run trainOn(Path data, Path runDir, String... sets) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(new PrintStream(out, true));
        System.setErr(new PrintStream(err, true));
        int code;
        try {
            code = TrainJobFixtures.train(data, runDir, sets);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        oldOut.print(out);
        oldErr.print(err);
        return new Run(code, out.toString(), err.toString());
    }

    static String[] with(String[] first, String... more) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    static LoadedCheckpoint latest(Path runDir) throws IOException {
        return CheckpointStore.open(runDir.toUri(), new Configuration()).loadLatest().orElseThrow();
    }

    /** Every file under the run directory with its content: what "nothing changed" compares. */
    static Map<String, String> snapshot(Path runDir) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(runDir)) {
            for (Path p : paths.filter(Files::isRegularFile).toList()) {
                files.put(runDir.relativize(p).toString(), java.util.HexFormat.of().formatHex(
                        java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)))
                        + " " + Files.getLastModifiedTime(p));
            }
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        return files;
    }
}
