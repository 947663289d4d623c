package io.sparkdiffusion.jobs.prepare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

class CorpusChangesTest {

    @Test
    void newChangedAndDeletedFilesAndTheCopiesOfARemovedImage() {
        Map<String, IndexedFile> index = Map.of(
                "file:/t/same.png", indexed("file:/t/same.png", 10, 100, FileIndex.KEPT, "h1"),
                "file:/t/longer.png", indexed("file:/t/longer.png", 10, 100, FileIndex.KEPT, "h2"),
                "file:/t/touched.png", indexed("file:/t/touched.png", 10, 100, FileIndex.REJECTED, null),
                "file:/t/gone.png", indexed("file:/t/gone.png", 10, 100, FileIndex.KEPT, "h3"),
                "file:/t/copy-of-gone.png", indexed("file:/t/copy-of-gone.png", 10, 100, FileIndex.DUPLICATE, "h3"),
                "file:/t/copy-of-same.png", indexed("file:/t/copy-of-same.png", 10, 100, FileIndex.DUPLICATE, "h1"));
        List<FileStatus> listing = List.of(listed("file:/t/same.png", 10, 100), listed("file:/t/longer.png", 11, 100),
                listed("file:/t/touched.png", 10, 101), listed("file:/t/copy-of-gone.png", 10, 100),
                listed("file:/t/copy-of-same.png", 10, 100), listed("file:/t/new.png", 5, 5));

        CorpusChanges changes = CorpusChanges.between(index, listing);

        assertEquals(Set.of("file:/t/longer.png", "file:/t/touched.png", "file:/t/new.png", "file:/t/copy-of-gone.png"),
                changes.added());
        assertEquals(Map.of("file:/t/longer.png", CorpusChanges.CHANGED, "file:/t/touched.png", CorpusChanges.CHANGED,
                        "file:/t/gone.png", CorpusChanges.DELETED, "file:/t/copy-of-gone.png", CorpusChanges.COPY_OF_REMOVED),
                changes.removed().stream().collect(java.util.stream.Collectors.toMap(r -> r.file().source(),
                        CorpusChanges.Removal::reason)));
        assertEquals(1, changes.newFiles());
        assertEquals(2, changes.changed());
        assertEquals(1, changes.deleted());
        assertTrue(!changes.none());
        assertTrue(CorpusChanges.between(Map.of("file:/t/same.png", index.get("file:/t/same.png")),
                List.of(listed("file:/t/same.png", 10, 100))).none());
    }

    private static IndexedFile indexed(String source, long length, long modified, String status, String hash) {
        return new IndexedFile(source, "id-" + source, length, modified, status, hash, 0, "train", null, null, 1);
    }

    private static FileStatus listed(String source, long length, long modified) {
        return new FileStatus(length, false, 1, 1, modified, new Path(source));
    }
}
