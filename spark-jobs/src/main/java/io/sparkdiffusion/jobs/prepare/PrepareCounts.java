package io.sparkdiffusion.jobs.prepare;

import java.io.Serializable;

/**
 * What one pass over the decoded rows counts for the manifest and the reject check: files, rejects (with the
 * first by source, for the error message), duplicates, and the {@link ShardSummary} of the kept images.
 * Partial tallies merge in any order to the same result.
 */
public final class PrepareCounts implements Serializable {
    private final ShardSummary kept;
    private long files;
    private long rejected;
    private long duplicates;
    private String firstRejectSource;
    private String firstRejectReason;

    public PrepareCounts(int channels, int classes) {
        this.kept = new ShardSummary(channels, classes);
    }

    public void keep(int label, String split, byte[] chw) {
        files++;
        kept.add(label, split, chw);
    }

    public void duplicate() {
        files++;
        duplicates++;
    }

    public void reject(String source, String reason) {
        files++;
        rejected++;
        offerFirstReject(source, reason);
    }

    private void offerFirstReject(String source, String reason) {
        if (source != null && (firstRejectSource == null || source.compareTo(firstRejectSource) < 0)) {
            firstRejectSource = source;
            firstRejectReason = reason;
        }
    }

    public PrepareCounts merge(PrepareCounts other) {
        kept.merge(other.kept);
        files += other.files;
        rejected += other.rejected;
        duplicates += other.duplicates;
        offerFirstReject(other.firstRejectSource, other.firstRejectReason);
        return this;
    }

    public ShardSummary kept() {
        return kept;
    }

    public long files() {
        return files;
    }

    public long rejected() {
        return rejected;
    }

    public long duplicates() {
        return duplicates;
    }

    /** The lexicographically first rejected source, or null when nothing was rejected. */
    public String firstRejectSource() {
        return firstRejectSource;
    }

    public String firstRejectReason() {
        return firstRejectReason;
    }
}
