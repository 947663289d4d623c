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
            validation += SourceIds.split(SourceIds.id("file:/img" + i + ".png"), 0.2).equals(SourceIds.VALIDATION) ? 1 : 0;
        }
        assertEquals(2000, validation, 150);
        assertEquals(SourceIds.TRAIN, SourceIds.split(SourceIds.id("x"), 0));
        assertEquals(SourceIds.VALIDATION, SourceIds.split(SourceIds.id("x"), 1));
    }
}
