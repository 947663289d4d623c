package io.sparkdiffusion.jobs.prepare;

/**
 * One input file as an incremental output's file index records it.
 *
 * @param source       the file's URI, as the shards name it
 * @param id           its image id (the shards' id)
 * @param length       bytes, from the listing
 * @param modified     modification time (ms since the epoch), from the listing
 * @param status       {@link FileIndex#KEPT}, {@link FileIndex#DUPLICATE} or {@link FileIndex#REJECTED}
 * @param contentHash  of the decoded image; null when rejected
 * @param label        −1 when unlabeled
 * @param split        train or validation
 * @param sum          kept only: the image's per-channel sums of its values (for the manifest's statistics)
 * @param sumOfSquares kept only: the same of the squared values
 * @param version      the version that read the file
 */
public record IndexedFile(String source, String id, long length, long modified, String status, String contentHash,
                          int label, String split, long[] sum, long[] sumOfSquares, int version) {

    public boolean kept() {
        return FileIndex.KEPT.equals(status);
    }

    /** The same size and modification time as the listing's: the file counts as seen. */
    public boolean sameAs(long listedLength, long listedModified) {
        return length == listedLength && modified == listedModified;
    }
}
