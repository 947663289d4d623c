package io.sparkdiffusion.jobs.train;

import java.io.Serializable;

/** One shard row as the trainer needs it: the label (−1 unlabeled) and the uint8 CHW pixels. */
public record TrainingImage(int label, byte[] pixels) implements Serializable {
}
