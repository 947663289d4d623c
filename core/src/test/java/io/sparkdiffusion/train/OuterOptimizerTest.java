package io.sparkdiffusion.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.SplittableRandom;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

import io.sparkdiffusion.model.UNetBuilder;
import io.sparkdiffusion.model.UNetSpec;

class OuterOptimizerTest {
    private static final UNetSpec TINY = new UNetSpec(1, 8, 8, List.of(1, 2), 1, 4, 16, 0, false,
            UNetSpec.Prediction.EPSILON);

    /** A tiny U-Net's initial parameters (θ_before) and a nearby vector, as a round of local steps would leave. */
    private static INDArray[] roundOfTinyNetwork(long seed) {
        ComputationGraph network = UNetBuilder.network(UNetBuilder.configuration(TINY, new Adam(1e-3), seed, 0));
        INDArray before = network.params().dup();
        INDArray averaged = before.add(Nd4j.rand(before.dataType(), before.shape()).subi(0.5).muli(0.01));
        return new INDArray[] {before, averaged};
    }

    @Test
    void nesterovWithRateOneAndNoMomentumIsPlainAveragingBitForBit() {
        INDArray[] round = roundOfTinyNetwork(3);
        INDArray expected = round[1].dup();
        OuterOptimizer outer = new OuterOptimizer(OuterOptimizer.Kind.NESTEROV, 1.0, 0.0);
        for (int i = 0; i < 3; i++) {
            outer.step(round[0], round[1]);
            assertArrayEquals(expected.toFloatVector(), round[1].toFloatVector(), "step " + i);
        }
    }

    @Test
    void averageLeavesTheAveragedParametersAndKeepsNoState() {
        INDArray[] round = roundOfTinyNetwork(4);
        INDArray expected = round[1].dup();
        OuterOptimizer outer = OuterOptimizer.average();
        outer.step(round[0], round[1]);
        assertArrayEquals(expected.toFloatVector(), round[1].toFloatVector());
        assertNull(outer.velocity());
    }

    @Test
    void twoNesterovStepsFollowTheClosedForm() {
        double lr = 0.7;
        double mu = 0.9;
        OuterOptimizer outer = new OuterOptimizer(OuterOptimizer.Kind.NESTEROV, lr, mu);
        INDArray[] round = roundOfTinyNetwork(5);
        float[] theta0 = round[0].toFloatVector();
        float[] avg1 = round[1].toFloatVector();
        outer.step(round[0], round[1]);
        float[] theta1 = round[1].toFloatVector();
        // round two starts from θ1 and its workers move by a different delta
        INDArray before2 = round[1].dup();
        INDArray averaged2 = before2.add(Nd4j.rand(before2.dataType(), before2.shape()).subi(0.5).muli(0.01));
        float[] avg2 = averaged2.toFloatVector();
        outer.step(before2, averaged2);
        float[] theta2 = averaged2.toFloatVector();

        double maxError = 0;
        for (int i = 0; i < theta0.length; i++) {
            double delta1 = (double) theta0[i] - avg1[i];
            double v1 = delta1;                              // v ← μ·0 + Δ
            double expected1 = theta0[i] - lr * (delta1 + mu * v1);
            double delta2 = (double) theta1[i] - avg2[i];
            double v2 = mu * v1 + delta2;
            double expected2 = theta1[i] - lr * (delta2 + mu * v2);
            maxError = Math.max(maxError, Math.abs(expected1 - theta1[i]));
            maxError = Math.max(maxError, Math.abs(expected2 - theta2[i]));
            maxError = Math.max(maxError, Math.abs(v2 - outer.velocity().getDouble(i)));
        }
        assertEquals(0, maxError, 1e-6, "largest deviation from the closed form");
        // the step really moved beyond the average: with these rates it overshoots it by (lr·(1 + μ) − 1)·Δ
        assertEquals(theta0[0] - 1.33 * ((double) theta0[0] - avg1[0]), theta1[0], 1e-6);
    }

    @Test
    void aRestoredMomentumContinuesExactly() {
        SplittableRandom random = new SplittableRandom(9);
        INDArray[] befores = new INDArray[3];
        INDArray[] averages = new INDArray[3];
        for (int i = 0; i < 3; i++) {
            befores[i] = Nd4j.createFromArray(floats(random, 50));
            averages[i] = Nd4j.createFromArray(floats(random, 50));
        }
        OuterOptimizer straight = new OuterOptimizer(OuterOptimizer.Kind.NESTEROV, 0.7, 0.9);
        OuterOptimizer first = new OuterOptimizer(OuterOptimizer.Kind.NESTEROV, 0.7, 0.9);
        INDArray[] a = {averages[0].dup(), averages[1].dup(), averages[2].dup()};
        INDArray[] b = {averages[0].dup(), averages[1].dup(), averages[2].dup()};
        straight.step(befores[0], a[0]);
        straight.step(befores[1], a[1]);
        straight.step(befores[2], a[2]);
        first.step(befores[0], b[0]);
        first.step(befores[1], b[1]);
        OuterOptimizer resumed = new OuterOptimizer(OuterOptimizer.Kind.NESTEROV, 0.7, 0.9)
                .withVelocity(first.velocity().dup());
        resumed.step(befores[2], b[2]);
        assertArrayEquals(a[2].toFloatVector(), b[2].toFloatVector());
        assertArrayEquals(straight.velocity().toFloatVector(), resumed.velocity().toFloatVector());
    }

    @Test
    void rejectsBadSettingsAndMismatchedVectors() {
        assertThrows(IllegalArgumentException.class, () -> new OuterOptimizer(OuterOptimizer.Kind.NESTEROV, 0, 0.9));
        assertThrows(IllegalArgumentException.class, () -> new OuterOptimizer(OuterOptimizer.Kind.NESTEROV, 0.7, 1));
        OuterOptimizer outer = new OuterOptimizer(OuterOptimizer.Kind.NESTEROV, 0.7, 0.9);
        assertThrows(IllegalArgumentException.class,
                () -> outer.step(Nd4j.createFromArray(1f, 2f), Nd4j.createFromArray(1f, 2f, 3f)));
    }

    private static float[] floats(SplittableRandom random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }
}
