package io.sparkdiffusion.jobs.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkdiffusion.config.Settings;
import io.sparkdiffusion.data.PreparedColumns;
import io.sparkdiffusion.jobs.prepare.IncrementalPrepare;
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
     *                duplicates/; of an incremental output, every version's directory under {@code output} is read
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
        ran.put("shards", manifest.versioned()
                ? String.join("/, ", manifest.shardDirs()) + "/ (" + manifest.versions().size() + " versions)"
                : manifest.shards().path() + "/, " + manifest.shards().files() + " Parquet "
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

        // an incremental output keeps each version's rejects and duplicates in that version's directory
        List<Path> dirs = manifest.versioned() ? manifest.versions().stream()
                .map(v -> IncrementalPrepare.versionPath(output, v.number())).toList() : List.of(written);
        String where = manifest.versioned() ? " of each version" : "";
        listed(page, "Rejects", manifest.rejected(), fs, dirs, PreparedManifest.REJECTS, PreparedColumns.REASON, where);
        listed(page, "Duplicates", manifest.duplicates(), fs, dirs, PreparedManifest.DUPLICATES,
                PreparedColumns.DUPLICATE_OF, where);
        ReportBasics.versions(page, spark);
        ReportBasics.settings(page, all, "prepare");
        return page.bytes();
    }

    /** The first {@link #LISTED} lines of a JSON-lines folder (source and {@code field}) as a table. */
    private static void listed(ReportPage page, String title, long count, FileSystem fs, List<Path> dirs,
                               String folder, String field, String where) throws IOException {
        page.section(title + " (" + count + ")");
        if (count == 0) {
            page.text("None.");
            return;
        }
        List<List<Object>> rows = new ArrayList<>();
        List<FileStatus> parts = new ArrayList<>();
        for (Path dir : dirs) {
            try {
                FileStatus[] inDir = fs.listStatus(new Path(dir, folder), p -> p.getName().startsWith("part-"));
                Arrays.sort(inDir);
                parts.addAll(Arrays.asList(inDir));
            } catch (FileNotFoundException none) {
                // a version with no rejects (or duplicates) wrote none
            }
        }
        for (FileStatus part : parts) {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(part.getPath()),
                    StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null && rows.size() < LISTED; line = in.readLine()) {
                    if (!line.isBlank()) {
                        JsonNode row = JSON.readTree(line);
                        rows.add(List.of(row.path(PreparedColumns.SOURCE).asText(), row.path(field).asText()));
                    }
                }
            }
        }
        page.table(List.of("source", field.replace('_', ' ')), rows);
        if (count > rows.size()) {
            page.text("The first " + rows.size() + " by source; all " + count + " are in " + folder + "/" + where
                    + " (JSON lines).");
        }
    }
}
