package io.sparkdiffusion.jobs.prepare;

import static io.sparkdiffusion.data.PreparedColumns.DUPLICATE_OF;
import static io.sparkdiffusion.data.PreparedColumns.LABEL;
import static io.sparkdiffusion.data.PreparedColumns.SOURCE;
import static io.sparkdiffusion.jobs.prepare.PreparedRows.CONTENT_HASH;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SequenceWriter;

import io.sparkdiffusion.config.CommitProtocol;
import io.sparkdiffusion.data.PreparedManifest;
import io.sparkdiffusion.data.PreparedManifest.Version;
import io.sparkdiffusion.data.RemovedRows;
import io.sparkdiffusion.data.SourceIds;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * An incremental output's file index: per version, one JSON line ({@link IndexedFile}) for every input file that
 * version read ({@code files/files.jsonl.gz}), so that the next version decodes only the files not seen before. The
 * current index is every version's rows less those a later version removed ({@link RemovedRows}), as for the shards.
 */
public final class FileIndex {
    public static final String KEPT = "kept";
    public static final String DUPLICATE = "duplicate";
    public static final String REJECTED = "rejected";

    static final String STATUS = "status";
    static final String SUM = "sum";
    static final String SUM_OF_SQUARES = "sum_of_squares";
    /** A version's index file, in its {@code files/} directory. */
    static final String FILE = "files.jsonl.gz";
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** What the executors report per decoded file: {@link #outcome}. */
    static final StructType OUTCOMES = new StructType()
            .add(SOURCE, DataTypes.StringType, false)
            .add(LABEL, DataTypes.IntegerType, false)
            .add(STATUS, DataTypes.StringType, false)
            .add(CONTENT_HASH, DataTypes.StringType, true)
            .add(DUPLICATE_OF, DataTypes.StringType, true)
            .add(SUM, DataTypes.createArrayType(DataTypes.LongType, false), true)
            .add(SUM_OF_SQUARES, DataTypes.createArrayType(DataTypes.LongType, false), true);

    private FileIndex() {
    }

    static Row outcome(String source, int label, String status, String contentHash, String duplicateOf, long[] sum,
                       long[] sumOfSquares) {
        // With its schema: the driver reads the collected rows by column name. The sums stay long[]: these rows go
        // to the driver as they are (never through Spark SQL), and a primitive array serializes far faster.
        return new GenericRowWithSchema(new Object[]{source, label, status, contentHash, duplicateOf, sum,
                sumOfSquares}, OUTCOMES);
    }

    /**
     * The current index of an incremental output, by source: every version's rows less those a later version
     * removed. Read on the driver (~300 bytes a file, kept there anyway): no Spark job, which would cost more than
     * the reading itself.
     */
    static Map<String, IndexedFile> read(FileSystem fs, Path dir, PreparedManifest manifest) throws IOException {
        RemovedRows removed = RemovedRows.of(fs, dir, manifest);
        Map<String, IndexedFile> index = new HashMap<>();
        for (Version v : manifest.versions()) {
            if (v.filesRead() == 0) {
                continue;
            }
            try (InputStream in = new GZIPInputStream(fs.open(new Path(new Path(dir, v.files()), FILE)), 1 << 16);
                 MappingIterator<IndexedFile> rows = JSON.readerFor(IndexedFile.class).readValues(in)) {
                while (rows.hasNext()) {
                    IndexedFile f = rows.next();
                    if (!removed.contains(f.id(), f.version())) {
                        index.put(f.source(), f);
                    }
                }
            }
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
                    sums(r, SUM), sums(r, SUM_OF_SQUARES), version));
        }
        return files;
    }

    /**
     * Writes {@code files}, sorted by source, as gzipped JSON lines ({@value #FILE}) under {@code dir}: a directory of
     * the version being staged, committed whole with it.
     */
    static void write(FileSystem fs, List<IndexedFile> files, Path dir) throws IOException {
        List<IndexedFile> sorted = new ArrayList<>(files);
        sorted.sort(java.util.Comparator.comparing(IndexedFile::source));
        CommitProtocol.write(fs, new Path(dir, FILE), file -> {
            try (OutputStream out = new GZIPOutputStream(file, 1 << 16);
                 SequenceWriter rows = JSON.writer().withRootValueSeparator("\n").writeValues(out)) {
                for (IndexedFile f : sorted) {
                    rows.write(f);
                }
            }
        });
    }

    /** An outcome's per-channel sums (null but for a kept image). */
    private static long[] sums(Row outcome, String column) {
        return (long[]) outcome.get(outcome.fieldIndex(column));
    }
}
