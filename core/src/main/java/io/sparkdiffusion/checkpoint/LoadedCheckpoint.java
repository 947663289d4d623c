package io.sparkdiffusion.checkpoint;

import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A checkpoint read back: its info, the network with its updater state (ready to continue training) and
 * the EMA parameter vector (what sampling uses: {@code graph.setParams(emaParams)} on a copy), and the outer
 * optimizer's momentum vector of a run that has one (else null).
 */
public record LoadedCheckpoint(Path dir, CheckpointInfo info, ComputationGraph graph, INDArray emaParams,
                               INDArray outerMomentum) {
}
