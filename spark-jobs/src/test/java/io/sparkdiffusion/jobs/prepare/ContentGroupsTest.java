package io.sparkdiffusion.jobs.prepare;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

/** Copies are rows of equal hash and equal pixels; the first source of each content is kept. */
class ContentGroupsTest {
    private static final byte[] P = {1, 2, 3, 4};
    private static final byte[] Q = {9, 9, 9, 9};

    @Test
    void rowsWhoseHashesCollideAreCopiesOnlyWhenTheirPixelsAreEqual() throws Exception {
        // Sorted by (hash, source), as the shuffle leaves them: a reject first, then two contents under one hash.
        List<Row> sorted = List.of(rejected("file:/r.png"), decoded("file:/a.png", "h1", P), decoded("file:/b.png", "h1", Q),
                decoded("file:/c.png", "h1", P), decoded("file:/d.png", "h2", P), decoded("file:/e.png", "h2", P));
        PrepareCountsAccumulator tally = new PrepareCountsAccumulator(1, 1);

        List<String> kept = new ArrayList<>();
        ContentGroups.keptRows(tally, 1, 1, EarlierContents.NONE).call(sorted.iterator()).forEachRemaining(r -> kept.add(r.getString(1)));
        assertEquals(List.of("file:/a.png", "file:/b.png", "file:/d.png"), kept);
        assertEquals(6, tally.value().files());
        assertEquals(1, tally.value().rejected());
        assertEquals(2, tally.value().duplicates());

        List<String> duplicates = new ArrayList<>();
        Iterator<Row> copies = ContentGroups.duplicates(EarlierContents.NONE).call(sorted.iterator());
        copies.forEachRemaining(r -> duplicates.add(r.getString(0) + " -> " + r.getString(1)));
        assertEquals(List.of("file:/c.png -> file:/a.png", "file:/e.png -> file:/d.png"), duplicates);
    }

    private static Row decoded(String source, String hash, byte[] pixels) {
        return RowFactory.create("id-" + source, source, 0, 2, 2, 1, pixels.clone(), "train", hash, null);
    }

    private static Row rejected(String source) {
        return RowFactory.create("id-" + source, source, 0, null, null, null, null, "train", null, "not an image");
    }
}
