package io.sparkdiffusion.generate;

/**
 * The columns of a SampleJob/AugmentJob output: its image shards ({@code shards/*.parquet}, {@link ImageShards}) and
 * its {@code samples.parquet} (one row per image, no pixels). Both hold a {@link GeneratedImage}'s record; a shard
 * carries the image itself in {@link #IMAGE}, {@code samples.parquet} only its {@link #PATH}. The one place every
 * reader and writer names them.
 */
public final class GeneratedColumns {
    /** The image's id (its file name in the PNG tree, without {@code .png}). */
    public static final String ID = "id";
    /** Of a shard: a struct of {@link #BYTES} and {@link #PATH}, Hugging Face {@code datasets}' Image layout. */
    public static final String IMAGE = "image";
    /** The PNG file's bytes, a field of {@link #IMAGE}. */
    public static final String BYTES = "bytes";
    /**
     * The image's path relative to the output, as the PNG tree has it: a field of {@link #IMAGE} in a shard, a
     * column of its own in {@code samples.parquet}.
     */
    public static final String PATH = "path";
    /** {@link #IMAGE}'s fields as Spark names them in a query of the shards. */
    public static final String IMAGE_BYTES = IMAGE + "." + BYTES;
    public static final String IMAGE_PATH = IMAGE + "." + PATH;
    /** The label the image was made for (−1: unlabeled). */
    public static final String LABEL = "label";
    /** That label's class name in the training data (null: unlabeled). */
    public static final String CLASS_NAME = "class_name";
    /** The seed of the image's noise. */
    public static final String SEED = "seed";
    /** AugmentJob: the prepared image that was varied (null for SampleJob). */
    public static final String SOURCE_ID = "source_id";
    /** The recipe: sampler name, its steps, DDIM's eta, guidance scale. */
    public static final String SAMPLER = "sampler";
    public static final String STEPS = "steps";
    public static final String ETA = "eta";
    public static final String GUIDANCE = "guidance";
    /** AugmentJob: how far the source was noised (null for SampleJob). */
    public static final String STRENGTH = "strength";
    /** The weights sampled with: ema or raw. */
    public static final String WEIGHTS = "weights";
    /** The checkpoint directory and its training step. */
    public static final String CHECKPOINT = "checkpoint";
    public static final String CHECKPOINT_STEP = "checkpoint_step";

    private GeneratedColumns() {
    }
}
