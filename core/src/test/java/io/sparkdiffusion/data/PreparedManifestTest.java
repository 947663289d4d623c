package io.sparkdiffusion.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import io.sparkdiffusion.image.ImageShape;
import org.junit.jupiter.api.Test;

class PreparedManifestTest {

    @Test
    void survivesAJsonRoundTripAndIgnoresFieldsAddedLater() throws Exception {
        PreparedManifest m = new PreparedManifest(PreparedManifest.FORMAT_VERSION, "2026-11-28T00:00:00Z", "file:/data",
                "class-folders", new ImageShape(3, 32, 32), List.of("a", "b"), Map.of("a", 3L, "b", 4L), 7, 9, 1, 1,
                List.of("_drafts"),
                new PreparedManifest.Split(0.1, PreparedManifest.Split.METHOD, 6, 1),
                new PreparedManifest.Statistics(PreparedManifest.Statistics.SCALE, new double[]{0.1, 0.2, 0.3},
                        new double[]{0.4, 0.5, 0.6}),
                new PreparedManifest.Shards("shards", 1, 50000), Map.of("size", 32), null);
        String json = new String(m.toJson(), StandardCharsets.UTF_8);
        PreparedManifest back = PreparedManifest.read(new ByteArrayInputStream(
                json.replaceFirst("\\{", "{ \"addedLater\" : 1,").getBytes(StandardCharsets.UTF_8)));
        assertEquals(m.shape(), back.shape());
        assertEquals(m.classNames(), back.classNames());
        assertEquals(m.imagesPerClass(), back.imagesPerClass());
        assertEquals(m.split(), back.split());
        assertArrayEquals(m.pixelStatistics().mean(), back.pixelStatistics().mean());
        assertArrayEquals(m.pixelStatistics().std(), back.pixelStatistics().std());
        assertEquals(m.shards(), back.shards());
        assertEquals(7, back.images());
        assertEquals(List.of("_drafts"), back.skippedFolders());
        assertTrue(json.contains("\"formatVersion\" : 1"), json);
    }

    @Test
    void aVersionedManifestNamesTheShardsOfEveryVersionThatAddedImages() throws Exception {
        List<PreparedManifest.Version> versions = List.of(
                new PreparedManifest.Version(1, "t1", "shards", 2, "files", 10, null, 10, 0, 0, 9, 0),
                new PreparedManifest.Version(2, "t2", "versions/v0002/shards", 0, "versions/v0002/files", 0,
                        "versions/v0002/removed", 0, 0, 3, 0, 3),
                new PreparedManifest.Version(3, "t3", "versions/v0003/shards", 1, "versions/v0003/files", 4,
                        "versions/v0003/removed", 3, 1, 0, 4, 1));
        PreparedManifest m = new PreparedManifest(PreparedManifest.VERSIONED_FORMAT, "t3", "file:/data", "unlabeled",
                new ImageShape(1, 4, 4), List.of(), Map.of(), 9, 11, 0, 2, List.of(), null, null,
                new PreparedManifest.Shards("shards", 2, 50000), Map.of(), versions);
        PreparedManifest back = PreparedManifest.read(new ByteArrayInputStream(m.toJson()));
        assertEquals(versions, back.versions());
        assertTrue(back.versioned());
        assertEquals(3, back.version());
        assertEquals(List.of("shards", "versions/v0003/shards"), back.shardDirs());

        PreparedManifest full = PreparedManifest.read(new ByteArrayInputStream(
                "{\"formatVersion\": 1, \"shards\": {\"path\": \"shards\"}}".getBytes(StandardCharsets.UTF_8)));
        assertEquals(1, full.version());
        assertEquals(List.of("shards"), full.shardDirs());
    }

    @Test
    void aManifestWrittenBeforeSkippedFoldersExistedStillReads() throws Exception {
        PreparedManifest old = PreparedManifest.read(new ByteArrayInputStream(("{\"formatVersion\": 1, \"images\": 7,"
                + " \"rejected\": 1, \"duplicates\": 0}").getBytes(StandardCharsets.UTF_8)));
        assertEquals(7, old.images());
        assertNull(old.skippedFolders());
    }

    @Test
    void idsAreStableAndSplitFollowsTheFraction() {
        assertEquals(SourceIds.id("file:/a.png"), SourceIds.id("file:/a.png"));
        assertEquals(32, SourceIds.id("file:/a.png").length());
        int validation = 0;
        for (int i = 0; i < 10_000; i++) {
            validation += SourceIds.split(SourceIds.id("file:/img" + i + ".png"), 0.2)
                    .equals(PreparedColumns.VALIDATION) ? 1 : 0;
        }
        assertEquals(2000, validation, 150);
        assertEquals(PreparedColumns.TRAIN, SourceIds.split(SourceIds.id("x"), 0));
        assertEquals(PreparedColumns.VALIDATION, SourceIds.split(SourceIds.id("x"), 1));
    }
}
