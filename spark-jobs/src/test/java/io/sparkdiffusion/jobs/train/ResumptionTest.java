package io.sparkdiffusion.jobs.train;

import io.sparkdiffusion.checkpoint.CheckpointInfo;
import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.config.JobConfigLoader;
import io.sparkdiffusion.config.Settings;
import io.sparkdiffusion.image.ImageShape;
import io.sparkdiffusion.model.UNetBuilder;
import io.sparkdiffusion.model.UNetPreset;
import io.sparkdiffusion.model.UNetSpec;
import io.sparkdiffusion.schedule.ScheduleSpec;
import io.sparkdiffusion.train.WarmupSchedule;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.Adam;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResumptionTest {
    private static TrainSettings settings(String... sets) {
        List<String> all = new java.util.ArrayList<>(List.of("train.data=prepared", "train.run-dir=run"));
        all.addAll(List.of(sets));
        return TrainSettings.from(new Settings(JobConfigLoader.forJob("train").load(Optional.empty(), all)));
    }

    @Test
    void anotherMixIsRefusedInTheMiddleOfAnEpochNotAtItsEnd() {
        UNetSpec spec = UNetPreset.SMALL28.spec(1, 8, 0);
        TrainSettings mixed = settings("train.mix=[{ data = synthetic, weight = 0.5 }]");
        Map<String, Object> state = new java.util.HashMap<>(Resumption.recordedSettings(mixed, 2));
        state.put(SparkTrainer.EPOCH_ROUND, 3);
        CheckpointInfo midEpoch = CheckpointInfo.of(6, 1, ScheduleSpec.DEFAULT, spec, new ImageShape(1, 8, 8), List.of())
                .withTrainerState(state);

        Resumption.checkPosition(midEpoch, "ckpt", mixed, 2, false); // the same mix: fine
        for (TrainSettings other : List.of(settings(), settings("train.mix=[{ data = synthetic, weight = 1 }]"))) {
            InputError refused = assertThrows(InputError.class,
                    () -> Resumption.checkPosition(midEpoch, "ckpt", other, 2, false));
            assertTrue(refused.getMessage().contains("train.mix") && refused.getMessage().contains("synthetic x 0.5"),
                    refused.getMessage());
        }
        state.put(SparkTrainer.EPOCH_ROUND, 0);
        Resumption.checkPosition(midEpoch.withTrainerState(state), "ckpt", settings(), 2, false); // at an epoch's end
    }

    @Test
    void aCheckpointThatRecordsNoWorkerScalingIsSaidToPredateItNotBlamedOnChangedKeys() {
        UNetSpec spec = UNetPreset.SMALL28.spec(1, 8, 0);
        ComputationGraph network = UNetBuilder.network(spec, new Adam(new WarmupSchedule(2e-4, 10)), 1);
        // a checkpoint of a build that recorded none of the schedule's settings
        CheckpointInfo old = CheckpointInfo.of(6, 1, ScheduleSpec.DEFAULT, spec, new ImageShape(1, 8, 8), List.of())
                .withTrainerState(Map.of("roundInEpoch", 0));
        TrainSettings settings = TrainSettings.from(new Settings(JobConfigLoader.forJob("train").load(Optional.empty(),
                List.of("train.data=prepared", "train.run-dir=run"))));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        System.setOut(new PrintStream(out, true));
        try {
            Resumption.applyTrainingSettings(network, old, settings, 2);
        } finally {
            System.setOut(oldOut);
        }
        String line = out.toString().lines().filter(l -> l.contains("learning rate")).findFirst().orElse(out.toString());
        assertTrue(line.contains("records no train.worker-scaling") && line.contains("linear scaling (the default)"),
                line);
        assertFalse(line.contains("changed"), line);
    }
}
