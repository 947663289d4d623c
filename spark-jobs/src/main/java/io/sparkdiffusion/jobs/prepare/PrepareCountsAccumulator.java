package io.sparkdiffusion.jobs.prepare;

import org.apache.spark.util.AccumulatorV2;

/**
 * Collects the {@link PrepareCounts} of the tasks that write the shards. Spark merges the update of each result task
 * once, whatever retries or speculative copies ran, so the total counts every row exactly once.
 */
public final class PrepareCountsAccumulator extends AccumulatorV2<PrepareCounts, PrepareCounts> {
    private final int channels;
    private final int classes;
    private PrepareCounts tally;

    public PrepareCountsAccumulator(int channels, int classes) {
        this.channels = channels;
        this.classes = classes;
        this.tally = new PrepareCounts(channels, classes);
    }

    @Override
    public boolean isZero() {
        return tally.files() == 0;
    }

    @Override
    public AccumulatorV2<PrepareCounts, PrepareCounts> copy() {
        PrepareCountsAccumulator copy = new PrepareCountsAccumulator(channels, classes);
        copy.tally.merge(tally);
        return copy;
    }

    @Override
    public void reset() {
        tally = new PrepareCounts(channels, classes);
    }

    @Override
    public void add(PrepareCounts partial) {
        tally.merge(partial);
    }

    @Override
    public void merge(AccumulatorV2<PrepareCounts, PrepareCounts> other) {
        tally.merge(other.value());
    }

    @Override
    public PrepareCounts value() {
        return tally;
    }
}
