package io.sparkdiffusion.train;

import java.util.LinkedHashMap;
import java.util.Map;

/** Loss average, images/s and ETA of a training run, for progress lines and metrics rows. */
public final class ProgressMeter {
    private final long startStep;
    private final long maxSteps;
    private final long startNanos = System.nanoTime();
    private long images;
    private long intervalImages;
    private long intervalStart = System.nanoTime();
    private double lossSum;
    private int lossCount;
    private double recentLoss = Double.NaN;
    private double intervalRate = Double.NaN;

    public ProgressMeter(long startStep, long maxSteps) {
        this.startStep = startStep;
        this.maxSteps = maxSteps;
    }

    /** One optimizer step (or averaging round) with its loss and the images it trained on. */
    public void record(double loss, int batchImages) {
        images += batchImages;
        intervalImages += batchImages;
        lossSum += loss;
        lossCount++;
    }

    /** Closes the current log interval: mean loss and rate since the previous one. */
    private void closeInterval() {
        long now = System.nanoTime();
        if (lossCount > 0) {
            recentLoss = lossSum / lossCount;
            intervalRate = intervalImages / ((now - intervalStart) / 1e9);
        }
        lossSum = 0;
        lossCount = 0;
        intervalImages = 0;
        intervalStart = now;
    }

    /** A metrics row for this step; closes the interval. */
    public Map<String, Object> row(long step, int epoch, double learningRate) {
        closeInterval();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("step", step);
        row.put("epoch", epoch);
        row.put("loss", recentLoss);
        row.put("lr", learningRate);
        row.put("images_per_s", intervalRate);
        row.put("wall_s", elapsedSeconds());
        return row;
    }

    /** The progress line of the interval closed by the last {@link #row}. */
    public String line(long step, int epoch) {
        double overallRate = images / Math.max(1e-9, elapsedSeconds());
        double stepsPerSecond = (step - startStep) / Math.max(1e-9, elapsedSeconds());
        long etaSeconds = stepsPerSecond > 0 ? Math.round((maxSteps - step) / stepsPerSecond) : -1;
        return String.format("step %d/%d  epoch %d  loss %.4f  %.1f img/s  ETA %s", step, maxSteps, epoch,
                recentLoss, Double.isNaN(intervalRate) ? overallRate : intervalRate, duration(etaSeconds));
    }

    public double recentLoss() {
        return recentLoss;
    }

    public double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** 1m05s, or 2h03m; "?" when unknown (negative). */
    public static String duration(long seconds) {
        if (seconds < 0) {
            return "?";
        }
        return seconds >= 3600 ? String.format("%dh%02dm", seconds / 3600, seconds / 60 % 60)
                : String.format("%dm%02ds", seconds / 60, seconds % 60);
    }
}
