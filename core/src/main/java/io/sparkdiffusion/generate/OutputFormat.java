package io.sparkdiffusion.generate;

import java.util.Locale;

/**
 * What a generation run writes: Parquet image shards ({@link ImageShards}), a folder-per-class tree of PNG files,
 * or both. {@code auto} picks the shards above {@link #AUTO_SHARDS_ABOVE} images: a PNG tree is what a person opens
 * and looks at, but every file is a NameNode object on HDFS and a request on S3, and trainers read shards faster.
 */
public enum OutputFormat {
    PARQUET, PNG_TREE, BOTH;

    /** Runs of more images than this write shards when the format is {@code auto}. */
    public static final long AUTO_SHARDS_ABOVE = 10_000;

    /**
     * @param setting auto, parquet, png-tree or both
     * @param images  the images of the run
     */
    public static OutputFormat resolve(String setting, long images) {
        return switch (setting) {
            case "auto" -> images > AUTO_SHARDS_ABOVE ? PARQUET : PNG_TREE;
            case "parquet" -> PARQUET;
            case "png-tree" -> PNG_TREE;
            case "both" -> BOTH;
            default -> throw new IllegalArgumentException("unknown output format '" + setting + "'");
        };
    }

    public boolean writesPngs() {
        return this != PARQUET;
    }

    public boolean writesShards() {
        return this != PNG_TREE;
    }

    /** The name in settings and in plan.json. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
