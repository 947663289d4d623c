package io.sparkdiffusion.generate;

import io.sparkdiffusion.checkpoint.CheckpointInfo;
import io.sparkdiffusion.checkpoint.CheckpointStore;
import io.sparkdiffusion.config.HadoopFiles;
import io.sparkdiffusion.model.ModelZip;
import io.sparkdiffusion.model.UNetSpec;
import io.sparkdiffusion.runtime.NativeRuntime;
import io.sparkdiffusion.schedule.ScheduleSpec;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.Serializable;

/**
 * A checkpoint's network as bytes, small enough to ship to every executor (a Spark broadcast): the model file
 * and, for EMA weights, the EMA vector, with the spec and schedule from its {@code checkpoint.json}. The
 * network is rebuilt from them where it runs, without its optimizer state.
 *
 * @param key      identifies the weights (checkpoint directory, step, ema/raw) for per-JVM caching
 * @param model    {@code model.zip}
 * @param ema      {@code ema.bin}, or null to sample with the raw weights
 * @param spec     the U-Net spec
 * @param schedule the noise schedule it was trained with
 */
public record ModelBytes(String key, byte[] model, byte[] ema, UNetSpec spec, ScheduleSpec schedule)
        implements Serializable {

    /** Reads a complete checkpoint directory; {@code useEma} picks the EMA weights over the raw ones. */
    public static ModelBytes read(Path checkpointDir, CheckpointInfo info, boolean useEma, Configuration conf)
            throws IOException {
        FileSystem fs = checkpointDir.getFileSystem(conf);
        Path modelFile = new Path(checkpointDir, CheckpointStore.MODEL_FILE);
        byte[] model = HadoopFiles.readAll(fs, modelFile);
        ModelZip.checkEntries(model, modelFile.toString()); // on the driver: a refused file is exit 2, not task failures
        byte[] ema = useEma ? HadoopFiles.readAll(fs, new Path(checkpointDir, CheckpointStore.EMA_FILE)) : null;
        String key = fs.makeQualified(checkpointDir) + "@" + info.step() + "/" + (useEma ? "ema" : "raw");
        return new ModelBytes(key, model, ema, info.model(), info.schedule());
    }

    /** The network with the chosen weights, for inference. */
    public ComputationGraph network() throws IOException {
        NativeRuntime.init();
        ComputationGraph graph = ModelZip.readGraph(model, false, key);
        if (ema != null) {
            INDArray params;
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(ema))) {
                params = Nd4j.read(in);
            }
            if (params.length() != graph.numParams()) {
                throw new IOException("EMA vector has " + params.length() + " values, the model " + graph.numParams()
                        + " parameters (" + key + ")");
            }
            graph.setParams(params.castTo(graph.params().dataType()).reshape(graph.params().shape()));
        }
        return graph;
    }

    @Override
    public String toString() {
        return "ModelBytes{" + key + ", " + model.length + " + " + (ema == null ? 0 : ema.length) + " bytes}";
    }
}
