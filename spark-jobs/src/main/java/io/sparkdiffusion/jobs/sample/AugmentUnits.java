package io.sparkdiffusion.jobs.sample;

import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.data.LabeledImage;
import io.sparkdiffusion.data.PreparedColumns;
import io.sparkdiffusion.data.PreparedManifest;
import io.sparkdiffusion.jobs.report.GenerationReport;
import io.sparkdiffusion.generate.GeneratedImages;
import io.sparkdiffusion.generate.GenerationOutput;
import io.sparkdiffusion.generate.ModelBytes;
import io.sparkdiffusion.generate.PlannedImage;
import io.sparkdiffusion.generate.Recipe;
import io.sparkdiffusion.generate.VariationPlan;
import io.sparkdiffusion.jobs.io.PreparedShards;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * AugmentJob's units as Spark data. The selected source images are numbered in id order (j = 0, 1, …), and unit
 * k holds the variations of sources {@code k·s … (k+1)·s − 1}: the units depend only on the data and the plan,
 * never on how Spark partitions them.
 */
public final class AugmentUnits {
    /** One selected source image and its place j in id order. */
    record Source(long index, LabeledImage image) implements Serializable {
    }

    private final JavaRDD<Source> sources;
    private final long count;
    private final int sourcesPerUnit;

    private AugmentUnits(JavaRDD<Source> sources, long count, int sourcesPerUnit) {
        this.sources = sources;
        this.count = count;
        this.sourcesPerUnit = sourcesPerUnit;
    }

    /**
     * Reads and numbers the selected images of the shards (cached until {@link #release()}).
     *
     * @param split             train, validation or all
     * @param newestVersionOnly only the images the newest version of an incremental output added
     */
    public static AugmentUnits select(SparkSession spark, String dataDir, PreparedManifest manifest, String split,
                                      boolean newestVersionOnly, VariationPlan plan, int imagesPerUnit) {
        JavaRDD<Source> sources = PreparedShards.images(spark, dataDir, manifest, split, newestVersionOnly)
                .orderBy(PreparedColumns.ID)
                .javaRDD()
                .map(PreparedShards::image)
                .filter(image -> plan.selected(image.id()))
                .zipWithIndex()
                .map(t -> new Source(t._2(), t._1()))
                .persist(StorageLevel.MEMORY_AND_DISK_SER());
        long count = sources.count();
        if (count == 0) {
            sources.unpersist(false);
            throw new InputError("no image to vary: the " + split + " split of " + dataDir
                    + (newestVersionOnly ? " in its newest version" : "") + " has none, or the fraction selected none");
        }
        return new AugmentUnits(sources, count, Math.max(1, imagesPerUnit / plan.variations()));
    }

    public long sourceCount() {
        return count;
    }

    public int units() {
        return Math.toIntExact((count + sourcesPerUnit - 1) / sourcesPerUnit);
    }

    public void run(SparkSession spark, GenerationSettings settings, GenerationOutput output, VariationPlan plan,
                    GeneratedImages records, ModelBytes model, Recipe recipe, GenerationReport report)
            throws IOException {
        int perUnit = sourcesPerUnit;
        JavaRDD<Row> manifest = sources.flatMap(s -> variations(plan, s).stream()
                .map(image -> ManifestRows.row(records.of(image))).iterator());
        new GenerationRun(spark, settings, output, records, units(), count * plan.variations()).run(model, recipe, done -> {
            int pending = units() - done.cardinality();
            int slices = Math.max(1, settings.partitions() > 0 ? Math.min(settings.partitions(), pending) : pending);
            JavaPairRDD<Integer, Source> byUnit = sources
                    .filter(s -> !done.get((int) (s.index() / perUnit)))
                    .mapToPair(s -> new Tuple2<>((int) (s.index() / perUnit), s));
            return byUnit.groupByKey(slices).map(unit -> unitWork(plan, unit._1(), unit._2()));
        }, manifest, report);
    }

    public void release() {
        sources.unpersist(false);
    }

    private static List<PlannedImage> variations(VariationPlan plan, Source s) {
        return plan.variationsOf(s.image());
    }

    /** A unit's variations in source order (grouping does not keep it). */
    private static PlannedUnit unitWork(VariationPlan plan, int unit, Iterable<Source> members) {
        List<Source> sorted = new ArrayList<>();
        members.forEach(sorted::add);
        sorted.sort((a, b) -> Long.compare(a.index(), b.index()));
        List<PlannedImage> images = new ArrayList<>();
        for (Source s : sorted) {
            images.addAll(variations(plan, s));
        }
        return new PlannedUnit(unit, images);
    }
}
