package io.sparkdiffusion.jobs.evaluate;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.config.Settings;
import io.sparkdiffusion.data.PreparedColumns;
import io.sparkdiffusion.jobs.report.EvaluateReport;
import io.sparkdiffusion.report.ReportFiles;
import io.sparkdiffusion.data.LabeledImages;
import io.sparkdiffusion.data.PreparedManifest;
import io.sparkdiffusion.eval.ClassMapping;
import io.sparkdiffusion.eval.ClassifierInfo;
import io.sparkdiffusion.eval.EvaluationReport;
import io.sparkdiffusion.eval.EvaluationTally;
import io.sparkdiffusion.eval.FeatureClassifier;
import io.sparkdiffusion.eval.FloorSubsets;
import io.sparkdiffusion.image.ImageShape;
import io.sparkdiffusion.jobs.io.PreparedShards;
import io.sparkdiffusion.jobs.session.SparkSessions;
import io.sparkdiffusion.jobs.io.StagedOutput;
import io.sparkdiffusion.lock.OutputLock;
import io.sparkdiffusion.runtime.NativeRuntime;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Mode evaluate: two passes on the executors (the generated tree, then the reference split), each summarized per
 * partition into feature statistics and prediction counts that the driver adds up; then {@code metrics.json}.
 * The train-on-synthetic / train-on-real classifiers train in the driver on at most {@code evaluate.tstr-images}
 * images each and are broadcast to the reference pass.
 */
public final class Evaluation {
    private final EvaluateSettings settings;
    private final Settings all;
    private final Instant started;
    private final Configuration hadoop = new Configuration();

    private Evaluation(EvaluateSettings settings, Settings all, Instant started) {
        this.settings = settings;
        this.all = all;
        this.started = started;
    }

    /** @param all the job's settings, for its report (when evaluate.report is on) */
    public static EvaluationReport run(EvaluateSettings settings, Settings all, Instant started) throws Exception {
        return new Evaluation(settings, all, started).run();
    }

    private EvaluationReport run() throws Exception {
        boolean writeReport = all.getBoolean("evaluate.report");
        // Everything that can be checked without Spark is checked first: bad input costs no cluster time.
        String classifierDir = qualified(settings.classifier());
        ClassifierInfo info = loadClassifier(classifierDir).info();
        PreparedManifest reference = PreparedManifest.readFrom(settings.reference(), hadoop);
        String referenceName = "reference " + settings.reference();
        checkShape(reference.shape(), info, referenceName);
        int[] referenceLabels = ClassMapping.of(classNames(reference), info.classNames(), referenceName);
        long referenceImages = reference.imagesIn(settings.referenceSplit());
        if (referenceImages < 2) {
            throw new InputError("the " + settings.referenceSplit() + " split of " + settings.reference() + " has "
                    + referenceImages + " images; a Fréchet distance needs at least 2 (evaluate.reference-split)");
        }
        Path generatedRoot = GeneratedImages.root(settings.generated(), hadoop);
        OutputLock.acquireForJob(settings.output(), "evaluate.output", hadoop); // overwrite=true must not hit a running job
        StagedOutput out = StagedOutput.prepare(new Path(settings.output()), settings.overwrite(), "evaluate.output", hadoop);

        NativeRuntime.init();
        try (SparkSessions spark = SparkSessions.open("evaluate", settings.sparkMaster())) {
            return out.runOrAbandon(() -> {
                GeneratedImages generated = GeneratedImages.open(spark.session(), generatedRoot, settings.glob(),
                        info.classNames());
                checkShape(generated.first(hadoop).shape(), info, "generated images " + generatedRoot);
                if (generated.count() < 2) {
                    throw new InputError("a Fréchet distance needs at least 2 generated images, " + generatedRoot
                            + " has " + generated.count());
                }
                boolean judged = settings.tstrImages() > 0 && generated.labeled() && referenceLabels.length > 0;
                Map<String, byte[]> judges = new LinkedHashMap<>();
                long judgeImages = judged ? trainJudges(spark.session(), generated, info, judges) : 0;

                Dataset<Row> referenceRows = PreparedShards.images(spark.session(), settings.reference(), reference,
                        settings.referenceSplit());
                int numClasses = info.classNames().size();
                FloorSubsets floor = FloorSubsets.of(settings.seed(),
                        PreparedSets.positions(referenceRows, referenceLabels, numClasses, settings.seed()),
                        generated.positions(numClasses, settings.seed()), generated.labeled() && referenceLabels.length > 0);
                EvaluationTally generatedTally = generated.score(new ScorerFactory(classifierDir, info, null,
                        settings.batchSize()), floor);
                Broadcast<Map<String, byte[]>> broadcast = JavaSparkContext.fromSparkContext(spark.session().sparkContext())
                        .broadcast(judges);
                EvaluationTally referenceTally = PreparedSets.score(referenceRows, info.shape(), referenceLabels, floor,
                        new ScorerFactory(classifierDir, info, broadcast, settings.batchSize()));
                broadcast.destroy();

                EvaluationReport report = EvaluationReport.of(new EvaluationReport.Inputs(settings.generated(),
                                generated.count(), generated.labeled(), settings.reference(), settings.referenceSplit(),
                                referenceImages, classifierDir, info.featureWidth(), info.validationAccuracy()),
                        generatedTally, referenceTally, info.classNames(), judgeImages);
                out.writeFile("metrics.json", report.toJson());
                if (writeReport) { // staged with metrics.json, so committed with it
                    ReportFiles.writeOrWarn("evaluate", out.output(), () -> out.writeFile(ReportFiles.FILE,
                            EvaluateReport.html(report, reference, info, generatedRoot, out.output(), all,
                                    spark.session(), started, hadoop)));
                }
                out.commit();
                System.out.print(report.table());
                System.out.println("evaluate: wrote " + new Path(out.output(), "metrics.json"));
                return report;
            });
        }
    }

    /**
     * Trains the train-on-synthetic and train-on-real classifiers by the classifier recipe, on the same number of
     * images each, and puts their bytes into {@code judges}.
     *
     * @return the number of images each trained on
     */
    private long trainJudges(SparkSession spark, GeneratedImages generated, ClassifierInfo info,
                             Map<String, byte[]> judges) throws IOException {
        String realDir = settings.realTrain().orElse(info.trainingData());
        if (realDir == null) {
            throw new InputError("the classifier records no training data; set evaluate.real-train (or tstr-images = 0)");
        }
        String realSplit = settings.realTrain().isPresent() || info.trainingSplit() == null ? PreparedColumns.TRAIN
                : info.trainingSplit();
        PreparedManifest real;
        try {
            real = PreparedManifest.readFrom(realDir, hadoop);
        } catch (InputError e) {
            throw new InputError("real training images for train-on-real: " + e.getMessage()
                    + " (set evaluate.real-train, or evaluate.tstr-images = 0)", e);
        }
        String realName = "real training data " + realDir;
        checkShape(real.shape(), info, realName);
        int[] realLabels = ClassMapping.of(classNames(real), info.classNames(), realName);
        long n = Math.min(Math.min(generated.count(), real.imagesIn(realSplit)), settings.tstrImages());
        LabeledImages synthetic = generated.collect((int) n, settings.seed(), info.shape(), info.classNames());
        LabeledImages realImages = PreparedSets.collect(PreparedShards.images(spark, realDir, real, realSplit), info.shape(),
                (int) n, settings.seed(), realLabels, info.classNames(), realName);
        judges.put(EvaluationReport.TSTR, FeatureClassifier.train(synthetic, settings.recipe()).modelBytes());
        judges.put(EvaluationReport.TRTR, FeatureClassifier.train(realImages, settings.recipe()).modelBytes());
        System.out.printf(java.util.Locale.ROOT, "evaluate: trained the train-on-synthetic and train-on-real classifiers"
                + " on %,d images each%n", n);
        return n;
    }

    private FeatureClassifier loadClassifier(String dir) throws IOException {
        try {
            return FeatureClassifier.load(dir, hadoop);
        } catch (FileNotFoundException e) {
            throw new InputError(e.getMessage() + " (evaluate.classifier; make one with evaluate.mode = train-classifier)", e);
        }
    }

    private String qualified(String dir) throws IOException {
        Path path = new Path(dir);
        FileSystem fs = path.getFileSystem(hadoop);
        return fs.makeQualified(path).toString();
    }

    private static List<String> classNames(PreparedManifest manifest) {
        return manifest.classNames() == null ? List.of() : manifest.classNames();
    }

    private static void checkShape(ImageShape shape, ClassifierInfo info, String what) {
        if (!shape.equals(info.shape())) {
            throw new InputError(what + " has images of shape " + shape + "; the classifier takes " + info.shape()
                    + " (train a classifier on images of that shape)");
        }
    }
}
