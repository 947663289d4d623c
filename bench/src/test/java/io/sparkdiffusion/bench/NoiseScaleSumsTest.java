package io.sparkdiffusion.bench;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class NoiseScaleSumsTest {
    /**
     * Batch gradients G + noise of a known size: the estimates recover |G|² and the per-image noise trace, even where
     * the noise is so large that |ḡ|² alone would overstate the signal by a fifth (the estimate's own standard
     * deviation here is 0.04, a fiftieth).
     */
    @Test
    void recoversSignalAndNoiseOfSyntheticGradients() {
        int dims = 2000;
        int batchSize = 16;
        int batches = 2000;
        double perImageVariance = 6.4; // per coordinate: tr Σ per image = 2,000 * 6.4 = 12,800
        Random random = new Random(7);
        double[] truth = new double[dims];
        for (int d = 0; d < dims; d++) {
            truth[d] = d % 2 == 0 ? 0.1 / Math.sqrt(10) : -0.1 / Math.sqrt(10); // |G|² = 2,000 * 0.001 = 2
        }
        NoiseScaleSums sums = new NoiseScaleSums(dims);
        double batchStd = Math.sqrt(perImageVariance / batchSize);
        for (int k = 0; k < batches; k++) {
            double[] g = new double[dims];
            for (int d = 0; d < dims; d++) {
                g[d] = truth[d] + batchStd * random.nextGaussian();
            }
            sums.add(Nd4j.createFromArray(g).castTo(DataType.FLOAT).reshape(1, dims));
        }
        // bias of |ḡ|² without the correction: tr Σ_b / K = 2,000 * 0.4 / 2,000 = 0.4
        assertEquals(2.0, sums.signal(), 0.12);
        assertEquals(12800.0, sums.noisePerImage(batchSize), 12800.0 * 0.02);
    }

    @Test
    void needsTwoGradients() {
        NoiseScaleSums sums = new NoiseScaleSums(3);
        sums.add(Nd4j.createFromArray(1.0, 2.0, 3.0));
        assertThrows(IllegalStateException.class, sums::signal);
    }
}
