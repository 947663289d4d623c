package io.sparkdiffusion.train;

/**
 * The training loss stopped being a finite number: the weights are lost, so the run stops before it writes them
 * over a good checkpoint. Exit code 1 with one line (the run failed; its input was fine).
 */
public final class TrainingDiverged extends RuntimeException {
    /**
     * @param loss         the NaN or infinite loss of the last step or round
     * @param step         the optimizer steps done when it was seen
     * @param learningRate the learning-rate key of the trainer, named in the advice
     * @param clipKey      the gradient-clipping key of the trainer, or null if it has none
     */
    public TrainingDiverged(double loss, long step, String learningRate, String clipKey) {
        super("training diverged: the loss is " + loss + " at step " + step + "; no checkpoint was written after it."
                + " Resume from the last checkpoint with a lower " + learningRate
                + (clipKey == null ? "" : " or with " + clipKey + " > 0"));
    }
}
