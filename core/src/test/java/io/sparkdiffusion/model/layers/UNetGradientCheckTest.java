package io.sparkdiffusion.model.layers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.sparkdiffusion.model.UNetBuilder;
import io.sparkdiffusion.model.UNetSpec;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * A gradient check on a whole U-Net, a tiny version of the arrangements the presets build: 4 levels with multipliers
 * [1,2,2,2] (8 → 4 → 2 → 1), self-attention at a middle level (4×4, as base64's 16×16: a level with a downsampling
 * after it and an upsampling before it) and at the lowest, conditional on 2 classes. Double precision, every
 * parameter randomized (the attention's output projection starts at zero, which would hide the gradients behind it).
 *
 * <p>DL4J's GradientCheckUtil ignores its {@code subset} option for graphs and would perturb all ~15,000 parameters
 * (30,000 forward passes, most of an hour on a busy 2-core machine), so the same central differences and the same
 * X
 * the last): every weight, bias, norm and attention array of every layer is checked.
 */
@ExtendWith(DoublePrecision.class)
class UNetGradientCheckTest {
    private static final double EPSILON = 1e-6;
    private static final double MAX_RELATIVE_ERROR = 1e-5;
    private static final double MIN_ABSOLUTE_ERROR = 1e-8;

    @Test
    void gradientsOfEveryParameterArrayMatchCentralDifferences() {
        UNetSpec spec = new UNetSpec(3, 8, 4, List.of(1, 2, 2, 2), 1, 2, 8, 2, true, UNetSpec.Prediction.EPSILON,
                List.of(4));
        ComputationGraphConfiguration conf = UNetBuilder.configuration(spec, new NoOp(), 7);
        conf.setDataType(DataType.DOUBLE);
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        Nd4j.getRandom().setSeed(11);
        net.setParams(Nd4j.randn(DataType.DOUBLE, 1, net.numParams()).muli(0.3));

        INDArray x = Nd4j.randn(DataType.DOUBLE, 2, 3, 8, 8);
        INDArray t = Nd4j.randn(DataType.DOUBLE, 2, spec.timeEmbeddingDim());
        INDArray label = Nd4j.createFromArray(new double[][] {{1, 0, 0}, {0, 0, 1}});
        INDArray[] inputs = {x, t, label};
        INDArray[] labels = {Nd4j.randn(DataType.DOUBLE, 2, 3, 8, 8)};
        net.setInputs(inputs);
        net.setLabels(labels);
        net.computeGradientAndScore();
        // flattened in the order of params(); summed over the minibatch (DL4J's updater divides by its size), while
        // score() is the minibatch mean
        INDArray analytic = net.gradient().gradient().dup().divi(x.size(0));
        INDArray params = net.params();
        MultiDataSet data = new MultiDataSet(inputs, labels);

        List<String> failures = new ArrayList<>();
        int checked = 0;
        long start = 0;
        for (Map.Entry<String, INDArray> entry : net.paramTable().entrySet()) {
            long length = entry.getValue().length();
            for (long offset : new long[] {0, length - 1}) {
                long i = start + offset;
                double original = params.getDouble(i);
                params.putScalar(i, original + EPSILON);
                double plus = net.score(data, true);
                params.putScalar(i, original - EPSILON);
                double minus = net.score(data, true);
                params.putScalar(i, original);
                double numeric = (plus - minus) / (2 * EPSILON);
                double a = analytic.getDouble(i);
                double absolute = Math.abs(a - numeric);
                double relative = absolute == 0 ? 0 : absolute / (Math.abs(a) + Math.abs(numeric));
                if (relative > MAX_RELATIVE_ERROR && absolute > MIN_ABSOLUTE_ERROR) {
                    failures.add(entry.getKey() + "[" + offset + "]: analytic " + a + ", numeric " + numeric);
                }
                checked++;
            }
            start += length;
        }
        assertTrue(checked > 200, checked + " entries checked");
        assertTrue(net.paramTable().keySet().stream().anyMatch(k -> k.startsWith("down1_attention")),
                "attention at the middle level: " + net.paramTable().keySet());
        assertTrue(failures.isEmpty(), failures.size() + " of " + checked + " entries differ: " + failures);
    }
}
