package io.sparkdiffusion.bench;

import io.sparkdiffusion.checkpoint.CheckpointInfo;
import io.sparkdiffusion.checkpoint.CheckpointStore;
import io.sparkdiffusion.image.ImageShape;
import io.sparkdiffusion.model.UNetBuilder;
import io.sparkdiffusion.model.UNetSpec;
import io.sparkdiffusion.runtime.NativeRuntime;
import io.sparkdiffusion.schedule.ScheduleSpec;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.learning.config.Adam;

import java.io.IOException;
import java.util.List;

/**
 * Writes a checkpoint of the network {@link ThroughputBenchmark} times (the reference U-Net, unconditional
 * 1×28×28, initialized with seed 0; EMA = those weights) into a run directory, so that SampleJob can be timed on
 * the same model ({@code bench/sample.sh}). Sampling costs the same whatever the weights are.
 *
 * <pre>BenchCheckpoint RUN_DIR</pre>
 */
public final class BenchCheckpoint {
    private BenchCheckpoint() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: BenchCheckpoint RUN_DIR");
            System.exit(2);
        }
        NativeRuntime.init();
        UNetSpec spec = UNetSpec.reference();
        ComputationGraph net = UNetBuilder.network(spec, new Adam(2e-4), 0);
        CheckpointInfo info = CheckpointInfo.of(0, 0, ScheduleSpec.DEFAULT, spec,
                new ImageShape(spec.imageChannels(), spec.imageSize(), spec.imageSize()), List.of());
        System.out.println("bench checkpoint: " + CheckpointStore.open(args[0], new Configuration())
                .save(info, net, net.params().dup()).dir() + String.format(" (%,d parameters)", net.numParams()));
    }
}
