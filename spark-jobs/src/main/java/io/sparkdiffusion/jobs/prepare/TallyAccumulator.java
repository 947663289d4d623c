package io.sparkdiffusion.jobs.prepare;

import org.apache.spark.util.AccumulatorV2;

/**
 * Collects the {@link Tally} of the tasks that write the shards. Spark merges the update of each result task
 * once, whatever retries or speculative copies ran, so the total counts every row exactly once.
 */
public final class TallyAccumulator extends AccumulatorV2<Tally, Tally> {
    private final int channels;
    private final int classes;
    private Tally tally;

    public TallyAccumulator(int channels, int classes) {
        this.channels = channels;
        this.classes = classes;
        this.tally = new Tally(channels, classes);
    }

    @Override
    public boolean isZero() {
        return tally.files() == 0;
    }

    @Override
    public AccumulatorV2<Tally, Tally> copy() {
        TallyAccumulator copy = new TallyAccumulator(channels, classes);
        copy.tally.merge(tally);
        return copy;
    }

    @Override
    public void reset() {
        tally = new Tally(channels, classes);
    }

    @Override
    public void add(Tally partial) {
        tally.merge(partial);
    }

    @Override
    public void merge(AccumulatorV2<Tally, Tally> other) {
        tally.merge(other.value());
    }

    @Override
    public Tally value() {
        return tally;
    }
}
