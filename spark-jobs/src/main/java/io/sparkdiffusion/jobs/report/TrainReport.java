package io.sparkdiffusion.jobs.report;

import io.sparkdiffusion.checkpoint.CheckpointInfo;
import io.sparkdiffusion.checkpoint.CheckpointRef;
import io.sparkdiffusion.checkpoint.CheckpointStore;
import io.sparkdiffusion.config.HadoopFiles;
import io.sparkdiffusion.config.Settings;
import io.sparkdiffusion.data.PreparedManifest;
import io.sparkdiffusion.image.PngImages;
import io.sparkdiffusion.report.ReportPage;
import io.sparkdiffusion.train.LossCurve;
import io.sparkdiffusion.train.MetricsLog;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * TrainJob's report, from what the run directory holds: {@code metrics.jsonl} (the loss curve, with the validation
 * loss where rows have it), the newest sample grids in {@code samples/}, and the latest checkpoint, with the lineage
 * back to the prepared data.
 */
public final class TrainReport {
    /** Sample grids shown, newest first. */
    static final int GRIDS = 3;
    /** The widest a picture is shown, in CSS pixels (the page's column). */
    static final int MAX_WIDTH = 936;

    /** What the job knows beyond the run directory. */
    public record Run(String data, List<String> mixed, PreparedManifest manifest, String model, int workers,
                      Long resumedFromStep) {
    }

    private TrainReport() {
    }

    public static byte[] html(Run run, Settings all, SparkSession spark, Instant started, CheckpointStore store,
                              FileSystem fs) throws IOException {
        List<Map<String, Object>> rows = MetricsLog.open(fs, store.runDir(), Long.MAX_VALUE).rows();
        CheckpointRef latest = store.latest().orElse(null);
        CheckpointInfo info = latest == null ? null : store.readInfo(latest);
        ReportPage page = ReportBasics.page("TrainJob", info == null ? "training run" : "step " + info.step()
                + ", epoch " + info.epoch(), started);

        Map<String, Object> ran = new LinkedHashMap<>();
        ran.put("run directory", store.runDir());
        ran.put("prepared data", run.data());
        PreparedManifest manifest = run.manifest();
        ran.put("prepared from", manifest.input() + " (" + manifest.layout() + ", prepared "
                + ReportBasics.when(manifest.createdAt()) + ")");
        if (!run.mixed().isEmpty()) {
            ran.put("mixed in", String.join("; ", run.mixed()));
        }
        ran.put("latest checkpoint", latest == null ? "none" : latest.dir() + " (written "
                + ReportBasics.when(info.createdAt()) + ")");
        ran.put("resumed", run.resumedFromStep() == null ? "no: a new run" : "from step " + run.resumedFromStep());
        ran.put("model", run.model());
        ran.put("workers", run.workers());
        page.section("What ran").facts(ran);

        Map<String, Object> counts = new LinkedHashMap<>();
        if (info != null) {
            counts.put("optimizer steps", info.step());
            counts.put("epochs", info.epoch());
        }
        String split = all.getString("train.split");
        counts.put("images in the " + split + " split", manifest.imagesIn(split));
        counts.put("image shape", manifest.shape());
        counts.put("classes", manifest.classNames() == null || manifest.classNames().isEmpty() ? "none (unlabeled)"
                : String.join(", ", manifest.classNames()));
        last(rows, "loss").ifPresent(v -> counts.put("last training loss", format(v)));
        last(rows, "val_loss").ifPresent(v -> counts.put("last validation loss", format(v)));
        rows.stream().map(r -> r.get("val_loss")).filter(Number.class::isInstance)
                .mapToDouble(v -> ((Number) v).doubleValue()).min()
                .ifPresent(v -> counts.put("lowest validation loss", format(v)));
        double seconds = rows.stream().map(r -> r.get("round_s")).filter(Number.class::isInstance)
                .mapToDouble(v -> ((Number) v).doubleValue()).sum();
        if (seconds > 0) {
            counts.put("time in averaging rounds", ReportBasics.human(java.time.Duration.ofMillis((long) (seconds * 1000))));
        }
        counts.put("metrics rows", rows.size());
        page.section("Counts").facts(counts);

        page.section("Loss");
        if (rows.isEmpty()) {
            page.text("No metrics were logged.");
        } else {
            page.chart("loss-curve", LossCurve.svg(rows, "training loss"), "Per-pixel MSE by optimizer step (log"
                    + " scale)" + (last(rows, "val_loss").isPresent() ? "; validation loss on held-out images with"
                    + " fixed noise" : "") + ". The numbers: " + MetricsLog.FILE + ".");
        }

        grids(page, fs, new Path(store.runDir(), "samples"), manifest.classNames());
        ReportBasics.versions(page, spark);
        ReportBasics.settings(page, all, "train");
        return page.bytes();
    }

    private static void grids(ReportPage page, FileSystem fs, Path samples, List<String> classes) throws IOException {
        page.section("Sample grids");
        FileStatus[] files;
        try {
            files = fs.listStatus(samples, p -> p.getName().matches("step-\\d+\\.png"));
        } catch (FileNotFoundException none) {
            files = new FileStatus[0];
        }
        if (files.length == 0) {
            page.text("No sample grid was written (train.sample-every-epochs).");
            return;
        }
        Arrays.sort(files, Comparator.comparing((FileStatus f) -> f.getPath().getName()).reversed());
        String columns = classes == null || classes.isEmpty() ? "" : " Columns: " + String.join(", ", classes) + ".";
        for (int i = 0; i < Math.min(GRIDS, files.length); i++) {
            byte[] png = HadoopFiles.readAll(fs, files[i].getPath());
            int width = Math.min(MAX_WIDTH, PngImages.decode(png).width());
            long step = Long.parseLong(files[i].getPath().getName().replaceAll("\\D", ""));
            page.image(i == 0 ? "sample-grid" : "sample-grid-" + step, png, i == 0 ? width : width / 2,
                    "EMA samples at step " + step + " (fixed seeds)." + (i == 0 ? columns : ""));
        }
        if (files.length > GRIDS) {
            page.text((files.length - GRIDS) + " older grids are in samples/.");
        }
    }

    private static java.util.OptionalDouble last(List<Map<String, Object>> rows, String key) {
        for (int i = rows.size() - 1; i >= 0; i--) {
            if (rows.get(i).get(key) instanceof Number n) {
                return java.util.OptionalDouble.of(n.doubleValue());
            }
        }
        return java.util.OptionalDouble.empty();
    }

    private static String format(double v) {
        return String.format(Locale.ROOT, "%.5f", v);
    }
}
