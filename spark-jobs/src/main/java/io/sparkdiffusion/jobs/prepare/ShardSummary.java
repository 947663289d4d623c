package io.sparkdiffusion.jobs.prepare;

import java.io.Serializable;

import io.sparkdiffusion.data.PreparedColumns;
import io.sparkdiffusion.image.PixelStatistics;

/**
 * What the manifest says about the written shards, aggregated on the executors in one pass: pixel
 * statistics, images per class and per split.
 */
public final class ShardSummary implements Serializable {
    private final PixelStatistics pixels;
    private final long[] perClass;
    private long unlabeled;
    private long train;
    private long validation;

    public ShardSummary(int channels, int classes) {
        this.pixels = new PixelStatistics(channels);
        this.perClass = new long[classes];
    }

    public ShardSummary add(int label, String split, byte[] chw) {
        pixels.add(chw);
        if (label >= 0) {
            perClass[label]++;
        } else {
            unlabeled++;
        }
        if (PreparedColumns.VALIDATION.equals(split)) {
            validation++;
        } else {
            train++;
        }
        return this;
    }

    public ShardSummary merge(ShardSummary other) {
        pixels.merge(other.pixels);
        for (int i = 0; i < perClass.length; i++) {
            perClass[i] += other.perClass[i];
        }
        unlabeled += other.unlabeled;
        train += other.train;
        validation += other.validation;
        return this;
    }

    public PixelStatistics pixels() {
        return pixels;
    }

    public long[] perClass() {
        return perClass.clone();
    }

    public long images() {
        return pixels.images();
    }

    public long train() {
        return train;
    }

    public long validation() {
        return validation;
    }
}
