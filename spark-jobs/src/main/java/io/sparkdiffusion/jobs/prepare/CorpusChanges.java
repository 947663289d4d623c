package io.sparkdiffusion.jobs.prepare;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.apache.hadoop.fs.FileStatus;

/**
 * What changed in a tree since an incremental output's last version: the listing against the file index. A file is
 * seen when its path, size and modification time are the index's; a changed one is removed and added again.
 *
 * @param added    sources to decode: new files, changed files, and unchanged copies of a removed image (once
 *                 duplicates of it, now the first of their content left)
 * @param removed  index entries whose rows leave the output, with why ({@link Removal})
 * @param newFiles files not in the index
 * @param changed  files in the index with another size or modification time
 * @param deleted  files in the index and gone
 * @param unchanged files seen, neither read nor decoded
 */
public record CorpusChanges(Set<String> added, List<Removal> removed, int newFiles, int changed, int deleted,
                            int unchanged) {
    public static final String DELETED = "deleted";
    public static final String CHANGED = "changed";
    public static final String COPY_OF_REMOVED = "copy of a removed image, prepared again";

    /** An index entry leaving the output. */
    public record Removal(IndexedFile file, String reason) {
    }

    public static CorpusChanges between(Map<String, IndexedFile> index, List<FileStatus> listing) {
        Set<String> added = new TreeSet<>();
        List<Removal> removed = new ArrayList<>();
        Set<String> listed = new HashSet<>(listing.size() * 2);
        int newFiles = 0;
        int changed = 0;
        for (FileStatus status : listing) {
            String source = status.getPath().toString();
            listed.add(source);
            IndexedFile seen = index.get(source);
            if (seen == null) {
                newFiles++;
                added.add(source);
            } else if (!seen.sameAs(status.getLen(), status.getModificationTime())) {
                changed++;
                added.add(source);
                removed.add(new Removal(seen, CHANGED));
            }
        }
        int deleted = 0;
        Set<String> removedContents = new HashSet<>();
        for (IndexedFile f : index.values()) {
            if (!listed.contains(f.source())) {
                deleted++;
                removed.add(new Removal(f, DELETED));
            }
        }
        for (Removal r : removed) {
            if (r.file().kept()) {
                removedContents.add(r.file().contentHash());
            }
        }
        // A removed image's copies were dropped as duplicates of it: the first of them must now be kept, so all are
        // decoded again (their pixels were never stored) and sorted out among themselves as in a full prepare.
        if (!removedContents.isEmpty()) {
            for (IndexedFile f : index.values()) {
                if (FileIndex.DUPLICATE.equals(f.status()) && removedContents.contains(f.contentHash())
                        && listed.contains(f.source()) && !added.contains(f.source())) {
                    added.add(f.source());
                    removed.add(new Removal(f, COPY_OF_REMOVED));
                }
            }
        }
        int unchanged = listing.size() - newFiles - changed;
        return new CorpusChanges(added, removed, newFiles, changed, deleted, unchanged);
    }

    /** Nothing to decode and nothing to remove. */
    public boolean none() {
        return added.isEmpty() && removed.isEmpty();
    }
}
