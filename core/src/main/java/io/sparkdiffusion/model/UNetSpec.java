package io.sparkdiffusion.model;

import java.util.Arrays;
import java.util.List;

/**
 * The knobs of the U-Net denoiser, with defaults that give the network of the PyTorch reference
 * ({@code bench/reference/ddpm_ref.py}: 624,161 parameters at 1×28×28).
 *
 * @param imageChannels       1 (grayscale) or 3 (RGB)
 * @param imageSize           height = width of the images, divisible by 2^(levels−1)
 * @param baseChannels        channels of the first level
 * @param channelMultipliers  channels of level i = baseChannels × channelMultipliers[i]
 * @param resBlocksPerLevel   residual blocks per level on the way down (and up)
 * @param groupNormGroups     groups of every GroupNorm; must divide every level's channels
 * @param timeEmbeddingDim    width of the sinusoidal timestep embedding and of its MLP
 * @param numClasses          0 for an unconditional model; else class labels 0 … numClasses−1 and one
 *                            more "no label" class (index numClasses) for classifier-free guidance
 * @param attention           self-attention after every block of the lowest resolution (one head per 32
 *                            channels)
 * @param prediction          what the network outputs: the noise ε or the velocity v
 * @param attentionResolutions self-attention after every block (down and up) of the levels whose side is one of
 *                            these, e.g. [16]: attention where the feature map is 16×16 (empty: none besides
 *                            {@code attention}); each must be the side of a level
 */
public record UNetSpec(int imageChannels, int imageSize, int baseChannels, List<Integer> channelMultipliers,
                       int resBlocksPerLevel, int groupNormGroups, int timeEmbeddingDim, int numClasses,
                       boolean attention, Prediction prediction, List<Integer> attentionResolutions)
        implements java.io.Serializable {

    public enum Prediction { EPSILON, V }

    /** Without attention at chosen resolutions (the spec of checkpoints written before they existed). */
    public UNetSpec(int imageChannels, int imageSize, int baseChannels, List<Integer> channelMultipliers,
                    int resBlocksPerLevel, int groupNormGroups, int timeEmbeddingDim, int numClasses,
                    boolean attention, Prediction prediction) {
        this(imageChannels, imageSize, baseChannels, channelMultipliers, resBlocksPerLevel, groupNormGroups,
                timeEmbeddingDim, numClasses, attention, prediction, List.of());
    }

    @com.fasterxml.jackson.annotation.JsonCreator
    public UNetSpec {
        channelMultipliers = List.copyOf(channelMultipliers);
        // a checkpoint written before attentionResolutions existed reads it as null
        attentionResolutions = attentionResolutions == null ? List.of()
                : attentionResolutions.stream().distinct().sorted(java.util.Comparator.reverseOrder()).toList();
        if (imageChannels != 1 && imageChannels != 3) {
            throw new IllegalArgumentException("image channels must be 1 or 3, got " + imageChannels);
        }
        if (channelMultipliers.isEmpty()) {
            throw new IllegalArgumentException("channel multipliers must not be empty");
        }
        int downFactor = 1 << (channelMultipliers.size() - 1);
        if (imageSize < downFactor || imageSize % downFactor != 0) {
            throw new IllegalArgumentException("image size " + imageSize + " must be a multiple of " + downFactor
                    + " for " + channelMultipliers.size() + " levels");
        }
        if (baseChannels < 1 || resBlocksPerLevel < 1 || timeEmbeddingDim < 2 || timeEmbeddingDim % 2 != 0) {
            throw new IllegalArgumentException("base channels and res blocks must be positive and the time "
                    + "embedding dim even");
        }
        for (int m : channelMultipliers) {
            if (m < 1 || (baseChannels * m) % groupNormGroups != 0) {
                throw new IllegalArgumentException("group-norm groups " + groupNormGroups
                        + " must divide every level's channels, not " + baseChannels * m);
            }
        }
        if (numClasses < 0) {
            throw new IllegalArgumentException("number of classes must be 0 (unconditional) or more, got " + numClasses);
        }
        if (prediction == null) {
            prediction = Prediction.EPSILON;
        }
        for (int side : attentionResolutions) {
            if (side < 1 || imageSize % side != 0 || Integer.bitCount(imageSize / side) != 1
                    || imageSize / side > downFactor) {
                throw new IllegalArgumentException("attention resolution " + side + " is not the side of a level of a "
                        + imageSize + "x" + imageSize + " U-Net with " + channelMultipliers.size() + " levels");
            }
        }
    }

    /** Whether the blocks of a level (0 = full resolution) are followed by self-attention. */
    public boolean attentionAt(int level) {
        return (attention && level == channelMultipliers.size() - 1)
                || attentionResolutions.contains(imageSize >> level);
    }

    /** Whether any level has self-attention (which has no NHWC form). */
    public boolean hasAttention() {
        return attention || !attentionResolutions.isEmpty();
    }

    /** The reference network for 1×28×28 images (Fashion-MNIST), unconditional. */
    public static UNetSpec reference() {
        return new UNetSpec(1, 28, 32, List.of(1, 2, 2), 1, 8, 128, 0, false, Prediction.EPSILON);
    }

    public UNetSpec withImage(int channels, int size) {
        return new UNetSpec(channels, size, baseChannels, channelMultipliers, resBlocksPerLevel, groupNormGroups,
                timeEmbeddingDim, numClasses, attention, prediction, attentionResolutions);
    }

    public UNetSpec withClasses(int classes) {
        return new UNetSpec(imageChannels, imageSize, baseChannels, channelMultipliers, resBlocksPerLevel,
                groupNormGroups, timeEmbeddingDim, classes, attention, prediction, attentionResolutions);
    }

    /** Heads of the self-attention at the lowest level: one per 32 channels (at least one). */
    public int attentionHeads() {
        return attentionHeads(levelChannels()[channelMultipliers.size() - 1]);
    }

    /** Heads of a self-attention over this many channels: one per 32 channels (at least one). */
    public static int attentionHeads(int channels) {
        int heads = Math.max(1, channels / 32);
        while (channels % heads != 0) {
            heads--;
        }
        return heads;
    }

    public boolean conditional() {
        return numClasses > 0;
    }

    /** Channels of each level, from the top (full resolution) down. */
    public int[] levelChannels() {
        return channelMultipliers.stream().mapToInt(m -> m * baseChannels).toArray();
    }

    @Override
    public String toString() {
        return "UNetSpec{" + imageChannels + "x" + imageSize + "x" + imageSize + ", channels="
                + Arrays.toString(levelChannels()) + ", blocks/level=" + resBlocksPerLevel + ", groups="
                + groupNormGroups + ", temb=" + timeEmbeddingDim + ", classes=" + numClasses + ", attention="
                + attention + (attentionResolutions.isEmpty() ? "" : ", attention at " + attentionResolutions)
                + ", prediction=" + prediction + "}";
    }
}
