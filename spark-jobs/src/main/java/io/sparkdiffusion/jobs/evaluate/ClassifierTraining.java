package io.sparkdiffusion.jobs.evaluate;

import java.time.Instant;
import java.util.List;

import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.config.Settings;
import io.sparkdiffusion.data.PreparedColumns;
import io.sparkdiffusion.jobs.report.EvaluateReport;
import io.sparkdiffusion.report.ReportFiles;
import io.sparkdiffusion.data.LabeledImages;
import io.sparkdiffusion.data.PreparedManifest;
import io.sparkdiffusion.eval.FeatureClassifier;
import io.sparkdiffusion.image.ImageShape;
import io.sparkdiffusion.jobs.io.PreparedShards;
import io.sparkdiffusion.jobs.session.SparkSessions;
import io.sparkdiffusion.jobs.io.StagedOutput;
import io.sparkdiffusion.lock.OutputLock;
import io.sparkdiffusion.runtime.NativeRuntime;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Mode train-classifier: trains the feature classifier on a PrepareJob output's train split and saves it, with
 * its accuracy on the validation split, to {@code evaluate.classifier}.
 *
 * <p>The classifier is small and trains in the driver JVM: the training images are streamed there as uint8 (a
 * 28×28 grey image is 784 bytes, so Fashion-MNIST's 60,000 take 47 MB); {@code evaluate.train-images} bounds them.
 */
public final class ClassifierTraining {

    private ClassifierTraining() {
    }

    /** @param all the job's settings, for its report (when evaluate.report is on) */
    public static void run(EvaluateSettings settings, Settings all, Instant startedAt) throws Exception {
        boolean writeReport = all.getBoolean("evaluate.report");
        Configuration hadoop = new Configuration();
        PreparedManifest manifest = PreparedManifest.readFrom(settings.data(), hadoop);
        List<String> classes = manifest.classNames() == null ? List.of() : manifest.classNames();
        if (classes.size() < 2) {
            throw new InputError(settings.data() + " has " + classes.size() + " classes; a classifier needs labeled "
                    + "images of at least 2 (evaluate.data)");
        }
        if (manifest.imagesIn(PreparedColumns.TRAIN) == 0) {
            throw new InputError("the train split of " + settings.data() + " is empty (evaluate.data)");
        }
        ImageShape shape = manifest.shape();
        OutputLock.acquireForJob(settings.classifier(), "evaluate.classifier", hadoop);
        StagedOutput out = StagedOutput.prepare(new Path(settings.classifier()), settings.overwrite(),
                "evaluate.classifier", hadoop);
        int[] identity = java.util.stream.IntStream.range(0, classes.size()).toArray();
        NativeRuntime.init();
        try (SparkSessions spark = SparkSessions.open("evaluate", settings.sparkMaster())) {
            out.runOrAbandon(() -> {
                Dataset<Row> train = PreparedShards.images(spark.session(), settings.data(), manifest,
                        PreparedColumns.TRAIN);
                LabeledImages images = PreparedSets.collect(train, shape, settings.trainImages(), settings.seed(),
                        identity, classes, "evaluate.data " + settings.data());
                long started = System.nanoTime();
                FeatureClassifier classifier = FeatureClassifier.train(images, settings.recipe());
                double seconds = (System.nanoTime() - started) / 1e9;
                LabeledImages validation = manifest.imagesIn(PreparedColumns.VALIDATION) == 0 ? null
                        : PreparedSets.collect(PreparedShards.images(spark.session(), settings.data(), manifest,
                        PreparedColumns.VALIDATION),
                        shape, 0, settings.seed(), identity, classes, "evaluate.data " + settings.data());
                Double accuracy = validation == null ? null : classifier.accuracy(validation, settings.batchSize());
                // qualified, so that TRTR finds the data from wherever the evaluation runs
                Path data = new Path(settings.data());
                classifier = classifier.withInfo(classifier.info()
                        .withTrainingData(data.getFileSystem(hadoop).makeQualified(data).toString(),
                                PreparedColumns.TRAIN)
                        .withValidation(validation == null ? 0 : validation.count(), accuracy));
                classifier.save(out.fileSystem(), out.staging());
                if (writeReport) { // staged with the model, so committed with it
                    FeatureClassifier trained = classifier;
                    ReportFiles.writeOrWarn("evaluate", out.output(), () -> out.writeFile(ReportFiles.FILE,
                            EvaluateReport.classifierHtml(trained.info(), manifest, trained.numParams(), seconds,
                                    out.output(), all, spark.session(), startedAt)));
                }
                out.commit();
                System.out.printf(java.util.Locale.ROOT, "evaluate: classifier (%,d parameters, %d-d features) trained on "
                                + "%,d images of %s in %.0f s; validation accuracy %s; saved to %s%n",
                        classifier.numParams(), settings.recipe().featureWidth(), images.count(), shape, seconds,
                        accuracy == null ? "- (no validation split)" : String.format(java.util.Locale.ROOT, "%.1f %% on %,d images",
                                100 * accuracy, validation.count()), out.output());
            });
        }
    }
}
