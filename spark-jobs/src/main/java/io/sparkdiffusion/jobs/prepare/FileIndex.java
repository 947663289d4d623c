package io.sparkdiffusion.jobs.prepare;

import static io.sparkdiffusion.data.PreparedColumns.ID;
import static io.sparkdiffusion.data.PreparedColumns.LABEL;
import static io.sparkdiffusion.data.PreparedColumns.SOURCE;
import static io.sparkdiffusion.data.PreparedColumns.SPLIT;
import static io.sparkdiffusion.data.PreparedColumns.VERSION;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.sparkdiffusion.data.PreparedManifest;
import io.sparkdiffusion.data.PreparedManifest.Version;
import io.sparkdiffusion.data.SourceIds;
import io.sparkdiffusion.jobs.glue.PreparedShards;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * An incremental output's file index: per version, one Parquet row for every input file that version read
 * ({@code files/}), so that the next version decodes only the files not seen before. The current index is every
 * version's rows less those a later version removed, read as the shards are ({@link PreparedShards#current}).
 */
public final class FileIndex {
    public static final String KEPT = "kept";
    public static final String DUPLICATE = "duplicate";
    public static final String REJECTED = "rejected";

    static final String LENGTH = "length";
    static final String MODIFIED = "modified";
    static final String STATUS = "status";
    static final String CONTENT_HASH = "content_hash";
    static final String DUPLICATE_OF = "duplicate_of";
    static final String SUM = "sum";
    static final String SUM_OF_SQUARES = "sum_of_squares";

    /** What the executors report per decoded file: {@link #outcome}. */
    static final StructType OUTCOMES = new StructType()
            .add(SOURCE, DataTypes.StringType, false)
            .add(LABEL, DataTypes.IntegerType, false)
            .add(STATUS, DataTypes.StringType, false)
            .add(CONTENT_HASH, DataTypes.StringType, true)
            .add(DUPLICATE_OF, DataTypes.StringType, true)
            .add(SUM, DataTypes.createArrayType(DataTypes.LongType, false), true)
            .add(SUM_OF_SQUARES, DataTypes.createArrayType(DataTypes.LongType, false), true);

    /** A row of {@code files/}. */
    static final StructType FILES = new StructType()
            .add(SOURCE, DataTypes.StringType, false)
            .add(ID, DataTypes.StringType, false)
            .add(LENGTH, DataTypes.LongType, false)
            .add(MODIFIED, DataTypes.LongType, false)
            .add(STATUS, DataTypes.StringType, false)
            .add(CONTENT_HASH, DataTypes.StringType, true)
            .add(LABEL, DataTypes.IntegerType, false)
            .add(SPLIT, DataTypes.StringType, false)
            .add(SUM, DataTypes.createArrayType(DataTypes.LongType, false), true)
            .add(SUM_OF_SQUARES, DataTypes.createArrayType(DataTypes.LongType, false), true);

    private FileIndex() {
    }

    static Row outcome(String source, int label, String status, String contentHash, String duplicateOf, long[] sum,
                       long[] sumOfSquares) {
        // With its schema: the driver reads the collected rows by column name.
        return new GenericRowWithSchema(new Object[]{source, label, status, contentHash, duplicateOf, boxed(sum),
                boxed(sumOfSquares)}, OUTCOMES);
    }

    /** The current index of an incremental output (on the driver: ~300 bytes a file), by source. */
    static Map<String, IndexedFile> read(SparkSession spark, String dataDir, PreparedManifest manifest) {
        Map<String, IndexedFile> index = new HashMap<>();
        for (Row r : PreparedShards.current(spark, dataDir, manifest, Version::files, v -> v.filesRead() > 0)
                .collectAsList()) {
            IndexedFile f = new IndexedFile(r.getAs(SOURCE), r.getAs(ID), r.<Long>getAs(LENGTH), r.<Long>getAs(MODIFIED),
                    r.getAs(STATUS), r.getAs(CONTENT_HASH), r.<Integer>getAs(LABEL), r.getAs(SPLIT),
                    unboxed(r, SUM), unboxed(r, SUM_OF_SQUARES), r.<Integer>getAs(VERSION));
            index.put(f.source(), f);
        }
        return index;
    }

    /**
     * The index rows of the files a version decoded: the executors' outcomes with the size and modification time of
     * the listing that chose the files (a file that changes while being read is seen as changed by the next version).
     */
    static List<IndexedFile> of(List<Row> outcomes, Map<String, FileStatus> listing, int version,
                                double validationFraction) {
        List<IndexedFile> files = new ArrayList<>(outcomes.size());
        for (Row r : outcomes) {
            String source = r.getAs(SOURCE);
            FileStatus status = listing.get(source);
            if (status == null) {
                throw new IllegalStateException("decoded a file the listing does not hold: " + source);
            }
            String id = SourceIds.id(source);
            files.add(new IndexedFile(source, id, status.getLen(), status.getModificationTime(), r.getAs(STATUS),
                    r.getAs(CONTENT_HASH), r.<Integer>getAs(LABEL), SourceIds.split(id, validationFraction),
                    unboxed(r, SUM), unboxed(r, SUM_OF_SQUARES), version));
        }
        return files;
    }

    /** Writes {@code files} as one Parquet file (a version's files are few, the first version's ~100 bytes a file). */
    static void write(SparkSession spark, List<IndexedFile> files, Path dir) {
        List<Row> rows = new ArrayList<>(files.size());
        for (IndexedFile f : files) {
            rows.add(RowFactory.create(f.source(), f.id(), f.length(), f.modified(), f.status(), f.contentHash(),
                    f.label(), f.split(), boxed(f.sum()), boxed(f.sumOfSquares())));
        }
        spark.createDataFrame(rows, FILES).coalesce(1).write()
                .option("mapreduce.fileoutputcommitter.marksuccessfuljobs", "false").parquet(dir.toString());
    }

    private static Long[] boxed(long[] values) {
        if (values == null) {
            return null;
        }
        Long[] boxed = new Long[values.length];
        for (int i = 0; i < values.length; i++) {
            boxed[i] = values[i];
        }
        return boxed;
    }

    private static long[] unboxed(Row row, String column) {
        int i = row.fieldIndex(column);
        if (row.isNullAt(i)) {
            return null;
        }
        // A list when Spark read the row, the array itself in a row an executor made (collected as it is).
        List<Long> values = row.get(i) instanceof Long[] array ? List.of(array) : row.getList(i);
        long[] unboxed = new long[values.size()];
        for (int j = 0; j < unboxed.length; j++) {
            unboxed[j] = values.get(j);
        }
        return unboxed;
    }
}
