package io.sparkdiffusion.train;

import io.sparkdiffusion.data.LabeledImages;
import io.sparkdiffusion.model.UNetBuilder;
import io.sparkdiffusion.schedule.ScheduleSpec;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplicatedGradientStepTest {

    /** Trains {@code steps} batches of 15 (uneven slices for 2 and 4 replicas) and records the scores. */
    private static LocalTrainer train(int replicas, int steps, List<Double> scores) {
        ComputationGraph net = UNetBuilder.network(LocalTrainerTest.TINY, new Adam(3e-3), 5);
        TrainingBatchMaker maker = new TrainingBatchMaker(LocalTrainerTest.TINY, ScheduleSpec.linear(200), 0.1);
        LocalTrainer trainer = new LocalTrainer(net, maker, Ema.start(net.params(), Ema.Settings.of(0.9)), 5, 15)
                .withReplicas(replicas, 1);
        LabeledImages data = LocalTrainerTest.twoShapes(15 * steps, 3);
        trainer.trainEpoch(data, steps, (step, epoch, loss, images) -> scores.add(loss));
        trainer.close();
        return trainer;
    }

    @Test
    void replicatedStepsEqualPlainFitUpToSummationOrder() {
        List<Double> plainScores = new ArrayList<>();
        LocalTrainer plain = train(1, 4, plainScores);
        for (int replicas : new int[] {2, 4}) {
            List<Double> scores = new ArrayList<>();
            LocalTrainer replicated = train(replicas, 4, scores);
            assertEquals(4, replicated.step());
            assertEquals(plain.network().getIterationCount(), replicated.network().getIterationCount());
            for (int i = 0; i < scores.size(); i++) {
                assertEquals(plainScores.get(i), scores.get(i), 1e-5 * plainScores.get(i), "score of step " + i);
            }
            assertClose(plain.network().params(), replicated.network().params(), replicas + " replicas, parameters");
            assertClose(plain.ema().params(), replicated.ema().params(), replicas + " replicas, EMA");
            // Adam's moments: the checkpointed optimizer state must match too, or a resume would diverge
            assertClose(plain.network().getUpdater().getStateViewArray(),
                    replicated.network().getUpdater().getStateViewArray(), replicas + " replicas, Adam state");
        }
    }

    @Test
    void threeReplicasMoveMostParametersWithFiniteScores() {
        List<Double> scores = new ArrayList<>();
        ComputationGraph net = UNetBuilder.network(LocalTrainerTest.TINY, new Adam(3e-3), 5);
        float[] before = net.params().toFloatVector();
        TrainingBatchMaker maker = new TrainingBatchMaker(LocalTrainerTest.TINY, ScheduleSpec.linear(200), 0.1);
        try (LocalTrainer trainer = new LocalTrainer(net, maker, Ema.start(net.params(), Ema.Settings.of(0.9)), 5, 8)
                .withReplicas(3, 1)) {
            trainer.trainEpoch(LocalTrainerTest.twoShapes(16, 4), 2, (s, e, loss, i) -> scores.add(loss));
        }
        float[] after = net.params().toFloatVector();
        int moved = 0;
        for (int i = 0; i < before.length; i++) {
            moved += before[i] != after[i] ? 1 : 0;
        }
        assertTrue(moved > before.length / 2, "most parameters change in two Adam steps, " + moved + " did");
        assertEquals(2, scores.size());
        assertTrue(scores.stream().allMatch(s -> s > 0 && Double.isFinite(s)), scores.toString());
    }

    @Test
    void rejectsNonPositiveCounts() {
        ComputationGraph net = UNetBuilder.network(LocalTrainerTest.TINY, new Adam(3e-3), 5);
        assertThrows(IllegalArgumentException.class, () -> new ReplicatedGradientStep(net, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new ReplicatedGradientStep(net, 2, 0));
        assertEquals(1, ReplicatedGradientStep.threadsPerReplica(1, 2));
        assertEquals(2, ReplicatedGradientStep.threadsPerReplica(4, 2));
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        float[] e = expected.toFloatVector();
        float[] a = actual.toFloatVector();
        assertEquals(e.length, a.length, what);
        double worst = 0;
        for (int i = 0; i < e.length; i++) {
            worst = Math.max(worst, Math.abs(e[i] - a[i]) / (1e-3 + Math.abs(e[i])));
        }
        assertTrue(worst < 1e-3, what + ": largest relative difference " + worst);
    }
}
