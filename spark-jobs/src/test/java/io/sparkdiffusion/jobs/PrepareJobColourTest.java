package io.sparkdiffusion.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.sparkdiffusion.data.PreparedManifest;
import io.sparkdiffusion.image.ImageShape;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PrepareJob on the bundled colour corpus (data/tango-icons-demo: 207 RGBA icons of 32 px in 8 categories). */
class PrepareJobColourTest extends SparkPrepareTest {
    private static final Path ICONS = Path.of("..", "data", "tango-icons-demo").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    @Test
    void iconsOnBlackAt48HaveThreeChannelStatisticsAndBlackCorners() throws Exception {
        Path out = tmp.resolve("out");
        Run run = prepare(ICONS, out, "prepare.size=48", "prepare.channels=3", "prepare.background=black");
        assertEquals(0, run.exitCode(), run.stderr());

        PreparedManifest m = manifest(out);
        assertEquals(new ImageShape(3, 48, 48), m.shape());
        assertEquals(List.of("actions", "apps", "categories", "devices", "emotes", "mimetypes", "places", "status"),
                m.classNames());
        assertEquals(207, m.files());
        assertEquals(0, m.rejected());
        assertEquals(207, m.images() + m.duplicates());
        assertEquals("black", m.parameters().get("background"));
        double[] mean = m.pixelStatistics().mean();
        assertEquals(3, mean.length);
        assertEquals(3, m.pixelStatistics().std().length);
        // icons cover about half their square; the ground is black, so every channel's mean is well below 0.5,
        // and the channels differ (the corpus is in colour)
        for (double channelMean : mean) {
            assertTrue(channelMean > 0.05 && channelMean < 0.45, java.util.Arrays.toString(mean));
        }
        assertFalse(mean[0] == mean[1] && mean[1] == mean[2], java.util.Arrays.toString(mean));

        List<Row> rows = shardRows(out);
        assertEquals(m.images(), rows.size());
        int blackCorners = 0;
        for (Row row : rows) {
            assertEquals(3, (int) row.getAs("channels"));
            byte[] pixels = row.getAs("pixels");
            assertEquals(3 * 48 * 48, pixels.length);
            blackCorners += pixels[0] == 0 && pixels[48 * 48] == 0 && pixels[2 * 48 * 48] == 0 ? 1 : 0;
        }
        assertTrue(blackCorners > rows.size() * 8 / 10, blackCorners + " of " + rows.size());
    }

    @Test
    void aBadBackgroundExitsTwoWithOneLine() {
        Path out = tmp.resolve("bad");
        Run run = prepare(ICONS, out, "prepare.channels=3", "prepare.background=grey");
        assertEquals(2, run.exitCode(), run.stderr());
        assertTrue(run.stderr().contains("prepare.background") && run.stderr().strip().lines().count() == 1,
                run.stderr());
        assertFalse(Files.exists(out));
    }
}
