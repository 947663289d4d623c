package io.sparkdiffusion.train;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * The learning-rate schedule and gradient clip a network carries in its configuration (and so in model.zip),
 * read and replaced: a resumed run must train with the configured values, not the checkpoint's.
 */
public final class NetworkOptimizerSettings {
    private NetworkOptimizerSettings() {
    }

    /** The learning-rate schedule of the network's Adam (the first layer that has one), or null. */
    public static ISchedule learningRate(ComputationGraph network) {
        for (Layer layer : network.getLayers()) {
            if (layer.conf().getLayer() instanceof BaseLayer base && base.getIUpdater() instanceof Adam adam) {
                return adam.getLearningRateSchedule() != null ? adam.getLearningRateSchedule()
                        : new WarmupSchedule(adam.getLearningRate(), 0);
            }
        }
        return null;
    }

    /**
     * Gives every layer's Adam this schedule, keeping Adam's moments, when it differs from the network's;
     * returns the schedule it replaced, or null when nothing changed.
     */
    public static ISchedule replaceLearningRate(ComputationGraph network, WarmupSchedule wanted) {
        ISchedule had = learningRate(network);
        if (wanted.equals(had)) {
            return null;
        }
        network.setLearningRate(wanted); // NetworkUtils carries the updater state over
        return had;
    }

    /** How a log line names a schedule: "2.00e-04 after 100". */
    public static String describe(ISchedule schedule) {
        return schedule instanceof WarmupSchedule w
                ? String.format("%.3g after %d", w.getLearningRate(), w.getWarmupSteps())
                : String.valueOf(schedule);
    }

    /** The L2 norm each layer's gradient is clipped to, 0 when it is not. */
    public static double gradientClip(ComputationGraph network) {
        for (Layer layer : network.getLayers()) {
            if (layer.conf().getLayer() instanceof BaseLayer base) {
                return base.getGradientNormalization() == GradientNormalization.ClipL2PerLayer
                        ? base.getGradientNormalizationThreshold() : 0;
            }
        }
        return 0;
    }

    /** As UNetBuilder configures it: every layer's gradient clipped to this L2 norm, or none for 0. */
    public static void setGradientClip(ComputationGraph network, double clip) {
        for (Layer layer : network.getLayers()) {
            if (layer.conf().getLayer() instanceof BaseLayer base) {
                base.setGradientNormalization(clip > 0 ? GradientNormalization.ClipL2PerLayer : GradientNormalization.None);
                if (clip > 0) {
                    base.setGradientNormalizationThreshold(clip);
                }
            }
        }
    }
}
