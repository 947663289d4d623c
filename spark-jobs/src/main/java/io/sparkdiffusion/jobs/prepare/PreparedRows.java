package io.sparkdiffusion.jobs.prepare;

import static io.sparkdiffusion.data.PreparedColumns.CHANNELS;
import static io.sparkdiffusion.data.PreparedColumns.HEIGHT;
import static io.sparkdiffusion.data.PreparedColumns.ID;
import static io.sparkdiffusion.data.PreparedColumns.LABEL;
import static io.sparkdiffusion.data.PreparedColumns.PIXELS;
import static io.sparkdiffusion.data.PreparedColumns.REASON;
import static io.sparkdiffusion.data.PreparedColumns.SOURCE;
import static io.sparkdiffusion.data.PreparedColumns.SPLIT;
import static io.sparkdiffusion.data.PreparedColumns.WIDTH;

import io.sparkdiffusion.data.PreparedColumns;
import io.sparkdiffusion.data.SourceIds;
import io.sparkdiffusion.image.PreparedImage;
import io.sparkdiffusion.image.Uint8Image;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The rows PrepareJob passes between its stages. A decoded row is one input file (or idx record): the shard
 * columns ({@link PreparedColumns#ALL}) plus {@code content_hash} (for duplicates) and {@code reason} (non-null =
 * rejected, and then the image columns are null).
 */
public final class PreparedRows {
    public static final String CONTENT_HASH = "content_hash";

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

    /** A shard row: the leading {@link PreparedColumns#ALL} of a decoded row. */
    public static final StructType SHARD = new StructType(java.util.Arrays.copyOf(DECODED.fields(), PreparedColumns.ALL.length));

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
