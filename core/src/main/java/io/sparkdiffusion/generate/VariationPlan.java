package io.sparkdiffusion.generate;

import io.sparkdiffusion.data.LabeledImage;
import io.sparkdiffusion.diffusion.ImageNoise;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * What AugmentJob generates: {@code variations} variations of every selected source image. A source is
 * selected when a hash of (run seed, its id) falls below {@code fraction}, so the choice depends on the image
 * alone, not on the data's order or partitioning. Variation v of source s has the id {@code <s>-v<v>}, the
 * source's label, and the seed {@code ImageNoise.seedFor(key(runSeed, s), v)}: it can be remade on its own,
 * and does not change when other images join or leave the selection.
 *
 * @param runSeed    the run's seed
 * @param variations variations per source image, at least 1
 * @param fraction   share of the source images varied, in (0, 1]
 */
public record VariationPlan(long runSeed, int variations, double fraction) implements Serializable {

    public VariationPlan {
        if (variations < 1) {
            throw new IllegalArgumentException("variations must be at least 1, got " + variations);
        }
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("fraction must be in (0, 1], got " + fraction);
        }
    }

    /** Whether this source image is varied. */
    public boolean selected(String sourceId) {
        if (fraction >= 1) {
            return true;
        }
        long h = ImageNoise.seedFor(runSeed, hash(sourceId)); // well mixed: its top 53 bits are a uniform fraction
        return (h >>> 11) * 0x1.0p-53 < fraction;
    }

    /** The variations of one source image. */
    public List<PlannedImage> variationsOf(LabeledImage source) {
        String sourceId = source.id();
        if (!sourceId.matches("[A-Za-z0-9_-]{1,100}")) { // it becomes a file name
            throw new IllegalArgumentException("source id '" + sourceId + "' is not a safe file name");
        }
        List<PlannedImage> out = new ArrayList<>(variations);
        long key = ImageNoise.seedFor(runSeed, hash(sourceId));
        for (int v = 0; v < variations; v++) {
            out.add(new PlannedImage(id(sourceId, v), source.label(), ImageNoise.seedFor(key, v), source));
        }
        return out;
    }

    public static String id(String sourceId, int variation) {
        return sourceId + "-v" + variation;
    }

    /** 64 bits of SHA-256 of the id: PrepareJob's ids are hex, but any string works. */
    static long hash(String sourceId) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(sourceId.getBytes(StandardCharsets.UTF_8));
            long h = 0;
            for (int i = 0; i < 8; i++) {
                h = (h << 8) | (d[i] & 0xFF);
            }
            return h;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
