package io.sparkdiffusion.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

class FanInUniformInitTest {

    @Test
    void everyConvolutionAndDenseWeightOfTheUNetIsUniformWithinOneOverRootFanIn() {
        ComputationGraph net = UNetBuilder.network(UNetSpec.reference(), new Adam(2e-4), 7);
        int checked = 0;
        for (Map.Entry<String, INDArray> p : net.paramTable().entrySet()) {
            if (!p.getKey().endsWith("_W")) {
                continue;
            }
            INDArray w = p.getValue();
            long[] shape = w.shape();
            // DL4J: convolution [out, in, kH, kW], dense [in, out]
            double fanIn = shape.length == 4 ? shape[1] * shape[2] * shape[3] : shape[0];
            double bound = 1 / Math.sqrt(fanIn);
            double max = w.amaxNumber().doubleValue();
            assertTrue(max <= asFloat(bound), p.getKey() + ": max |w| " + max + " above the bound " + bound);
            if (w.length() >= 4096) { // enough values for a tight spread
                double std = w.stdNumber().doubleValue();
                assertEquals(bound / Math.sqrt(3), std, 0.05 * bound / Math.sqrt(3), p.getKey() + " standard deviation");
                assertTrue(max > 0.95 * bound, p.getKey() + ": values should fill the range, max " + max);
            }
            checked++;
        }
        assertTrue(checked >= 20, "expected the U-Net's convolution and dense weights, found " + checked);
    }

    @Test
    void initialisesAGivenViewToTheRequestedShape() {
        INDArray view = Nd4j.zeros(DataType.FLOAT, 1, 64 * 9 * 32);
        INDArray w = new FanInUniformInit().init(64 * 9, 32 * 9, new long[] {32, 64, 3, 3}, 'c', view);
        assertEquals(List.of(32L, 64L, 3L, 3L), Arrays.stream(w.shape()).boxed().toList());
        assertTrue(view.amaxNumber().doubleValue() > 0, "the view itself holds the values");
        assertTrue(w.amaxNumber().doubleValue() <= asFloat(1 / Math.sqrt(64 * 9)));
    }

    /** The bound as the float weights can hold it: rounding to float may land a value just above the double. */
    private static double asFloat(double bound) {
        return Math.nextUp((float) bound);
    }
}
