package io.sparkdiffusion.checkpoint;

import org.apache.hadoop.fs.Path;

/**
 * A complete checkpoint directory: {@code <run>/checkpoints/step-NNNNNNN}.
 *
 * @param step the training step in the directory name
 * @param dir  the qualified directory path
 */
public record CheckpointRef(long step, Path dir) {

    public String name() {
        return dir.getName();
    }
}
