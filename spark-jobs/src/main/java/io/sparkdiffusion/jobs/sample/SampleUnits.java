package io.sparkdiffusion.jobs.sample;

import io.sparkdiffusion.jobs.report.GenerationReport;
import io.sparkdiffusion.generate.GeneratedImages;
import io.sparkdiffusion.generate.GenerationOutput;
import io.sparkdiffusion.generate.ModelBytes;
import io.sparkdiffusion.generate.Recipe;
import io.sparkdiffusion.generate.SamplePlan;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * SampleJob's units as Spark data: only unit numbers travel; each executor expands its units from the plan
 * (a few numbers), so the driver never holds a list of images.
 */
public final class SampleUnits {
    private final SparkSession spark;
    private final GenerationSettings settings;
    private final GenerationOutput output;
    private final SamplePlan plan;
    private final List<String> classNames;
    private final CheckpointChoice checkpoint;

    public SampleUnits(SparkSession spark, GenerationSettings settings, GenerationOutput output, SamplePlan plan,
                       List<String> classNames, CheckpointChoice checkpoint) {
        this.spark = spark;
        this.settings = settings;
        this.output = output;
        this.plan = plan;
        this.classNames = classNames;
        this.checkpoint = checkpoint;
    }

    /** @param report the report to write with the output, or null */
    public void run(ModelBytes model, Recipe recipe, GenerationReport report) throws IOException {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        SamplePlan samples = plan; // the lambdas below capture the plan, not this object
        GeneratedImages records = new GeneratedImages(output.layout(), classNames, recipe, settings.weights(),
                checkpoint.dir().toString(), checkpoint.info().step(), false);
        JavaRDD<Row> manifest = sc.parallelize(numbers(new BitSet(), plan.units()),
                        Math.max(1, Math.min(sc.defaultParallelism(), plan.units())))
                .flatMap(k -> samples.unit(k).stream().map(image -> ManifestRows.row(records.of(image))).iterator());
        new GenerationRun(spark, settings, output, records, plan.units(), plan.total()).run(model, recipe, done -> {
            List<Integer> pending = numbers(done, samples.units());
            int slices = settings.partitions() > 0 ? Math.min(settings.partitions(), pending.size()) : pending.size();
            return sc.parallelize(pending, Math.max(1, slices)).map(k -> new PlannedUnit(k, samples.unit(k)));
        }, manifest, report);
    }

    /** The unit numbers 0 … units−1 not in {@code done}. */
    static List<Integer> numbers(BitSet done, int units) {
        List<Integer> out = new ArrayList<>();
        for (int k = done.nextClearBit(0); k < units; k = done.nextClearBit(k + 1)) {
            out.add(k);
        }
        return out;
    }
}
