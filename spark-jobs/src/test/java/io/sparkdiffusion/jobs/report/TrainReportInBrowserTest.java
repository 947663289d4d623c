package io.sparkdiffusion.jobs.report;

import io.sparkdiffusion.checkpoint.CheckpointStore;
import io.sparkdiffusion.config.JobConfigLoader;
import io.sparkdiffusion.config.Settings;
import io.sparkdiffusion.data.PreparedManifest;
import io.sparkdiffusion.image.ImageShape;
import io.sparkdiffusion.image.PngImages;
import io.sparkdiffusion.image.Uint8Image;
import io.sparkdiffusion.train.MetricsLog;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TrainJob's report, made by the job's own code from a run directory, opened in a real headless browser: it loads
 * with no console message at all (a blocked load or script would be one), the screenshot shows the loss curve's
 * two series and the sample grid where they should be, and a class name {@code <script>} is text in the DOM.
 */
class TrainReportInBrowserTest {
    /** JFreeChart's first two series colours: training loss, validation loss. */
    private static final int[] TRAINING = {255, 85, 85};
    private static final int[] VALIDATION = {85, 85, 255};
    /** The sample grid's one colour, used nowhere else on the page. */
    private static final int[] GRID = {0, 200, 0};
    private static final int GRID_W = 120;
    private static final int GRID_H = 60;
    private static final String CLASS = "<script>alert(1)</script>";

    @TempDir
    Path tmp;

    @Test
    void loadsCleanlyAndShowsTheLossCurveAndTheSampleGrid() throws Exception {
        HeadlessChromium chromium = HeadlessChromium.find(Files.createDirectories(tmp.resolve("browser")));
        Path page = tmp.resolve("report.html");
        Files.write(page, report(Files.createDirectories(tmp.resolve("run"))));

        HeadlessChromium.Load load = chromium.screenshot(page, 1000, 2400);
        assertEquals(List.of(), load.console(), "console messages while loading the report");
        Uint8Image shot = PngImages.decode(load.screenshot());
        assertTrue(distinctColours(shot) > 50, "a page, not a blank screenshot");
        int[] training = box(shot, TRAINING, 40);
        int[] validation = box(shot, VALIDATION, 40);
        assertTrue(training[4] > 300, "training-loss curve pixels: " + training[4]);
        assertTrue(validation[4] > 50, "validation-loss curve pixels: " + validation[4]);
        assertTrue(training[2] - training[0] > 600, "the curve spans the chart's width: " + (training[2] - training[0]));
        int[] grid = box(shot, GRID, 0);
        assertEquals(GRID_W, grid[2] - grid[0] + 1, "sample grid's width on screen");
        assertEquals(GRID_H, grid[3] - grid[1] + 1, "sample grid's height on screen");
        assertEquals(GRID_W * GRID_H, grid[4], "every pixel of the grid drawn");
        assertTrue(grid[1] > training[3], "the grid below the chart");

        String dom = chromium.dom(page);
        assertFalse(dom.toLowerCase().contains("<script"), "no script element in the DOM");
        assertTrue(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the class name shown as text");
    }

    /** The report of a run directory with 40 metrics rows (validation every 10 steps) and one sample grid. */
    private static byte[] report(Path runDir) throws Exception {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        org.apache.hadoop.fs.Path run = new org.apache.hadoop.fs.Path(runDir.toUri());
        MetricsLog log = MetricsLog.open(fs, run, 0);
        for (int step = 1; step <= 40; step++) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("step", step);
            row.put("loss", 1.0 / Math.sqrt(step));
            if (step % 10 == 0) {
                row.put("val_loss", 1.1 / Math.sqrt(step));
            }
            log.add(row);
        }
        log.flush();
        byte[] green = new byte[3 * GRID_W * GRID_H];
        for (int c = 0; c < 3; c++) {
            java.util.Arrays.fill(green, c * GRID_W * GRID_H, (c + 1) * GRID_W * GRID_H, (byte) GRID[c]);
        }
        Files.createDirectories(runDir.resolve("samples"));
        Files.write(runDir.resolve("samples/step-0000040.png"), PngImages.encode(new Uint8Image(3, GRID_H, GRID_W, green)));

        PreparedManifest manifest = new PreparedManifest(PreparedManifest.FORMAT_VERSION, Instant.now().toString(),
                "/data/corpus", "class-folders", new ImageShape(3, 8, 8), List.of(CLASS, "b"),
                Map.of(CLASS, 10L, "b", 12L), 22, 22, 0, 0, List.of(),
                new PreparedManifest.Split(0.1, PreparedManifest.Split.METHOD, 20, 2), null,
                new PreparedManifest.Shards("shards", 1, 100), Map.of(), null);
        Settings all = new Settings(JobConfigLoader.forJob("train").reference());
        TrainReport.Run about = new TrainReport.Run("/data/prepared", List.of(), manifest, "a tiny U-Net", 2, null);
        return TrainReport.html(about, all, null, Instant.now(), new CheckpointStore(fs, run), fs);
    }

    private static long distinctColours(Uint8Image image) {
        int plane = image.height() * image.width();
        return java.util.stream.IntStream.range(0, plane).map(i -> rgb(image, i)).distinct().count();
    }

    /** {minX, minY, maxX, maxY, count} of the pixels within {@code tolerance} of a colour. */
    private static int[] box(Uint8Image image, int[] colour, int tolerance) {
        int[] box = {Integer.MAX_VALUE, Integer.MAX_VALUE, -1, -1, 0};
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                boolean near = true;
                for (int c = 0; c < 3 && near; c++) {
                    near = Math.abs(image.get(c, y, x) - colour[c]) <= tolerance;
                }
                if (near) {
                    box[0] = Math.min(box[0], x);
                    box[1] = Math.min(box[1], y);
                    box[2] = Math.max(box[2], x);
                    box[3] = Math.max(box[3], y);
                    box[4]++;
                }
            }
        }
        return box;
    }

    private static int rgb(Uint8Image image, int i) {
        int w = image.width();
        return image.get(0, i / w, i % w) << 16 | image.get(1, i / w, i % w) << 8 | image.get(2, i / w, i % w);
    }
}
