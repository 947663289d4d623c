package io.sparkdiffusion.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

import io.sparkdiffusion.model.UNetBuilder;
import io.sparkdiffusion.model.UNetSpec;
import io.sparkdiffusion.schedule.ScheduleSpec;

class HeldOutLossTest {
    private static final UNetSpec TINY = new UNetSpec(1, 8, 8, List.of(1, 2), 1, 4, 16, 2, false,
            UNetSpec.Prediction.EPSILON);
    private static final TrainingBatchMaker MAKER = new TrainingBatchMaker(TINY, ScheduleSpec.linear(100), 0.5);

    @Test
    void timestepsCoverTheScheduleEvenly() {
        HeldOutLoss loss = new HeldOutLoss(MAKER, 50, 7);
        boolean[] stratum = new boolean[50]; // T/N = 2 timesteps per stratum
        for (int i = 0; i < 50; i++) {
            int t = loss.timestepOf(i);
            assertFalse(stratum[t / 2], "two images in the stratum of t=" + t);
            stratum[t / 2] = true;
        }
        assertFalse(loss.timestepOf(0) == new HeldOutLoss(MAKER, 50, 8).timestepOf(0)
                && loss.timestepOf(1) == new HeldOutLoss(MAKER, 50, 8).timestepOf(1)
                && loss.timestepOf(2) == new HeldOutLoss(MAKER, 50, 8).timestepOf(2), "another seed, another order");
    }

    @Test
    void aBatchDependsOnlyOnTheImagesPositionsAndSeedNotOnLabelDropout() {
        HeldOutLoss loss = new HeldOutLoss(MAKER, 10, 3);
        INDArray x0 = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, 1, 8, 8).muli(2).subi(1);
        int[] labels = {0, 1};
        MultiDataSet one = loss.batch(x0, labels, new int[] {4, 5});
        MultiDataSet two = new HeldOutLoss(MAKER, 10, 3).batch(x0, labels, new int[] {4, 5});
        for (int f = 0; f < one.numFeatureArrays(); f++) {
            assertArrayEquals(flat(one.getFeatures(f)), flat(two.getFeatures(f)));
        }
        assertArrayEquals(flat(one.getLabels(0)), flat(two.getLabels(0)));
        // labels are kept as they are (the maker's dropout of 0.5 would drop some of many)
        assertArrayEquals(new float[] {1, 0, 0, 0, 1, 0}, flat(one.getFeatures(2)));
        MultiDataSet moved = loss.batch(x0, labels, new int[] {6, 7});
        assertFalse(java.util.Arrays.equals(flat(one.getLabels(0)), flat(moved.getLabels(0))),
                "other positions, other noise");
    }

    @Test
    void sumOfImageLossesIsEachImagesMeanSquaredError() {
        ComputationGraph network = UNetBuilder.network(UNetBuilder.configuration(TINY, new Adam(1e-3), 1, 0));
        HeldOutLoss loss = new HeldOutLoss(MAKER, 3, 0);
        INDArray x0 = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 3, 1, 8, 8).muli(2).subi(1);
        int[] labels = {0, 1, 0};
        MultiDataSet batch = loss.batch(x0, labels, new int[] {0, 1, 2});
        float[] output = flat(network.output(false, batch.getFeatures())[0]);
        float[] target = flat(batch.getLabels(0));
        double expected = 0;
        for (int image = 0; image < 3; image++) {
            double sum = 0;
            for (int p = 0; p < 64; p++) {
                double d = output[image * 64 + p] - target[image * 64 + p];
                sum += d * d;
            }
            expected += sum / 64;
        }
        double actual = HeldOutLoss.sumOfImageLosses(network, batch);
        assertEquals(expected, actual, 1e-5 * expected);
        assertTrue(actual > 0);
    }

    private static float[] flat(INDArray array) {
        return array.dup('c').data().asFloat();
    }
}
