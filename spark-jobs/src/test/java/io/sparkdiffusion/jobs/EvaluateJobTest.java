package io.sparkdiffusion.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

import io.sparkdiffusion.eval.ClassifierInfo;
import io.sparkdiffusion.eval.EvaluationReport;
import io.sparkdiffusion.eval.SweepTable;
import io.sparkdiffusion.generate.GeneratedImage;
import io.sparkdiffusion.generate.ImageShards;
import io.sparkdiffusion.eval.PatternImages;
import io.sparkdiffusion.image.PngImages;
import io.sparkdiffusion.image.Uint8Image;
import org.apache.hadoop.conf.Configuration;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * EvaluateJob on local[2]: a classifier trained on 8×8 pattern images, then generated trees of new pattern images
 * (as a perfect generator would make), of noise, unlabeled, and bad ones.
 */
class EvaluateJobTest extends SparkPrepareTest {
    static final List<String> RECIPE = List.of("evaluate.classifier-training.epochs=4",
            "evaluate.classifier-training.batch-size=16", "evaluate.classifier-training.learning-rate=3e-3",
            "evaluate.classifier-training.feature-width=16", "evaluate.batch-size=50");

    @TempDir
    static Path tmp;
    static Path trainData;
    static Path reference;
    static Path classifier;
    static Run trained;

    @BeforeAll
    static void trainClassifier() throws Exception {
        trainData = prepared("train", 40, 1, "prepare.validation-fraction=0.25");
        reference = prepared("reference", 100, 2, "prepare.validation-fraction=0");
        classifier = tmp.resolve("classifier");
        trained = evaluate(List.of("evaluate.mode=train-classifier", "evaluate.data=" + trainData));
    }

    /** A PrepareJob output of {@code perClass} pattern images per class. */
    private static Path prepared(String name, int perClass, long seed, String split) throws Exception {
        Path tree = tree(name + "-tree", perClass, seed, true, PatternImages::pattern);
        Path out = tmp.resolve(name);
        Run run = prepare(tree, out, "prepare.size=8", "prepare.channels=1", split);
        assertEquals(0, run.exitCode(), run.stderr());
        return out;
    }

    interface ImageMaker {
        Uint8Image make(int cls, int size, SplittableRandom random);
    }

    /** {@code <dir>/<class>/<i>.png} (or flat when not labeled) of 8×8 images. */
    private static Path tree(String name, int perClass, long seed, boolean labeled, ImageMaker maker) throws Exception {
        Path dir = tmp.resolve(name);
        SplittableRandom random = new SplittableRandom(seed);
        for (int c = 0; c < PatternImages.CLASSES.size(); c++) {
            for (int i = 0; i < perClass; i++) {
                String file = labeled ? PatternImages.CLASSES.get(c) + "/" + i + ".png" : c + "-" + i + ".png";
                write(dir.resolve(file), PngImages.encode(maker.make(c, 8, random)));
            }
        }
        return dir;
    }

    private static Run evaluate(List<String> sets) {
        List<String> args = new ArrayList<>();
        for (String set : concat(List.of("evaluate.classifier=" + classifier), RECIPE, sets)) {
            args.add("--set");
            args.add(set);
        }
        return capture(() -> EvaluateJob.run(args.toArray(String[]::new)));
    }

    @SafeVarargs
    private static List<String> concat(List<String>... lists) {
        List<String> all = new ArrayList<>();
        for (List<String> l : lists) {
            all.addAll(l);
        }
        return all;
    }

    /** Evaluates a generated tree against the reference; returns the report. */
    private static EvaluationReport evaluated(Path generated, String name, String... more) throws Exception {
        Path out = tmp.resolve(name);
        Run run = evaluate(concat(List.of("evaluate.generated=" + generated, "evaluate.reference=" + reference,
                "evaluate.output=" + out), List.of(more)));
        assertEquals(0, run.exitCode(), run.stderr());
        assertTrue(Files.exists(out.resolve("_SUCCESS")));
        EvaluationReport scores = EvaluationReport.fromJson(Files.readAllBytes(out.resolve("metrics.json")));
        String page = Files.readString(out.resolve("report.html"));
        assertTrue(page.contains(String.format(java.util.Locale.ROOT, "</th><td>%.4f</td>", scores.frechetDistance())),
                "the report shows the Fréchet distance of metrics.json");
        return scores;
    }

    /** A SampleJob-like output: {@code <dir>/images/<class>/<id>.png}. */
    private static Path generatedTree(String name, int perClass, long seed, ImageMaker maker) throws Exception {
        Path dir = tmp.resolve(name);
        tree(name + "/images", perClass, seed, true, maker);
        return dir;
    }

    @Test
    void trainClassifierSavesTheModelWithItsValidationAccuracy() throws Exception {
        assertEquals(0, trained.exitCode(), trained.stderr());
        ClassifierInfo info = ClassifierInfo.fromJson(Files.readAllBytes(classifier.resolve("classifier.json")));
        assertEquals(PatternImages.CLASSES, info.classNames());
        assertEquals("features", info.featureLayer());
        assertEquals(16, info.featureWidth());
        assertEquals("file:" + trainData, info.trainingData());
        assertTrue(info.validationImages() > 20, "validation images: " + info.validationImages());
        assertEquals(160, info.trainImages() + info.validationImages());
        assertTrue(info.validationAccuracy() > 0.9, "validation accuracy " + info.validationAccuracy());
        assertTrue(Files.readString(classifier.resolve("report.html")).contains(String.format(java.util.Locale.ROOT,
                "<th>validation accuracy</th><td>%.1f %%</td>", 100 * info.validationAccuracy())), "the classifier's report");
        assertTrue(Files.exists(classifier.resolve("model.zip")) && Files.exists(classifier.resolve("_SUCCESS")));
    }

    @Test
    void realLookingImagesScoreCloseAndConsistentNoiseScoresFarAndInconsistent() throws Exception {
        EvaluationReport good = evaluated(generatedTree("good", 100, 3, PatternImages::pattern), "good-metrics");
        EvaluationReport noise = evaluated(generatedTree("noise", 100, 4, (c, size, r) -> PatternImages.noise(size, r)),
                "noise-metrics");

        assertEquals(400, good.inputs().generatedImages());
        assertEquals(400, good.inputs().referenceImages());
        for (EvaluationReport.ClassRow row : good.classes()) {
            assertEquals(100, row.generated(), row.name());
            assertEquals(100, row.reference(), row.name());
        }
        // same-size subsets, k images of every class in each: k is what the 100 reference images of the scarcest
        // class allow on both sides of u = 0.5 (about 50)
        EvaluationReport.Floor sizes = good.sameSize();
        assertEquals(sizes.imagesA(), sizes.imagesB());
        assertEquals(sizes.imagesA(), sizes.imagesG());
        assertEquals(0, sizes.imagesA() % 4, "the same count of each of the 4 classes");
        assertTrue(sizes.imagesA() >= 4 * 35 && sizes.imagesA() <= 4 * 50, "subset size " + sizes.imagesA());
        double floor = sizes.realVsReal();
        assertTrue(good.frechetDistance() < 0.1 * noise.frechetDistance(),
                "FD good " + good.frechetDistance() + ", noise " + noise.frechetDistance());
        // a perfect generator is as far from the reference as the reference from itself, at the same size
        assertTrue(sizes.realVsGenerated() < 5 * floor && floor < 0.1 * noise.sameSize().realVsGenerated(),
                "same size: good " + sizes.realVsGenerated() + ", floor " + floor + ", noise "
                        + noise.sameSize().realVsGenerated());
        assertTrue(good.classConsistency() > 0.9, "consistency of real-looking images " + good.classConsistency());
        assertTrue(noise.classConsistency() < 0.5, "consistency of noise " + noise.classConsistency());
        assertTrue(good.referenceAccuracy() > 0.9, "classifier accuracy on the reference " + good.referenceAccuracy());

        // as many images as the real training split has (fewer than the 400 generated)
        long realTrain = ClassifierInfo.fromJson(Files.readAllBytes(classifier.resolve("classifier.json"))).trainImages();
        assertEquals(realTrain, good.trainOnSynthetic().trainImages());
        assertEquals(realTrain, good.trainOnReal().trainImages());
        assertEquals(400, good.trainOnSynthetic().testImages());
        assertTrue(good.trainOnSynthetic().accuracy() > 0.8, "TSTR of real-looking images " + good.trainOnSynthetic());
        assertTrue(good.trainOnReal().accuracy() > 0.8, "TRTR " + good.trainOnReal());
        assertEquals(good.trainOnReal(), noise.trainOnReal(), "TRTR depends only on real images and the seed");
    }

    @Test
    void shardsScoreExactlyAsThePngTreeTheyHold() throws Exception {
        Path tree = generatedTree("tree-form", 30, 5, PatternImages::pattern);
        // the same images as a SampleJob run with output-format=parquet writes them: two shards, no images/
        Path sharded = tmp.resolve("shard-form");
        List<Path> files;
        try (var walk = Files.walk(tree.resolve("images"))) {
            files = walk.filter(f -> f.toString().endsWith(".png")).sorted().toList();
        }
        for (int shard = 0; shard < 2; shard++) {
            List<GeneratedImage> records = new ArrayList<>();
            List<byte[]> pngs = new ArrayList<>();
            for (int i = shard; i < files.size(); i += 2) {
                String path = tree.relativize(files.get(i)).toString();
                records.add(new GeneratedImage("id" + i, path, -1, null, i, null, "ddim", 1, 0, 1, null, "ema", "c", 1));
                pngs.add(Files.readAllBytes(files.get(i)));
            }
            ImageShards.write(new Configuration(), new org.apache.hadoop.fs.Path(sharded.resolve("shards")
                    .resolve("part-0000" + shard + ".parquet").toUri()), records, pngs);
        }
        EvaluationReport fromTree = evaluated(tree, "tree-form-metrics");
        EvaluationReport fromShards = evaluated(sharded, "shard-form-metrics");
        assertEquals(120, fromShards.inputs().generatedImages());
        // the same images in the same subsets; only the order of the feature sums (partitions) differs
        double fd = fromTree.frechetDistance();
        assertEquals(fd, fromShards.frechetDistance(), 1e-5 * fd);
        EvaluationReport.Floor a = fromTree.sameSize();
        EvaluationReport.Floor b = fromShards.sameSize();
        assertEquals(List.of(a.imagesA(), a.imagesB(), a.imagesG()), List.of(b.imagesA(), b.imagesB(), b.imagesG()),
                "the same floor subsets: an image is known by its path");
        assertEquals(a.realVsGenerated(), b.realVsGenerated(), 1e-5 * a.realVsGenerated());
        assertEquals(fromTree.classConsistency(), fromShards.classConsistency());
        assertEquals(fromTree.trainOnSynthetic(), fromShards.trainOnSynthetic());
    }

    @Test
    void realLookingImagesInTheWrongClassFoldersFailConsistencyAndTstrNotTheDistance() throws Exception {
        EvaluationReport shifted = evaluated(generatedTree("shifted", 100, 7,
                (c, size, r) -> PatternImages.pattern((c + 1) % PatternImages.CLASSES.size(), size, r)), "shifted-metrics");
        EvaluationReport.Floor sizes = shifted.sameSize();
        assertTrue(sizes.realVsGenerated() < 5 * sizes.realVsReal(), "the images themselves look real: " + sizes);
        assertTrue(shifted.classConsistency() < 0.1, "consistency " + shifted.classConsistency());
        assertTrue(shifted.trainOnSynthetic().accuracy() < 0.1, "TSTR " + shifted.trainOnSynthetic());
        assertTrue(shifted.trainOnReal().accuracy() > 0.8, "TRTR " + shifted.trainOnReal());
    }

    @Test
    void anUnlabeledTreeGetsDistancesAndPredictedClassesOnly() throws Exception {
        Path flat = tree("flat/images", 10, 5, false, PatternImages::pattern);
        EvaluationReport report = evaluated(flat, "flat-metrics");
        assertTrue(!report.inputs().generatedLabeled());
        assertNull(report.classConsistency());
        assertNull(report.trainOnSynthetic());
        assertEquals(40, report.classes().stream().mapToLong(EvaluationReport.ClassRow::predictedAs).sum());
        assertTrue(report.frechetDistance() >= 0);
    }

    @Test
    void badInputExitsTwoWithOneLineAndWritesNothing() throws Exception {
        Path good = generatedTree("bad-base", 5, 6, PatternImages::pattern);
        Path big = tmp.resolve("big");
        write(big.resolve("images/bars/0.png"), PngImages.encode(PatternImages.noise(16, new SplittableRandom(1))));
        write(big.resolve("images/bars/1.png"), PngImages.encode(PatternImages.noise(16, new SplittableRandom(2))));
        Path mixed = tmp.resolve("mixed"); // found by a task: the driver looks at the first image in path order only
        for (int i = 0; i < 5; i++) {
            write(mixed.resolve("images/bars/" + i + ".png"), PngImages.encode(PatternImages.noise(8, new SplittableRandom(i))));
        }
        write(mixed.resolve("images/squares/big.png"), PngImages.encode(PatternImages.noise(16, new SplittableRandom(9))));
        Path cats = tmp.resolve("cats");
        write(cats.resolve("images/cats/0.png"), PngImages.encode(PatternImages.noise(8, new SplittableRandom(1))));
        Function<Path, List<String>> base = g -> List.of("evaluate.generated=" + g, "evaluate.reference=" + reference,
                "evaluate.output=" + tmp.resolve("bad-out"));
        record Case(List<String> sets, String expected) {
        }
        List<Case> cases = List.of(
                new Case(base.apply(tmp.resolve("nowhere")), "do not exist"),
                new Case(concat(base.apply(good), List.of("evaluate.reference=" + tmp.resolve("none"))), "not a complete PrepareJob output"),
                new Case(concat(base.apply(good), List.of("evaluate.classifier=" + tmp.resolve("no-classifier"))), "train-classifier"),
                new Case(base.apply(big), "shape 1x16x16"),
                // without TSTR, whose training images the driver decodes itself
                new Case(concat(base.apply(mixed), List.of("evaluate.tstr-images=0")), "shape 1x16x16"),
                new Case(base.apply(cats), "'cats'"),
                new Case(concat(base.apply(good), List.of("evaluate.output=" + reference)), "already exists"));
        for (Case c : cases) {
            Run run = evaluate(c.sets());
            assertEquals(2, run.exitCode(), c.expected() + ": " + run.stderr());
            assertEquals(1, run.stderrLines().size(), run.stderr());
            assertTrue(run.stderr().startsWith("evaluate: ") && run.stderr().contains(c.expected()),
                    c.expected() + ": " + run.stderr());
        }
        assertTrue(listing(tmp).stream().noneMatch(n -> n.startsWith("bad-out") || n.startsWith(".bad-out")),
                "nothing written: " + listing(tmp));
    }

    @Test
    void sweepSamplesAndScoresEveryPointLikeSampleJobAndEvaluateAndARerunKeepsScoredPoints() throws Exception {
        Path runDir = GenerationFixtures.checkpoint(tmp.resolve("sweep-run"), PatternImages.CLASSES);
        Path out = tmp.resolve("sweep");
        List<String> sweep = List.of("evaluate.mode=sweep", "evaluate.reference=" + reference, "evaluate.output=" + out,
                "evaluate.tstr-images=0", "evaluate.sweep.run-dir=" + runDir,
                "evaluate.sweep.samplers=[\"ddim:2\", \"dpm-solver++:3\"]", "evaluate.sweep.guidance=[1, 3]",
                "evaluate.sweep.per-class=6", "evaluate.sweep.seed=4");
        Run run = evaluate(sweep);
        assertEquals(0, run.exitCode(), run.stderr());

        List<String> csv = Files.readAllLines(out.resolve("sweep.csv"));
        assertEquals(5, csv.size(), "a header and one line per point: " + csv);
        assertTrue(csv.get(1).startsWith("ddim,2,1,2,24,"), csv.get(1)); // ddim:2 unguided: 2 passes, 4 x 6 images
        assertTrue(csv.get(2).startsWith("ddim,2,3,4,24,"), csv.get(2)); // guided: cond and uncond, twice the passes
        assertTrue(csv.get(4).startsWith("dpm-solver++,3,3,6,24,"), csv.get(4));
        BufferedImage plot = ImageIO.read(out.resolve("sweep.png").toFile());
        assertEquals(900, plot.getWidth());

        // every point: SampleJob's images for the same settings, and EvaluateJob's scores of them
        Path direct = tmp.resolve("sweep-direct");
        GenerationFixtures.Result sampled = GenerationFixtures.capturingStderr(() -> SampleJob.run(GenerationFixtures.sets(List.of(
                "sample.run-dir=" + runDir, "sample.output=" + direct, "sample.sampler=dpm-solver++", "sample.steps=3",
                "sample.guidance=3", "sample.per-class=6", "sample.seed=4", "sample.spark-master=local[2]"))));
        assertEquals(0, sampled.code(), sampled.stderr());
        Path point = out.resolve("points/dpm-solver-pp-3-g3");
        GenerationFixtures.assertSameImages(GenerationFixtures.images(direct),
                GenerationFixtures.images(point.resolve("samples")), "the sweep's images of dpm-solver++:3 at guidance 3");
        EvaluationReport direct3 = evaluated(direct, "sweep-direct-scores", "evaluate.tstr-images=0");
        EvaluationReport point3 = EvaluationReport.fromJson(Files.readAllBytes(point.resolve("scores/metrics.json")));
        assertEquals(direct3.frechetDistance(), point3.frechetDistance());
        assertEquals(direct3.classConsistency(), point3.classConsistency());
        SweepTable.Row row = SweepTable.Row.fromJson(Files.readAllBytes(point.resolve("point.json")));
        assertEquals(direct3.frechetDistance(), row.frechetDistance());
        assertTrue(Files.readString(out.resolve("sweep.json")).contains("\"frechetDistance\" : " + row.frechetDistance()));
        List<Double> distances = csv.stream().skip(1).map(l -> Double.parseDouble(l.split(",")[5])).distinct().toList();
        assertEquals(4, distances.size(), "every setting makes other images: " + csv);

        // a rerun after a kill while scoring one point: the others are kept as they were, that one is scored again
        Path kept = out.resolve("points/ddim-2-g1/point.json");
        byte[] keptBytes = Files.readAllBytes(kept);
        java.nio.file.attribute.FileTime keptTime = Files.getLastModifiedTime(kept);
        Files.delete(point.resolve("point.json"));
        try (var files = Files.walk(point.resolve("scores"))) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
        Run rerun = evaluate(sweep);
        assertEquals(0, rerun.exitCode(), rerun.stderr());
        assertArrayEquals(keptBytes, Files.readAllBytes(kept));
        assertEquals(keptTime, Files.getLastModifiedTime(kept));
        SweepTable.Row again = SweepTable.Row.fromJson(Files.readAllBytes(point.resolve("point.json")));
        assertEquals(row.frechetDistance(), again.frechetDistance());
        assertNull(again.sampleSeconds(), "its images were made by the earlier run");
        assertEquals(csv.subList(0, 4), Files.readAllLines(out.resolve("sweep.csv")).subList(0, 4));

        // points of other settings would not compare with the kept ones: refused, nothing changed
        byte[] table = Files.readAllBytes(out.resolve("sweep.csv"));
        Run other = evaluate(concat(sweep, List.of("evaluate.sweep.per-class=7")));
        assertEquals(2, other.exitCode(), other.stderr());
        assertEquals(1, other.stderrLines().size(), other.stderr());
        assertTrue(other.stderr().contains("holds sweep points made with other settings"), other.stderr());
        assertArrayEquals(table, Files.readAllBytes(out.resolve("sweep.csv")));
        assertEquals(0, evaluate(concat(sweep, List.of("evaluate.sweep.per-class=7", "evaluate.overwrite=true",
                "evaluate.sweep.samplers=[\"ddim:2\"]", "evaluate.sweep.guidance=[1]"))).exitCode());
        assertTrue(Files.readString(out.resolve("sweep.csv")).contains("ddim,2,1,2,28,"), "overwritten: 4 x 7 images");
        assertTrue(Files.notExists(point), "the old points are gone");
    }

    @Test
    void aSweepOfGuidanceOnAnUnconditionalCheckpointOrOfBadSamplersExitsTwoBeforeWriting() throws Exception {
        Path conditional = GenerationFixtures.checkpoint(tmp.resolve("sweep-bad-run"), PatternImages.CLASSES);
        Path unconditional = GenerationFixtures.checkpoint(tmp.resolve("sweep-bad-uncond"), List.of());
        Function<Path, List<String>> base = runDir -> List.of("evaluate.mode=sweep", "evaluate.reference=" + reference,
                "evaluate.output=" + tmp.resolve("sweep-bad-out"), "evaluate.sweep.run-dir=" + runDir);
        record Case(List<String> sets, String expected) {
        }
        for (Case c : List.of(
                new Case(concat(base.apply(unconditional), List.of("evaluate.sweep.guidance=[1, 3]")),
                        "evaluate.sweep.guidance lists 3.0, but the checkpoint"),
                new Case(concat(base.apply(conditional), List.of("evaluate.sweep.samplers=[\"ddim:0\"]")),
                        "'ddim:0' is not sampler:steps"),
                new Case(concat(base.apply(conditional), List.of("evaluate.sweep.samplers=[\"euler:5\"]")),
                        "unknown sampler in 'euler:5'"),
                new Case(concat(base.apply(conditional), List.of("evaluate.sweep.samplers=[\"ddim:500\"]")),
                        "500 is more than the 100 timesteps"),
                new Case(concat(base.apply(tmp.resolve("no-run")), List.of()), "evaluate.sweep.run-dir"))) {
            Run run = evaluate(c.sets());
            assertEquals(2, run.exitCode(), c.expected() + ": " + run.stderr());
            assertEquals(1, run.stderrLines().size(), run.stderr());
            assertTrue(run.stderr().contains(c.expected()), c.expected() + ": " + run.stderr());
        }
        assertTrue(listing(tmp).stream().noneMatch(n -> n.startsWith("sweep-bad-out") || n.startsWith(".sweep-bad-out")),
                "nothing written: " + listing(tmp));
    }
}
