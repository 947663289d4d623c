package io.sparkdiffusion.generate;

import io.sparkdiffusion.diffusion.ImageNoise;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What SampleJob generates, as numbered images in fixed-size units. Image i (0-based) has the label of the
 * class block it falls in (all images of label 0 first, then label 1, …), the seed
 * {@code ImageNoise.seedFor(runSeed, i)} and the id {@code i} zero-padded to {@link #idWidth()} digits;
 * unit k holds images {@code k·imagesPerUnit …} up to the next unit. Everything follows from the counts, the
 * unit size and the seed, so any executor can expand any unit, and the images of a run are the same however
 * its units are spread.
 */
public final class SamplePlan implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final int MIN_ID_WIDTH = 8;

    private final long runSeed;
    private final long[] counts;
    private final int[] labels;
    private final long[] ends;
    private final int imagesPerUnit;
    private final long total;

    /**
     * @param runSeed       the run's seed
     * @param countsByLabel images per label (index = label); for an unconditional model one entry, for
     *                      label −1
     * @param conditional   whether the entries are labels 0, 1, … (else the single entry is unlabeled)
     * @param imagesPerUnit images per unit
     */
    public SamplePlan(long runSeed, long[] countsByLabel, boolean conditional, int imagesPerUnit) {
        if (imagesPerUnit < 1) {
            throw new IllegalArgumentException("images per unit must be positive, got " + imagesPerUnit);
        }
        if (!conditional && countsByLabel.length != 1) {
            throw new IllegalArgumentException("an unconditional plan has one count");
        }
        this.runSeed = runSeed;
        this.counts = countsByLabel.clone();
        this.labels = new int[counts.length];
        this.ends = new long[counts.length];
        long sum = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] < 0) {
                throw new IllegalArgumentException("image counts must be >= 0, got " + counts[i]);
            }
            sum = Math.addExact(sum, counts[i]);
            ends[i] = sum;
            labels[i] = conditional ? i : -1;
        }
        if (sum == 0) {
            throw new IllegalArgumentException("nothing to generate: all counts are 0");
        }
        if ((sum + imagesPerUnit - 1) / imagesPerUnit > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("too many units; raise the images per unit");
        }
        this.imagesPerUnit = imagesPerUnit;
        this.total = sum;
    }

    public long total() {
        return total;
    }

    public int units() {
        return (int) ((total + imagesPerUnit - 1) / imagesPerUnit);
    }

    public int imagesPerUnit() {
        return imagesPerUnit;
    }

    /** Images per label (index = label, or the one unlabeled count). */
    public long[] counts() {
        return counts.clone();
    }

    public int idWidth() {
        return Math.max(MIN_ID_WIDTH, Long.toString(total - 1).length());
    }

    /** The images of unit k, in index order. */
    public List<PlannedImage> unit(int k) {
        if (k < 0 || k >= units()) {
            throw new IndexOutOfBoundsException("unit " + k + " of " + units());
        }
        long first = (long) k * imagesPerUnit;
        long end = Math.min(total, first + imagesPerUnit);
        List<PlannedImage> images = new ArrayList<>((int) (end - first));
        for (long i = first; i < end; i++) {
            images.add(image(i));
        }
        return images;
    }

    /** Image i of the run. */
    public PlannedImage image(long i) {
        if (i < 0 || i >= total) {
            throw new IndexOutOfBoundsException("image " + i + " of " + total);
        }
        int block = Arrays.binarySearch(ends, i + 1);
        block = block >= 0 ? firstBlockEndingAt(block) : -block - 1;
        return PlannedImage.sample(id(i), labels[block], ImageNoise.seedFor(runSeed, i));
    }

    /** Empty classes end where the previous one did; the image belongs to the first block with that end. */
    private int firstBlockEndingAt(int found) {
        int b = found;
        while (b > 0 && ends[b - 1] == ends[b]) {
            b--;
        }
        return b;
    }

    private String id(long i) {
        String digits = Long.toString(i);
        return "0".repeat(Math.max(0, idWidth() - digits.length())) + digits;
    }
}
