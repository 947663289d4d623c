package io.sparkdiffusion.model;

import java.util.List;
import java.util.Locale;

/**
 * A named U-Net arrangement for an image size: the model keys a job starts from before its own settings override
 * them one by one ({@code model.preset}). Sized for CPUs: a few hundred thousand to a few million parameters.
 *
 * <ul>
 *   <li>{@code small28}: the network of the PyTorch reference (3 levels, 32-64-64 channels, no attention), the
 *       default for Fashion-MNIST and anything smaller than 32.</li>
 *   <li>{@code small32}: 4 levels (32→16→8→4), channel multipliers [1,2,2,2], self-attention at 8×8, where 64
 *       positions make it cheap.</li>
 *   <li>{@code base64}: 4 levels (64→32→16→8), channel multipliers [1,2,2,2], self-attention at 16×16 and 8×8
 *       (DDPM's choice for its 32 and 64 px models: 16×16 is where a 64 px image's parts are far apart).</li>
 * </ul>
 *
 * @param attentionResolutions see {@link UNetSpec#attentionResolutions()}
 */
public record UNetPreset(String name, int baseChannels, List<Integer> channelMultipliers, int resBlocksPerLevel,
                         int groups, int timeEmbeddingDim, boolean attention, List<Integer> attentionResolutions) {

    public static final String AUTO = "auto";

    public static final UNetPreset SMALL28 = new UNetPreset("small28", 32, List.of(1, 2, 2), 1, 8, 128, false, List.of());
    public static final UNetPreset SMALL32 = new UNetPreset("small32", 32, List.of(1, 2, 2, 2), 1, 8, 128, false,
            List.of(8));
    public static final UNetPreset BASE64 = new UNetPreset("base64", 32, List.of(1, 2, 2, 2), 1, 8, 128, false,
            List.of(16, 8));

    /** Every preset, smallest first. */
    public static final List<UNetPreset> ALL = List.of(SMALL28, SMALL32, BASE64);

    /** The size each preset is made for (and printed at). */
    public int imageSize() {
        return switch (name) {
            case "small28" -> 28;
            case "small32" -> 32;
            default -> 64;
        };
    }

    /**
     * {@code auto} picks the largest preset made for at most this size that can be built at it: its attention
     * resolutions must be levels of the image, so base64 fits 64 px, small32 32 and 64 px, and every other size
     * gets small28. Any other name is the preset of that name.
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public static UNetPreset named(String name, int imageSize) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.equals(AUTO)) {
            for (int i = ALL.size() - 1; i > 0; i--) {
                UNetPreset larger = ALL.get(i);
                if (larger.imageSize() <= imageSize && larger.fits(imageSize)) {
                    return larger;
                }
            }
            return SMALL28;
        }
        return ALL.stream().filter(p -> p.name.equals(n)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "unknown preset '" + name + "': expected auto, " + String.join(", ", ALL.stream().map(UNetPreset::name).toList())));
    }

    private boolean fits(int imageSize) {
        try {
            spec(1, imageSize, 0);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The spec of this preset for an image shape and class count (epsilon prediction). */
    public UNetSpec spec(int imageChannels, int imageSize, int numClasses) {
        return new UNetSpec(imageChannels, imageSize, baseChannels, channelMultipliers, resBlocksPerLevel, groups,
                timeEmbeddingDim, numClasses, attention, UNetSpec.Prediction.EPSILON, attentionResolutions);
    }
}
