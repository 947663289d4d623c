package io.sparkdiffusion.jobs.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkdiffusion.config.Settings;
import io.sparkdiffusion.data.PreparedManifest;
import io.sparkdiffusion.report.ReportPage;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** PrepareJob's report: the manifest's counts, classes, split and per-channel statistics, and the first rejects. */
public final class PrepareReport {
    /** Rejects and duplicates listed in the page; the rest are in rejects/ and duplicates/. */
    static final int LISTED = 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private PrepareReport() {
    }

    /**
     * @param written the directory as written so far (a staging directory before its commit), for rejects/ and
     *                duplicates/
     * @param output  where the output is once committed
     */
    public static byte[] html(PreparedManifest manifest, Settings all, SparkSession spark, Instant started,
                              FileSystem fs, Path written, Path output) throws IOException {
        ReportPage page = ReportBasics.page("PrepareJob", manifest.images() + " images prepared", started);
        Map<String, Object> ran = new LinkedHashMap<>();
        ran.put("input", manifest.input());
        ran.put("layout", manifest.layout());
        ran.put("output", output);
        ran.put("prepared at", ReportBasics.when(manifest.createdAt()));
        ran.put("image shape", manifest.shape());
        ran.put("shards", manifest.shards().path() + "/, " + manifest.shards().files() + " Parquet "
                + (manifest.shards().files() == 1 ? "file" : "files"));
        page.section("What ran").facts(ran);

        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("input files (or idx records)", manifest.files());
        counts.put("images kept", manifest.images());
        counts.put("rejected", manifest.rejected());
        counts.put("exact duplicates dropped", manifest.duplicates());
        if (manifest.split() != null) {
            counts.put("train split", manifest.split().train());
            counts.put("validation split", manifest.split().validation() + String.format(Locale.ROOT,
                    " (validation fraction %s)", manifest.split().validationFraction()));
        }
        if (manifest.skippedFolders() != null && !manifest.skippedFolders().isEmpty()) {
            counts.put("folders skipped (names starting with _ or .)", String.join(", ", manifest.skippedFolders()));
        }
        page.section("Counts").facts(counts);

        List<String> classes = manifest.classNames() == null ? List.of() : manifest.classNames();
        if (classes.isEmpty()) {
            page.section("Classes").text("Unlabeled: no classes.");
        } else {
            List<List<Object>> rows = new ArrayList<>();
            for (int label = 0; label < classes.size(); label++) {
                Long n = manifest.imagesPerClass() == null ? null : manifest.imagesPerClass().get(classes.get(label));
                rows.add(List.of(label, classes.get(label), n == null ? "-" : n));
            }
            page.section("Classes (" + classes.size() + ")").table(List.of("label", "class", "images"), rows);
        }

        PreparedManifest.Statistics stats = manifest.pixelStatistics();
        if (stats != null && stats.mean() != null) {
            List<List<Object>> rows = new ArrayList<>();
            String[] names = stats.mean().length == 3 ? new String[]{"red", "green", "blue"} : new String[]{"grey"};
            for (int c = 0; c < stats.mean().length; c++) {
                rows.add(List.of(c < names.length ? names[c] : "channel " + c, String.format(Locale.ROOT, "%.4f",
                        stats.mean()[c]), String.format(Locale.ROOT, "%.4f", stats.std()[c])));
            }
            page.section("Per-channel statistics (of v / 255 over the kept images)")
                    .table(List.of("channel", "mean", "std"), rows);
        }

        listed(page, "Rejects", manifest.rejected(), fs, new Path(written, "rejects"), "reason",
                "rejects/");
        listed(page, "Duplicates", manifest.duplicates(), fs, new Path(written, "duplicates"), "duplicate_of",
                "duplicates/");
        ReportBasics.versions(page, spark);
        ReportBasics.settings(page, all, "prepare");
        return page.bytes();
    }

    /** The first {@link #LISTED} lines of a JSON-lines folder (source and {@code field}) as a table. */
    private static void listed(ReportPage page, String title, long count, FileSystem fs, Path dir, String field,
                               String folder) throws IOException {
        page.section(title + " (" + count + ")");
        if (count == 0) {
            page.text("None.");
            return;
        }
        List<List<Object>> rows = new ArrayList<>();
        FileStatus[] parts;
        try {
            parts = fs.listStatus(dir, p -> p.getName().startsWith("part-"));
        } catch (FileNotFoundException none) {
            parts = new FileStatus[0];
        }
        Arrays.sort(parts);
        for (FileStatus part : parts) {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(part.getPath()),
                    StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null && rows.size() < LISTED; line = in.readLine()) {
                    if (!line.isBlank()) {
                        JsonNode row = JSON.readTree(line);
                        rows.add(List.of(row.path("source").asText(), row.path(field).asText()));
                    }
                }
            }
        }
        page.table(List.of("source", field.replace('_', ' ')), rows);
        if (count > rows.size()) {
            page.text("The first " + rows.size() + " by source; all " + count + " are in " + folder + " (JSON lines).");
        }
    }
}
