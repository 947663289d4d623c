package io.sparkdiffusion.train;

import io.sparkdiffusion.model.TimestepEmbedding;
import io.sparkdiffusion.model.UNetSpec;
import io.sparkdiffusion.schedule.NoiseSchedule;
import io.sparkdiffusion.schedule.ScheduleSpec;
import io.sparkdiffusion.sampling.Denoiser;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingBatchMakerTest {
    static final UNetSpec CONDITIONAL = new UNetSpec(1, 4, 8, List.of(1, 2), 1, 4, 16, 3, false,
            UNetSpec.Prediction.EPSILON);

    static INDArray images(int n) {
        return Nd4j.linspace(-1, 1, n * 16, DataType.FLOAT).reshape(n, 1, 4, 4);
    }

    @Test
    void sameSeedSameBatchOtherSeedOtherNoise() {
        TrainingBatchMaker maker = new TrainingBatchMaker(CONDITIONAL, ScheduleSpec.linear(100), 0.5);
        MultiDataSet a = maker.make(images(8), new int[] {0, 1, 2, 0, 1, 2, 0, 1}, 11);
        MultiDataSet b = maker.make(images(8), new int[] {0, 1, 2, 0, 1, 2, 0, 1}, 11);
        MultiDataSet c = maker.make(images(8), new int[] {0, 1, 2, 0, 1, 2, 0, 1}, 12);
        for (int i = 0; i < 3; i++) {
            assertEquals(a.getFeatures(i), b.getFeatures(i));
        }
        assertEquals(a.getLabels(0), b.getLabels(0));
        assertNotEquals(a.getLabels(0), c.getLabels(0));
    }

    @Test
    void inputsAreTheForwardProcessOfTheTargetNoise() {
        UNetSpec unconditional = CONDITIONAL.withClasses(0);
        TrainingBatchMaker maker = new TrainingBatchMaker(unconditional, ScheduleSpec.linear(100), 0);
        INDArray x0 = images(6);
        MultiDataSet batch = maker.make(x0, null, 3);
        assertEquals(2, batch.getFeatures().length, "unconditional: x_t and the time embedding only");
        INDArray xt = batch.getFeatures(0);
        INDArray eps = batch.getLabels(0);
        INDArray temb = batch.getFeatures(1);
        NoiseSchedule schedule = NoiseSchedule.of(ScheduleSpec.linear(100));
        for (int i = 0; i < 6; i++) {
            int t = timestepOf(temb, i);
            INDArray expected = image(x0, i).mul(schedule.sqrtAlphaBar(t)).addi(image(eps, i).mul(schedule.sqrtOneMinusAlphaBar(t)));
            assertTrue(expected.equalsWithEps(image(xt, i), 1e-5));
        }
    }

    /** The timestep whose sinusoidal embedding is row i (searched, since sin/cos alone are periodic). */
    static int timestepOf(INDArray embeddings, int i) {
        int dim = (int) embeddings.size(1);
        for (int t = 0; t < 100; t++) {
            if (TimestepEmbedding.embed(t, 1, dim).equalsWithEps(embeddings.getRow(i).reshape(1, dim), 1e-5)) {
                return t;
            }
        }
        throw new AssertionError("row " + i + " is not the embedding of a timestep < 100");
    }

    static INDArray image(INDArray batch, int i) {
        return batch.get(NDArrayIndex.point(i));
    }

    @Test
    void labelDropoutUsesTheNullClass() {
        TrainingBatchMaker always = new TrainingBatchMaker(CONDITIONAL, ScheduleSpec.linear(100), 1.0);
        INDArray oneHot = always.make(images(4), new int[] {0, 1, 2, 1}, 5).getFeatures(2);
        assertArrayEquals(new long[] {4, 4}, oneHot.shape());
        for (int i = 0; i < 4; i++) {
            assertEquals(1f, oneHot.getFloat(i, 3), "dropped label -> null class index numClasses");
        }
        TrainingBatchMaker never = new TrainingBatchMaker(CONDITIONAL, ScheduleSpec.linear(100), 0.0);
        INDArray kept = never.make(images(4), new int[] {0, 1, 2, Denoiser.NO_LABEL}, 5).getFeatures(2);
        assertEquals(1f, kept.getFloat(0, 0));
        assertEquals(1f, kept.getFloat(1, 1));
        assertEquals(1f, kept.getFloat(2, 2));
        assertEquals(1f, kept.getFloat(3, 3), "unlabeled image -> null class");
        assertEquals(4f, kept.sumNumber().floatValue());
    }

    @Test
    void vPredictionTargetsTheVelocity() {
        UNetSpec v = new UNetSpec(1, 4, 8, List.of(1, 2), 1, 4, 16, 0, false, UNetSpec.Prediction.V);
        UNetSpec eps = new UNetSpec(1, 4, 8, List.of(1, 2), 1, 4, 16, 0, false, UNetSpec.Prediction.EPSILON);
        INDArray x0 = images(5);
        MultiDataSet vBatch = new TrainingBatchMaker(v, ScheduleSpec.linear(100), 0).make(x0, null, 9);
        MultiDataSet epsBatch = new TrainingBatchMaker(eps, ScheduleSpec.linear(100), 0).make(x0, null, 9);
        assertEquals(epsBatch.getFeatures(0), vBatch.getFeatures(0), "same seed, same x_t");
        NoiseSchedule schedule = NoiseSchedule.of(ScheduleSpec.linear(100));
        for (int i = 0; i < 5; i++) {
            int t = timestepOf(vBatch.getFeatures(1), i);
            // v = √ᾱ ε − √(1−ᾱ) x0
            INDArray expected = image(epsBatch.getLabels(0), i).mul(schedule.sqrtAlphaBar(t))
                    .subi(image(x0, i).mul(schedule.sqrtOneMinusAlphaBar(t)));
            assertTrue(expected.equalsWithEps(image(vBatch.getLabels(0), i), 1e-5));
        }
    }

    @Test
    void freeGivesBackEveryArrayOfTheBatchButNotTheCallersImages() {
        TrainingBatchMaker maker = new TrainingBatchMaker(CONDITIONAL, ScheduleSpec.linear(100), 0.5);
        INDArray x0 = images(4);
        MultiDataSet batch = maker.make(x0, new int[] {0, 1, 2, 0}, 5);
        TrainingBatchMaker.free(batch);
        for (INDArray feature : batch.getFeatures()) {
            assertTrue(feature.wasClosed());
        }
        assertTrue(batch.getLabels(0).wasClosed());
        assertFalse(x0.wasClosed());
        assertEquals(-1f, x0.getFloat(0, 0, 0, 0));
    }

    @Test
    void wrongImageShapeIsRefused() {
        TrainingBatchMaker maker = new TrainingBatchMaker(CONDITIONAL, ScheduleSpec.linear(100), 0);
        assertThrows(IllegalArgumentException.class,
                () -> maker.make(Nd4j.zeros(DataType.FLOAT, 2, 1, 8, 8), new int[] {0, 0}, 1));
    }
}
