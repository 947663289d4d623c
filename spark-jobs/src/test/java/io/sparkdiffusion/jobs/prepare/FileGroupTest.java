package io.sparkdiffusion.jobs.prepare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.hadoop.fs.BlockLocation;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

/** Packing a listing into decoding tasks: every file once, in order, balanced, capped, with preferred hosts. */
class FileGroupTest {

    @Test
    void manyTinyFilesAreSplitByCountAndKeepTheirOrder() {
        List<FileStatus> files = new ArrayList<>();
        for (int i = 0; i < 70_000; i++) {
            files.add(file("file:/t/c" + (i % 10) + "/" + i + ".png", 300));
        }
        List<FileGroup> groups = FileGroup.pack(files, 6, 64L << 20, 5_000);

        assertEquals(14, groups.size(), "70,000 files at most 5,000 a task");
        List<String> all = new ArrayList<>();
        for (FileGroup g : groups) {
            assertTrue(g.size() <= 5_000, "group of " + g.size());
            all.addAll(Arrays.asList(g.sources()));
            assertEquals(300L, g.lengths()[0]);
        }
        assertEquals(files.stream().map(f -> f.getPath().toString()).toList(), all);
    }

    @Test
    void aFewLargeFilesMakeAtLeastTheMinimumOfGroupsBalancedByBytes() {
        List<FileStatus> files = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            files.add(file("file:/p/" + i + ".jpg", i < 6 ? 1_000_000 : 100_000));
        }
        List<FileGroup> groups = FileGroup.pack(files, 4, 64L << 20, 5_000);

        assertTrue(groups.size() >= 4, groups.size() + " groups");
        assertEquals(12, groups.stream().mapToInt(FileGroup::size).sum());
        assertTrue(groups.get(0).size() < groups.get(groups.size() - 1).size(), "the big files share fewer per group");
        assertEquals(List.of(), FileGroup.pack(List.of(), 4, 64L << 20, 5_000));
    }

    @Test
    void hostsHoldingMostBytesArePreferred() throws Exception {
        LocatedFileStatus a = new LocatedFileStatus(file("hdfs://nn/d/a.png", 300), new BlockLocation[] {
                new BlockLocation(new String[0], new String[] {"h1", "h2"}, 0, 300)});
        LocatedFileStatus b = new LocatedFileStatus(file("hdfs://nn/d/b.png", 500), new BlockLocation[] {
                new BlockLocation(new String[0], new String[] {"h2", "h3"}, 0, 500)});

        FileGroup group = FileGroup.of(List.of(a, b));

        assertArrayEquals(new String[] {"h2", "h3", "h1"}, group.hosts());
        assertArrayEquals(new String[0], FileGroup.of(List.of(file("file:/x.png", 1))).hosts());
    }

    private static FileStatus file(String path, long length) {
        return new FileStatus(length, false, 1, 128L << 20, 0, new Path(path));
    }
}
