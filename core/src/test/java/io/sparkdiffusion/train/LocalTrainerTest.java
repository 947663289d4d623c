package io.sparkdiffusion.train;

import io.sparkdiffusion.data.LabeledImages;
import io.sparkdiffusion.image.ImageShape;
import io.sparkdiffusion.model.UNetBuilder;
import io.sparkdiffusion.model.UNetSpec;
import io.sparkdiffusion.schedule.ScheduleSpec;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.Adam;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalTrainerTest {
    static final UNetSpec TINY = new UNetSpec(1, 8, 8, List.of(1, 2), 1, 4, 16, 2, false,
            UNetSpec.Prediction.EPSILON);

    /** Two classes of 8x8 images: a bright square top-left, or a bright bar at the bottom. */
    static LabeledImages twoShapes(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] pixels = new byte[n * 64];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    boolean on = labels[i] == 0 ? (x < 4 && y < 4) : y >= 6;
                    int value = on ? 220 + random.nextInt(30) : random.nextInt(30);
                    pixels[i * 64 + y * 8 + x] = (byte) value;
                }
            }
        }
        return new LabeledImages(new ImageShape(1, 8, 8), pixels, labels, List.of("square", "bar"));
    }

    static LocalTrainer trainer(long seed) {
        ComputationGraph net = UNetBuilder.network(TINY, new Adam(3e-3), seed);
        TrainingBatchMaker maker = new TrainingBatchMaker(TINY, ScheduleSpec.linear(200), 0.1);
        return new LocalTrainer(net, maker, Ema.start(net.params(), Ema.Settings.of(0.99)), seed, 32);
    }

    @Test
    void lossFallsWellBelowItsStartingValue() {
        LabeledImages data = twoShapes(256, 1);
        LocalTrainer trainer = trainer(42);
        List<Double> losses = new ArrayList<>();
        for (int epoch = 0; epoch < 8; epoch++) {
            trainer.trainEpoch(data, Long.MAX_VALUE, (step, e, loss, images) -> losses.add(loss));
        }
        assertEquals(64, trainer.step());
        double first = losses.subList(0, 4).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double last = losses.subList(54, 64).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        System.out.printf("loss first %.4f last %.4f%n", first, last);
        assertTrue(first > 0.5, "an untrained ε-predictor has a per-pixel MSE near 1, got " + first);
        assertTrue(last < 0.5 * first, "loss should at least halve: " + first + " -> " + last);
    }

    @Test
    void sameSeedGivesTheSameParameters() {
        LabeledImages data = twoShapes(64, 2);
        LocalTrainer a = trainer(7);
        LocalTrainer b = trainer(7);
        a.trainEpoch(data, Long.MAX_VALUE, (s, e, l, i) -> { });
        b.trainEpoch(data, Long.MAX_VALUE, (s, e, l, i) -> { });
        assertArrayEquals(a.network().params().toFloatVector(), b.network().params().toFloatVector());
        assertArrayEquals(a.ema().params().toFloatVector(), b.ema().params().toFloatVector());
    }
}
