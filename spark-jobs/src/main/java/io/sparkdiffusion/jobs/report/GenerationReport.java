package io.sparkdiffusion.jobs.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkdiffusion.checkpoint.CheckpointInfo;
import io.sparkdiffusion.config.Settings;
import io.sparkdiffusion.generate.GeneratedColumns;
import io.sparkdiffusion.generate.GenerationOutput;
import io.sparkdiffusion.generate.OutputLayout;
import io.sparkdiffusion.report.ReportPage;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SampleJob's and AugmentJob's report: the plan that made the output ({@code plan.json}), the lineage from the
 * checkpoint back to the data it was trained on, the images per class (from {@code samples.parquet}) and a grid of
 * them read back from the output.
 */
public final class GenerationReport {
    private final String job;
    private final Settings all;
    private final Instant started;
    private final Map<String, Object> plan;
    private final CheckpointInfo checkpoint;

    /**
     * @param job        sample or augment (the config root)
     * @param plan       what {@code plan.json} records
     * @param checkpoint the checkpoint generated from
     */
    public GenerationReport(String job, Settings all, Instant started, Map<String, Object> plan,
                            CheckpointInfo checkpoint) {
        this.job = job;
        this.all = all;
        this.started = started;
        this.plan = plan;
        this.checkpoint = checkpoint;
    }

    /** The page for a finished output (its images and samples.parquet in place). */
    public byte[] html(SparkSession spark, GenerationOutput output, long images) throws IOException {
        boolean augment = job.equals("augment");
        String name = augment ? "AugmentJob" : "SampleJob";
        ReportPage page = ReportBasics.page(name, images + (augment ? " variations" : " images"), started);
        OutputLayout layout = output.layout();

        Map<String, Object> ran = new LinkedHashMap<>();
        ran.put("output", layout.output());
        ran.put("format", plan.get("format"));
        if (augment) {
            ran.put("varied images of", plan.get("data") + " (prepared " + ReportBasics.when(String.valueOf(
                    plan.get("dataCreatedAt"))) + ", " + plan.get("dataImages") + " images, split " + plan.get("split")
                    + ")");
        }
        ran.put("checkpoint", plan.get("checkpoint") + " (step " + checkpoint.step() + ", epoch " + checkpoint.epoch()
                + ", written " + ReportBasics.when(checkpoint.createdAt()) + ", " + plan.get("weights") + " weights)");
        JsonNode trainedOn = checkpoint.dataManifest();
        if (trainedOn != null) {
            ran.put("checkpoint trained on", trainedOn.path("input").asText() + " (" + trainedOn.path("layout").asText()
                    + ", prepared " + ReportBasics.when(trainedOn.path("createdAt").asText()) + ", "
                    + trainedOn.path("images").asLong() + " images)");
        }
        page.section("What ran").facts(ran);

        Map<String, Object> recipe = new LinkedHashMap<>();
        plan.forEach((key, value) -> {
            if (!ran.containsKey(key) && !List.of("data", "dataCreatedAt", "dataImages", "split", "checkpoint",
                    "checkpointStep", "checkpointCreatedAt", "weights", "classFolders", "counts", "job").contains(key)) {
                recipe.put(key, value);
            }
        });
        page.section("Recipe (plan.json)").facts(recipe);

        List<Integer> labels = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<List<Object>> rows = new ArrayList<>();
        for (Row row : spark.read().parquet(layout.path(OutputLayout.MANIFEST).toString())
                .groupBy(GeneratedColumns.LABEL, GeneratedColumns.CLASS_NAME).count().orderBy(GeneratedColumns.LABEL)
                .collectAsList()) {
            int label = row.getInt(0);
            String className = row.isNullAt(1) ? "(unlabeled)" : row.getString(1);
            labels.add(label);
            names.add(className);
            rows.add(List.of(label, className, label < 0 ? "images/" : "images/" + layout.folder(label) + "/",
                    row.getLong(2)));
        }
        page.section("Counts").facts(Map.of(augment ? "variations" : "images", images));
        page.table(List.of("label", "class", "folder in the tree", augment ? "variations" : "images"), rows);

        GeneratedGrid.Grid grid = augment
                ? GeneratedGrid.variations(spark, output.fileSystem(), layout, (String) plan.get("data"), labels, names)
                : GeneratedGrid.of(spark, output.fileSystem(), layout, labels, names);
        String rowsShown = labels.size() > grid.rows().size() ? " (the first " + grid.rows().size() + " classes)" : "";
        page.section(augment ? "Sources and their variations" : "Sample grid").imageRows("sample-grid", grid.rows(), grid.pngs(), grid.widths(), augment
                ? "For each class" + rowsShown + ", its first varied image (by id) and then its variations, read back"
                + " from the output."
                : "Up to " + GeneratedGrid.PER_ROW + " images of each class" + rowsShown + ", read back from the output.");
        ReportBasics.versions(page, spark);
        ReportBasics.settings(page, all, job);
        return page.bytes();
    }
}
