package io.sparkdiffusion.model.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Manual benchmark, not part of the test run (surefire's default includes do not match it):
 * {@code mvn -q -B -pl core test -Dtest=GroupNormBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 * Times GroupNorm forward/backward against DL4J's BatchNormalization, and the BroadcastAddVertex, per layer with
 * workspaces as in training (best of 30, float). Compare with {@code torch.nn.GroupNorm} on the same shapes.
 */
class GroupNormBenchmark {

    private interface Step {
        void run();
    }

    private static double best(Step step) {
        for (int i = 0; i < 5; i++) {
            step.run();
        }
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 30; i++) {
            long t = System.nanoTime();
            step.run();
            best = Math.min(best, (System.nanoTime() - t) / 1e6);
        }
        return best;
    }

    /** Workspaces configured as DL4J configures them for training. */
    static LayerWorkspaceMgr workspaces() {
        WorkspaceConfiguration c = WorkspaceConfiguration.builder().initialSize(0).overallocationLimit(0.05)
                .policyLearning(LearningPolicy.FIRST_LOOP).policyReset(ResetPolicy.BLOCK_LEFT)
                .policySpill(SpillPolicy.REALLOCATE).policyAllocation(AllocationPolicy.OVERALLOCATE).build();
        return LayerWorkspaceMgr.builder().noWorkspaceFor(ArrayType.INPUT)
                .with(ArrayType.ACTIVATIONS, "ACT", c).with(ArrayType.ACTIVATION_GRAD, "GRAD", c)
                .with(ArrayType.FF_WORKING_MEM, "WORK", c).with(ArrayType.BP_WORKING_MEM, "WORK", c)
                .with(ArrayType.RNN_FF_LOOP_WORKING_MEM, "RNN", c).with(ArrayType.RNN_BP_LOOP_WORKING_MEM, "RNN", c)
                .build();
    }

    private static Layer normLayer(org.deeplearning4j.nn.conf.layers.Layer norm, long c, long hw) {
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT)
                .updater(new Sgd(1e-3)).graphBuilder().addInputs("x")
                .setInputTypes(InputType.convolutional(hw, hw, c))
                .addLayer("norm", norm, "x")
                .addLayer("out", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
                        .activation(Activation.IDENTITY).build(), "norm")
                .setOutputs("out").build());
        graph.init();
        graph.initGradientsView();
        return graph.getLayer("norm");
    }

    /** {forward ms, backward ms}. */
    private static double[] time(Layer layer, INDArray x, INDArray epsilon) {
        LayerWorkspaceMgr m = workspaces();
        Step forward = () -> {
            try (MemoryWorkspace w = m.notifyScopeEntered(ArrayType.FF_WORKING_MEM)) {
                layer.setInput(x, m);
                layer.activate(true, m);
            }
        };
        double f = best(() -> {
            try (MemoryWorkspace a = m.notifyScopeEntered(ArrayType.ACTIVATIONS)) {
                forward.run();
            }
        });
        double fb = best(() -> {
            try (MemoryWorkspace a = m.notifyScopeEntered(ArrayType.ACTIVATIONS)) {
                forward.run();
                try (MemoryWorkspace g = m.notifyScopeEntered(ArrayType.ACTIVATION_GRAD);
                     MemoryWorkspace w = m.notifyScopeEntered(ArrayType.BP_WORKING_MEM)) {
                    layer.backpropGradient(epsilon, m);
                }
            }
        });
        return new double[] {f, fb - f};
    }

    @Test
    void groupNormAndBroadcastAdd() {
        long[][] shapes = {{64, 64, 28}, {64, 128, 14}, {64, 32, 28}};
        for (long[] s : shapes) {
            long n = s[0], c = s[1], hw = s[2];
            INDArray x = Nd4j.randn(DataType.FLOAT, n, c, hw, hw);
            INDArray epsilon = Nd4j.randn(DataType.FLOAT, n, c, hw, hw);
            double[] gn = time(normLayer(GroupNormalization.of(8), c, hw), x, epsilon);
            double[] bn = time(normLayer(new BatchNormalization.Builder().build(), c, hw), x, epsilon);

            ComputationGraph graph = TestGraphs.init(new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT)
                    .graphBuilder().addInputs("x", "v")
                    .setInputTypes(InputType.convolutional(hw, hw, c), InputType.feedForward(c))
                    .addVertex("add", new BroadcastAddVertex(), "x", "v")
                    .addLayer("out", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE).build(), "add")
                    .setOutputs("out").build());
            GraphVertex add = graph.getVertex("add");
            INDArray v = Nd4j.randn(DataType.FLOAT, n, c);
            LayerWorkspaceMgr m = workspaces();
            double addF = best(() -> {
                try (MemoryWorkspace a = m.notifyScopeEntered(ArrayType.ACTIVATIONS)) {
                    add.setInput(0, x, m);
                    add.setInput(1, v, m);
                    add.doForward(true, m);
                }
            });
            double addB = best(() -> {
                try (MemoryWorkspace g = m.notifyScopeEntered(ArrayType.ACTIVATION_GRAD)) {
                    add.setInput(0, x, m);
                    add.setInput(1, v, m);
                    add.setEpsilon(epsilon);
                    add.doBackward(false, m);
                }
            });
            System.out.printf("[%d, %d, %d, %d] GroupNorm(8) fwd %.2f bwd %.2f ms | BatchNormalization fwd %.2f bwd %.2f ms"
                    + " | BroadcastAddVertex fwd %.2f bwd %.2f ms%n", n, c, hw, hw, gn[0], gn[1], bn[0], bn[1], addF, addB);
        }
    }
}
