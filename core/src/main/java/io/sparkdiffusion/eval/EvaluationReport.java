package io.sparkdiffusion.eval;

import java.io.IOException;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The result of an evaluation, written as {@code metrics.json} and printed as a table. Fractions are in [0, 1];
 * a metric that does not apply (unlabeled images, no TSTR) is absent (null).
 *
 * @param frechetDistance    Fréchet distance between the feature Gaussians of the reference and the generated images
 * @param sameSize           distances between same-size subsets: the real-vs-real floor ({@link FloorSubsets})
 * @param classConsistency   fraction of generated images the classifier assigns to the class they were generated for
 * @param referenceAccuracy  the feature classifier's accuracy on the reference images
 * @param trainOnSynthetic   a classifier of the same recipe trained on generated images, tested on the reference
 * @param trainOnReal        the same trained on as many real training images
 * @param classes            per class, in the classifier's order
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EvaluationReport(int formatVersion, String createdAt, Inputs inputs, double frechetDistance,
                               Floor sameSize, Double classConsistency, Double referenceAccuracy,
                               TrainTest trainOnSynthetic, TrainTest trainOnReal, List<ClassRow> classes) {
    public static final int FORMAT_VERSION = 1;
    /** Statistics group of the generated images. */
    public static final String GENERATED = "generated";
    /** Statistics group of all reference images. */
    public static final String REFERENCE = "reference";
    /** Judge classifier trained on generated images. */
    public static final String TSTR = "train-on-synthetic";
    /** Judge classifier trained on as many real images. */
    public static final String TRTR = "train-on-real";

    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    /**
     * @param generatedLabeled   whether the generated images sit in class folders
     * @param featureWidth       dimension of the features (the classifier's penultimate layer)
     * @param classifierAccuracy the classifier's accuracy on its own validation split, when it had one
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Inputs(String generated, long generatedImages, boolean generatedLabeled, String reference,
                         String referenceSplit, long referenceImages, String classifier, int featureWidth,
                         Double classifierAccuracy) {
    }

    /**
     * Distances between same-size subsets ({@link FloorSubsets}); null when a subset has fewer than 2 images.
     *
     * @param realVsReal      FD(A, B): two disjoint reference subsets, the floor
     * @param realVsGenerated FD(A, G): reference subset A and a generated subset of the same size
     */
    public record Floor(Double realVsReal, Double realVsGenerated, long imagesA, long imagesB, long imagesG) {
    }

    /**
     * @param trainImages images the classifier trained on
     * @param testImages  reference images it was tested on
     */
    public record TrainTest(long trainImages, long testImages, double accuracy) {
    }

    /**
     * @param generated     generated images of the class (by folder; 0 when unlabeled)
     * @param reference     reference images of the class
     * @param consistency   fraction of its generated images assigned to it
     * @param predictedAs   generated images (of any folder) the classifier assigns to it
     * @param tstrAccuracy  train-on-synthetic accuracy on its reference images
     * @param trtrAccuracy  train-on-real accuracy on its reference images
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ClassRow(String name, long generated, long reference, Double consistency, long predictedAs,
                           Double tstrAccuracy, Double trtrAccuracy) {
    }

    /**
     * Assembles the report from the tallies of the two passes.
     *
     * @param generated  tally of the generated images: groups {@link #GENERATED} and {@link FloorSubsets#G}, the
     *                   classifier's predictions
     * @param reference  tally of the reference images: groups {@link #REFERENCE}, {@link FloorSubsets#A} and
     *                   {@link FloorSubsets#B}, the
     *                   predictions of the classifier and of the {@link #TSTR} / {@link #TRTR} judges if any
     * @param classes    the classifier's class names
     * @param judgeTrainImages images each judge trained on (0 without judges)
     */
    public static EvaluationReport of(Inputs inputs, EvaluationTally generated, EvaluationTally reference,
                                      List<String> classes, long judgeTrainImages) {
        FeatureStatistics gen = generated.statistics(GENERATED).orElseThrow();
        FeatureStatistics ref = reference.statistics(REFERENCE).orElseThrow();
        FeatureStatistics a = reference.statistics(FloorSubsets.A).orElse(null);
        FeatureStatistics b = reference.statistics(FloorSubsets.B).orElse(null);
        FeatureStatistics g = generated.statistics(FloorSubsets.G).orElse(null);
        Floor floor = new Floor(distance(a, b), distance(a, g), count(a), count(b), count(g));
        ClassAgreement consistency = generated.agreement(ImageScorer.FEATURE_CLASSIFIER).orElseThrow();
        ClassAgreement accuracy = reference.agreement(ImageScorer.FEATURE_CLASSIFIER).orElseThrow();
        ClassAgreement tstr = reference.agreement(TSTR).orElse(null);
        ClassAgreement trtr = reference.agreement(TRTR).orElse(null);
        List<ClassRow> rows = new java.util.ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            rows.add(new ClassRow(classes.get(c), consistency.total(c), accuracy.total(c),
                    orNull(consistency.fraction(c)), consistency.predicted(c),
                    tstr == null ? null : orNull(tstr.fraction(c)), trtr == null ? null : orNull(trtr.fraction(c))));
        }
        return new EvaluationReport(FORMAT_VERSION, java.time.Instant.now().toString(), inputs,
                FrechetDistance.between(ref, gen), floor, orNull(consistency.overall()), orNull(accuracy.overall()),
                trainTest(tstr, judgeTrainImages), trainTest(trtr, judgeTrainImages), rows);
    }

    private static Double distance(FeatureStatistics x, FeatureStatistics y) {
        return count(x) >= 2 && count(y) >= 2 ? FrechetDistance.between(x, y) : null;
    }

    private static long count(FeatureStatistics s) {
        return s == null ? 0 : s.count();
    }

    private static TrainTest trainTest(ClassAgreement judge, long trainImages) {
        return judge == null || judge.total() == 0 ? null : new TrainTest(trainImages, judge.total(), judge.overall());
    }

    /** NaN (nothing counted) as absent: JSON has no NaN. */
    private static Double orNull(double value) {
        return Double.isNaN(value) ? null : value;
    }

    public byte[] toJson() throws IOException {
        return JSON.writeValueAsBytes(this);
    }

    public static EvaluationReport fromJson(byte[] json) throws IOException {
        return JSON.readValue(json, EvaluationReport.class);
    }

    /** The human-readable summary the job prints. */
    public String table() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%,d generated images (%s) vs %,d reference images (%s split); features: %d-d "
                        + "penultimate layer of the classifier%s%n", inputs.generatedImages(),
                inputs.generatedLabeled() ? "in class folders" : "unlabeled", inputs.referenceImages(),
                inputs.referenceSplit(), inputs.featureWidth(), inputs.classifierAccuracy() == null ? ""
                        : " (validation accuracy " + percent(inputs.classifierAccuracy()) + ")"));
        line(out, String.format(Locale.ROOT, "Fréchet distance (%,d real vs %,d generated)", inputs.referenceImages(),
                inputs.generatedImages()), String.format(Locale.ROOT, "%.4f", frechetDistance));
        line(out, String.format(Locale.ROOT, "  same size: real vs generated (%,d vs %,d)", sameSize.imagesA(),
                sameSize.imagesG()), distance(sameSize.realVsGenerated()));
        line(out, String.format(Locale.ROOT, "  same size: real vs real floor (%,d vs %,d)", sameSize.imagesA(),
                sameSize.imagesB()), distance(sameSize.realVsReal()));
        line(out, "class consistency", percent(classConsistency));
        line(out, "classifier accuracy on the reference", percent(referenceAccuracy));
        line(out, "train on synthetic, test on real", trainTest(trainOnSynthetic));
        line(out, "train on real, test on real", trainTest(trainOnReal));
        if (!classes.isEmpty()) {
            out.append(String.format(Locale.ROOT, "%n%-20s %10s %10s %12s %13s %9s %9s%n", "class", "generated", "reference",
                    "consistency", "predicted as", "TSTR", "TRTR"));
            for (ClassRow row : classes) {
                out.append(String.format(Locale.ROOT, "%-20s %,10d %,10d %12s %,13d %9s %9s%n", clip(row.name()),
                        row.generated(), row.reference(), percent(row.consistency()), row.predictedAs(),
                        percent(row.tstrAccuracy()), percent(row.trtrAccuracy())));
            }
        }
        return out.toString();
    }

    private static void line(StringBuilder out, String label, String value) {
        out.append(String.format(Locale.ROOT, "%-48s %s%n", label, value));
    }

    private static String distance(Double d) {
        return d == null ? "- (too few images)" : String.format(Locale.ROOT, "%.4f", d);
    }

    private static String trainTest(TrainTest t) {
        return t == null ? "-" : String.format(Locale.ROOT, "%s  (%,d training images, %,d test images)",
                percent(t.accuracy()), t.trainImages(), t.testImages());
    }

    private static String percent(Double fraction) {
        return fraction == null || fraction.isNaN() ? "-" : String.format(Locale.ROOT, "%.1f %%", 100 * fraction);
    }

    private static String clip(String name) {
        return name.length() <= 20 ? name : name.substring(0, 19) + "…";
    }
}
