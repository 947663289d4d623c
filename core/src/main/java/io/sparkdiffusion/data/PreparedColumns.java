package io.sparkdiffusion.data;

/**
 * The columns of a PrepareJob shard ({@code shards/*.parquet}), in order, and the values of its split column: the
 * one place every reader and the writer name them.
 */
public final class PreparedColumns {
    public static final String ID = "id";
    public static final String SOURCE = "source";
    public static final String LABEL = "label";
    public static final String HEIGHT = "height";
    public static final String WIDTH = "width";
    public static final String CHANNELS = "channels";
    public static final String PIXELS = "pixels";
    public static final String SPLIT = "split";

    /** The columns of a shard, in order. */
    public static final String[] ALL = {ID, SOURCE, LABEL, HEIGHT, WIDTH, CHANNELS, PIXELS, SPLIT};

    /** Values of {@link #SPLIT}, and {@code all} for both. */
    public static final String TRAIN = "train";
    public static final String VALIDATION = "validation";
    public static final String BOTH_SPLITS = "all";

    /**
     * The JSON-lines lists beside the shards: {@code rejects/} ({@link #SOURCE}, {@link #REASON}),
     * {@code duplicates/} ({@link #SOURCE}, {@link #DUPLICATE_OF}: the source of the image kept), and an incremental
     * output's {@code removed/} ({@link PreparedManifest.Version#removed}: {@link #ID}, {@link #VERSION},
     * {@link #SOURCE}, {@link #REASON}), where a row of an earlier version no longer in the output is named by its
     * id and the version that added it.
     */
    public static final String REASON = "reason";
    public static final String DUPLICATE_OF = "duplicate_of";
    public static final String VERSION = "version";

    private PreparedColumns() {
    }
}
