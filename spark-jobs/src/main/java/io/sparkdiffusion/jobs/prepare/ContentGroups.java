package io.sparkdiffusion.jobs.prepare;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import io.sparkdiffusion.data.PreparedColumns;
import io.sparkdiffusion.image.PixelStatistics;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Scans a partition of {@link PreparedRows#DECODED} rows sorted by (content hash, source), where the rejects
 * (no hash) come first and the copies of one content are neighbours, the first of them (by source) being the
 * one kept. The hash is not cryptographic: rows with equal hashes are copies only if their prepared pixels are
 * equal too (two contents that collide stay apart, each with its own first source).
 *
 * <p>An incremental version also knows the contents earlier versions kept ({@code earlier}: content hash → source):
 * a row with such a hash is a copy of that earlier image, matched by the 128-bit hash alone (its pixels are in an
 * earlier shard, not at hand).
 */
final class ContentGroups {
    private static final int SOURCE = PreparedRows.DECODED.fieldIndex(PreparedColumns.SOURCE);
    private static final int LABEL = PreparedRows.DECODED.fieldIndex(PreparedColumns.LABEL);
    private static final int PIXELS = PreparedRows.DECODED.fieldIndex(PreparedColumns.PIXELS);
    private static final int SPLIT = PreparedRows.DECODED.fieldIndex(PreparedColumns.SPLIT);
    private static final int CONTENT_HASH = PreparedRows.DECODED.fieldIndex(PreparedRows.CONTENT_HASH);
    private static final int REASON = PreparedRows.DECODED.fieldIndex(PreparedColumns.REASON);

    private ContentGroups() {
    }

    /**
     * The kept rows as {@link PreparedRows#SHARD} rows; every row of the partition is counted into a {@link PrepareCounts}
     * that goes to {@code tally} once the partition has been read to its end.
     */
    static FlatMapFunction<Iterator<Row>, Row> keptRows(PrepareCountsAccumulator tally, int channels, int classes,
                                                        EarlierContents earlier) {
        return rows -> new Scan(rows, earlier) {
            private final PrepareCounts partial = new PrepareCounts(channels, classes);

            @Override
            Row emit(Row row, String firstOfContent) {
                if (!row.isNullAt(REASON)) {
                    partial.reject(row.getString(SOURCE), row.getString(REASON));
                    return null;
                }
                if (firstOfContent != null) {
                    partial.duplicate();
                    return null;
                }
                partial.keep(row.getInt(LABEL), row.getString(SPLIT), (byte[]) row.get(PIXELS));
                Object[] shard = new Object[PreparedRows.SHARD.size()];
                for (int i = 0; i < shard.length; i++) {
                    shard[i] = row.get(i); // the shard columns lead the decoded ones
                }
                return RowFactory.create(shard);
            }

            @Override
            void end() {
                tally.add(partial);
            }
        };
    }

    /** (source, duplicate_of) for every row whose content an earlier source of the partition has. */
    static FlatMapFunction<Iterator<Row>, Row> duplicates(EarlierContents earlier) {
        return rows -> new Scan(rows, earlier) {
            @Override
            Row emit(Row row, String firstOfContent) {
                return firstOfContent == null ? null : RowFactory.create(row.getString(SOURCE), firstOfContent);
            }
        };
    }

    /** A {@link FileIndex#OUTCOMES} row for every row: what became of each file, for an incremental output's index. */
    static FlatMapFunction<Iterator<Row>, Row> outcomes(int channels, EarlierContents earlier) {
        return rows -> new Scan(rows, earlier) {
            @Override
            Row emit(Row row, String firstOfContent) {
                String source = row.getString(SOURCE);
                int label = row.getInt(LABEL);
                if (!row.isNullAt(REASON)) {
                    return FileIndex.outcome(source, label, FileIndex.REJECTED, null, null, null, null);
                }
                String hash = row.getString(CONTENT_HASH);
                if (firstOfContent != null) {
                    return FileIndex.outcome(source, label, FileIndex.DUPLICATE, hash, firstOfContent, null, null);
                }
                PixelStatistics sums = new PixelStatistics(channels).add((byte[]) row.get(PIXELS));
                return FileIndex.outcome(source, label, FileIndex.KEPT, hash, null, sums.sums(), sums.sumsOfSquares());
            }
        };
    }

    /** A content's prepared pixels and the first source (by sort order) that has it. */
    private record Content(byte[] pixels, String firstSource) {
    }

    /** Walks the sorted rows, telling each hashed row the source of the first row with its content if it is not that one. */
    private abstract static class Scan implements Iterator<Row> {
        private final Iterator<Row> rows;
        private String hash;
        /** Each content seen with the current hash (one, but for a collision). */
        private final List<Content> contents = new ArrayList<>(1);
        private final EarlierContents earlier;
        private Row next;
        private boolean ended;

        Scan(Iterator<Row> rows, EarlierContents earlier) {
            this.rows = rows;
            this.earlier = earlier;
        }

        /** The output for one row, or null for none. */
        abstract Row emit(Row row, String firstOfContent);

        /** Called once, after the last row. */
        void end() {
        }

        @Override
        public boolean hasNext() {
            while (next == null && rows.hasNext()) {
                Row row = rows.next();
                next = emit(row, row.isNullAt(CONTENT_HASH) ? null : firstOfContent(row));
            }
            if (next == null && !ended) {
                ended = true;
                end();
            }
            return next != null;
        }

        /** The first source of the row's content, or null when the row is that first one. */
        private String firstOfContent(Row row) {
            String h = row.getString(CONTENT_HASH);
            if (!h.equals(hash)) {
                hash = h;
                contents.clear();
                String kept = earlier.sourceOf(h);
                if (kept != null) {
                    contents.add(new Content(null, kept)); // no pixels: matched by the hash
                }
            }
            byte[] pixels = (byte[]) row.get(PIXELS);
            for (Content content : contents) {
                if (content.pixels() == null || Arrays.equals(content.pixels(), pixels)) {
                    return content.firstSource();
                }
            }
            contents.add(new Content(pixels, row.getString(SOURCE)));
            return null;
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Row row = next;
            next = null;
            return row;
        }
    }
}
