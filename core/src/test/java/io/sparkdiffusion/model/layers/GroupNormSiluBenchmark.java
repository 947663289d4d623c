package io.sparkdiffusion.model.layers;

import io.sparkdiffusion.runtime.NativeRuntime;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.List;

/**
 * Manual benchmark, not part of the test run (surefire's default includes do not match it):
 * {@code mvn -q -B -o -pl core test -Dtest=GroupNormSiluBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * -Dbench.threads=1}. GroupNorm + SiLU on FLOAT [32, 64, 28, 28] and [32, 32, 28, 28] (a replica's slice of a
 * training batch), side by side in one JVM, alternating the contenders round after round: the ND4J path
 * (GroupNormalization then ActivationLayer(ActivationSiLU), what main had), the fused layer on the Java kernel, and
 * GroupNorm alone on both paths (the attention block's). Per round each contender's best of 10; medians of 5 rounds.
 * {@code bench.threads}: the calling thread's OpenMP thread count (the Java kernels split the batch as many ways).
 */
class GroupNormSiluBenchmark {

    private interface Step {
        void run();
    }

    /** A contender: the layers in forward order, and whether they use the Java kernels. */
    private record Contender(String name, List<Layer> layers) {
    }

    @Test
    void groupNormSilu() {
        int threads = Integer.getInteger("bench.threads", 1);
        NativeRuntime.init();
        NativeRuntime.setOmpThreads(threads);
        int batch = Integer.getInteger("bench.batch", 32);
        System.out.printf("threads=%d (ompThreads=%d)%n", threads, NativeRuntime.ompThreads());
        for (long c : new long[] {64, 32}) {
            long hw = 28;
            INDArray x = Nd4j.randn(DataType.FLOAT, batch, c, hw, hw).muli(2).addi(0.5);
            INDArray epsilon = Nd4j.randn(DataType.FLOAT, batch, c, hw, hw);
            List<Contender> contenders = List.of(
                    new Contender("ND4J GN + ActivationLayer(SiLU)", unfused(c, hw, false)),
                    new Contender("fused GN+SiLU, Java kernel", fused(c, hw, true, true)),
                    new Contender("ND4J GN alone", fused(c, hw, false, false)),
                    new Contender("GN alone, Java kernel", fused(c, hw, false, true)));
            List<List<double[]>> results = new ArrayList<>();
            contenders.forEach(k -> results.add(new ArrayList<>()));
            for (int round = 0; round < 5; round++) {
                for (int k = 0; k < contenders.size(); k++) {
                    results.get(k).add(time(contenders.get(k).layers(), x, epsilon));
                }
            }
            for (int k = 0; k < contenders.size(); k++) {
                System.out.printf("[%d, %d, %d, %d] %-34s fwd %6.2f ms  bwd %6.2f ms  (medians of 5 rounds)%n",
                        batch, c, hw, hw, contenders.get(k).name(), median(results.get(k), 0), median(results.get(k), 1));
            }
        }
    }

    private static double median(List<double[]> rounds, int which) {
        double[] v = rounds.stream().mapToDouble(r -> r[which]).sorted().toArray();
        return v[v.length / 2];
    }

    private static List<Layer> unfused(long c, long hw, boolean javaKernels) {
        ComputationGraph graph = graph(c, hw, GroupNormalization.of(8), true);
        ((GroupNormLayer) graph.getLayer("norm")).javaKernels = javaKernels;
        return List.of(graph.getLayer("norm"), graph.getLayer("act"));
    }

    private static List<Layer> fused(long c, long hw, boolean silu, boolean javaKernels) {
        GroupNormalization conf = GroupNormalization.of(8);
        ComputationGraph graph = graph(c, hw, silu ? conf.withSilu() : conf, false);
        ((GroupNormLayer) graph.getLayer("norm")).javaKernels = javaKernels;
        return List.of(graph.getLayer("norm"));
    }

    private static ComputationGraph graph(long c, long hw, GroupNormalization norm, boolean activationLayer) {
        var builder = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).updater(new Sgd(1e-3))
                .graphBuilder().addInputs("x").setInputTypes(InputType.convolutional(hw, hw, c))
                .addLayer("norm", norm, "x");
        String last = "norm";
        if (activationLayer) {
            builder.addLayer("act", new ActivationLayer(new ActivationSiLU()), "norm");
            last = "act";
        }
        ComputationGraph graph = new ComputationGraph(builder.addLayer("out",
                new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).build(), last)
                .setOutputs("out").build());
        graph.init();
        graph.initGradientsView();
        return graph;
    }

    private static double best(Step step, int reps) {
        double best = Double.MAX_VALUE;
        for (int i = 0; i < reps; i++) {
            long t = System.nanoTime();
            step.run();
            best = Math.min(best, (System.nanoTime() - t) / 1e6);
        }
        return best;
    }

    /** {forward ms, backward ms} of the layers as a chain, with workspaces as in training. */
    private static double[] time(List<Layer> layers, INDArray x, INDArray epsilon) {
        LayerWorkspaceMgr m = GroupNormBenchmark.workspaces();
        Step forward = () -> {
            INDArray h = x;
            for (Layer layer : layers) {
                try (MemoryWorkspace w = m.notifyScopeEntered(ArrayType.FF_WORKING_MEM)) {
                    layer.setInput(h, m);
                    h = layer.activate(true, m);
                }
            }
        };
        Step forwardBackward = () -> {
            try (MemoryWorkspace a = m.notifyScopeEntered(ArrayType.ACTIVATIONS)) {
                forward.run();
                try (MemoryWorkspace g = m.notifyScopeEntered(ArrayType.ACTIVATION_GRAD)) {
                    INDArray e = epsilon;
                    for (int i = layers.size() - 1; i >= 0; i--) {
                        try (MemoryWorkspace w = m.notifyScopeEntered(ArrayType.BP_WORKING_MEM)) {
                            e = layers.get(i).backpropGradient(e, m).getSecond();
                        }
                    }
                }
            }
        };
        best(() -> {
            try (MemoryWorkspace a = m.notifyScopeEntered(ArrayType.ACTIVATIONS)) {
                forward.run();
            }
        }, 3);
        best(forwardBackward, 3);
        double f = best(() -> {
            try (MemoryWorkspace a = m.notifyScopeEntered(ArrayType.ACTIVATIONS)) {
                forward.run();
            }
        }, 10);
        double fb = best(forwardBackward, 10);
        return new double[] {f, fb - f};
    }
}
