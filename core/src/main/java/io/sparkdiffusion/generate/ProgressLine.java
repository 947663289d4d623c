package io.sparkdiffusion.generate;

import io.sparkdiffusion.train.ProgressMeter;

/** "units 12/40  1,536/5,000 images  34.2 img/s  ETA 1m41s" for a run that may have started part-done. */
public final class ProgressLine {
    private final int totalUnits;
    private final int doneAtStart;
    private final long totalImages;
    private final int imagesPerUnit;
    private final long startNanos;

    public ProgressLine(int totalUnits, int doneAtStart, long totalImages, int imagesPerUnit) {
        this(totalUnits, doneAtStart, totalImages, imagesPerUnit, System.nanoTime());
    }

    ProgressLine(int totalUnits, int doneAtStart, long totalImages, int imagesPerUnit, long startNanos) {
        this.totalUnits = totalUnits;
        this.doneAtStart = doneAtStart;
        this.totalImages = totalImages;
        this.imagesPerUnit = imagesPerUnit;
        this.startNanos = startNanos;
    }

    public String line(int doneUnits) {
        return line(doneUnits, System.nanoTime());
    }

    /** The rate counts only the units made by this run (not those a killed run left). */
    String line(int doneUnits, long nowNanos) {
        double seconds = Math.max(1e-9, (nowNanos - startNanos) / 1e9);
        long imagesNow = Math.min(totalImages, (long) (doneUnits - doneAtStart) * imagesPerUnit);
        double rate = imagesNow / seconds;
        long done = Math.min(totalImages, (long) doneUnits * imagesPerUnit);
        long eta = rate > 0 ? Math.round((totalImages - done) / rate) : -1;
        return String.format(java.util.Locale.ROOT, "units %d/%d  %,d/%,d images  %.1f img/s  ETA %s", doneUnits, totalUnits, done,
                totalImages, rate, doneUnits == totalUnits ? "0m00s" : ProgressMeter.duration(eta));
    }
}
