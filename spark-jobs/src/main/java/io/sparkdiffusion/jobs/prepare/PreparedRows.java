package io.sparkdiffusion.jobs.prepare;

import io.sparkdiffusion.data.SourceIds;
import io.sparkdiffusion.image.PreparedImage;
import io.sparkdiffusion.image.Uint8Image;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The rows PrepareJob passes between its stages. A decoded row is one input file (or idx record): the shard
 * documented columns plus {@code content_hash} (for duplicates) and {@code reason} (non-null = rejected,
 * and then the image columns are null).
 */
public final class PreparedRows {
    public static final String ID = "id";
    public static final String SOURCE = "source";
    public static final String LABEL = "label";
    public static final String HEIGHT = "height";
    public static final String WIDTH = "width";
    public static final String CHANNELS = "channels";
    public static final String PIXELS = "pixels";
    public static final String SPLIT = "split";
    public static final String CONTENT_HASH = "content_hash";
    public static final String REASON = "reason";

    /** The columns of a shard, in order. */
    public static final String[] SHARD_COLUMNS = {ID, SOURCE, LABEL, HEIGHT, WIDTH, CHANNELS, PIXELS, SPLIT};

    public static final StructType DECODED = new StructType()
            .add(ID, DataTypes.StringType, false)
            .add(SOURCE, DataTypes.StringType, false)
            .add(LABEL, DataTypes.IntegerType, false)
            .add(HEIGHT, DataTypes.IntegerType, true)
            .add(WIDTH, DataTypes.IntegerType, true)
            .add(CHANNELS, DataTypes.IntegerType, true)
            .add(PIXELS, DataTypes.BinaryType, true)
            .add(SPLIT, DataTypes.StringType, false)
            .add(CONTENT_HASH, DataTypes.StringType, true)
            .add(REASON, DataTypes.StringType, true);

    /** A shard row: the leading {@link #SHARD_COLUMNS} of a decoded row. */
    public static final StructType SHARD = new StructType(java.util.Arrays.copyOf(DECODED.fields(), SHARD_COLUMNS.length));

    private PreparedRows() {
    }

    public static Row decoded(String source, int label, PreparedImage prepared, double validationFraction) {
        String id = SourceIds.id(source);
        String split = SourceIds.split(id, validationFraction);
        if (!prepared.ok()) {
            return rejected(source, label, prepared.reason(), validationFraction);
        }
        Uint8Image img = prepared.image();
        return RowFactory.create(id, source, label, img.height(), img.width(), img.channels(), img.pixels(), split,
                prepared.contentHash(), null);
    }

    public static Row rejected(String source, int label, String reason, double validationFraction) {
        String id = SourceIds.id(source);
        return RowFactory.create(id, source, label, null, null, null, null, SourceIds.split(id, validationFraction),
                null, reason);
    }
}
