package io.sparkdiffusion.train;

import io.sparkdiffusion.checkpoint.CheckpointInfo;
import io.sparkdiffusion.checkpoint.CheckpointRef;
import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.image.ImageShape;
import io.sparkdiffusion.model.UNetBuilder;
import io.sparkdiffusion.schedule.ScheduleSpec;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.learning.config.Adam;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The run directory's rules, the same for both trainers: cadence, keep-last, the end, a finished resume. */
class TrainingRunTest {
    private static final ScheduleSpec SCHEDULE = ScheduleSpec.linear(20);
    private static final SampleGrid GRID = new SampleGrid(2, "ddim", 2, 0, 1, 7);

    @TempDir
    Path tmp;

    private final ComputationGraph network = UNetBuilder.network(LocalTrainerTest.TINY, new Adam(1e-3), 0);

    private Supplier<TrainingRun.Snapshot> at(long step, int epoch) {
        return () -> new TrainingRun.Snapshot(CheckpointInfo.of(step, epoch, SCHEDULE, LocalTrainerTest.TINY,
                new ImageShape(1, 8, 8), List.of()).withRunSeed(0), network, network.params(), null);
    }

    private TrainingRun open(Path dir, boolean resume, TrainingRun.Limits limits, TrainingRun.Cadence cadence)
            throws Exception {
        return TrainingRun.open("local", dir.toString(), resume, "", limits, cadence, new Configuration());
    }

    private static List<Long> steps(TrainingRun run) throws Exception {
        return run.store().list().stream().map(CheckpointRef::step).toList();
    }

    @Test
    void checkpointsAtTheStepCadenceKeepTheNewestAndTheEndSavesTheLastStep() throws Exception {
        Path dir = tmp.resolve("run");
        TrainingRun run = open(dir, false, new TrainingRun.Limits(100, 6),
                new TrainingRun.Cadence(2, 0, 2, 0, true, GRID));
        run.begin(0, LocalTrainerTest.TINY, SCHEDULE);
        for (long step = 1; step <= 6; step++) {
            run.addMetrics(Map.of("step", step, "loss", 1.0 / step));
            run.afterStep(step, at(step, 0));
        }
        assertEquals(List.of(2L, 4L), steps(run), "every 2 steps, but not at the limit (the end saves it)");
        run.finish(6, at(6, 0));
        assertEquals(List.of(4L, 6L), steps(run), "the 2 newest");
        assertEquals(6, Files.readAllLines(dir.resolve("metrics.jsonl")).size());
        assertTrue(Files.size(dir.resolve("loss.png")) > 0);
        assertTrue(Files.size(dir.resolve("samples/step-0000006.png")) > 0, "the grid at the end");
    }

    @Test
    void epochCadenceLeavesTheLastEpochToTheEndAndSamplesEveryEpoch() throws Exception {
        Path dir = tmp.resolve("run");
        TrainingRun run = open(dir, false, new TrainingRun.Limits(3, 0),
                new TrainingRun.Cadence(0, 1, 5, 1, false, GRID));
        run.begin(0, LocalTrainerTest.TINY, SCHEDULE);
        for (int epoch = 1; epoch <= 3; epoch++) {
            run.afterEpoch(epoch, 10L * epoch, at(10L * epoch, epoch));
        }
        assertEquals(List.of(10L, 20L), steps(run), "epochs 1 and 2; the last is the end's");
        assertTrue(Files.exists(dir.resolve("samples/step-0000030.png")), "a grid after every epoch");
        run.finish(30, at(30, 3));
        assertEquals(List.of(10L, 20L, 30L), steps(run));
        assertEquals(3, Files.list(dir.resolve("samples")).filter(p -> p.toString().endsWith(".png")).count(),
                "no extra grid at the end");
    }

    @Test
    void aRunThatTrainedNothingWritesNoCheckpointAndAResumeAtTheLimitHasNothingToDo() throws Exception {
        Path dir = tmp.resolve("run");
        TrainingRun.Cadence cadence = new TrainingRun.Cadence(0, 1, 3, 0, false, GRID);
        TrainingRun first = open(dir, false, new TrainingRun.Limits(1, 0), cadence);
        first.begin(0, LocalTrainerTest.TINY, SCHEDULE);
        first.finish(0, at(0, 0));
        assertEquals(List.of(), steps(first));
        first.finish(4, at(4, 1));

        assertThrows(InputError.class, () -> open(dir, false, new TrainingRun.Limits(1, 0), cadence),
                "a used run directory without resume");
        assertTrue(open(dir, true, new TrainingRun.Limits(1, 0), cadence).alreadyFinished());
        TrainingRun longer = open(dir, true, new TrainingRun.Limits(2, 0), cadence);
        assertFalse(longer.alreadyFinished());
        assertEquals(4, longer.resumed().orElseThrow().info().step());
    }
}
