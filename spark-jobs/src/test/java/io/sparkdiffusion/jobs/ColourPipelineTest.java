package io.sparkdiffusion.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import io.sparkdiffusion.checkpoint.CheckpointInfo;
import io.sparkdiffusion.data.PreparedManifest;
import io.sparkdiffusion.eval.ClassifierInfo;
import io.sparkdiffusion.eval.EvaluationReport;
import io.sparkdiffusion.image.ImageShape;
import io.sparkdiffusion.image.PngImages;
import io.sparkdiffusion.image.Uint8Image;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The colour path end to end on a slice of the bundled icons (data/tango-icons-demo: the 40 whose names end in a
 * vowel, 2 to 12 per category) at 3×32×32: PrepareJob → TrainJob (the small32 preset's 4 levels and 8×8
 * attention, made narrow; one epoch of one round) → SampleJob → EvaluateJob (train-classifier, then evaluate).
 * Not a model: a few steps, to show every job takes and writes RGB; then a grey checkpoint on the colour data is
 * refused.
 */
class ColourPipelineTest extends SparkPrepareTest {
    private static final Path ICONS = Path.of("..", "data", "tango-icons-demo").toAbsolutePath().normalize();
    private static final ImageShape RGB32 = new ImageShape(3, 32, 32);

    @TempDir
    Path tmp;

    @Test
    void iconsGoThroughEveryJobInColour() throws Exception {
        Path prepared = tmp.resolve("prepared");
        Run prepare = prepare(ICONS, prepared, "prepare.glob=*[aeiou].png", "prepare.size=32", "prepare.channels=3",
                "prepare.background=black", "prepare.validation-fraction=0.2");
        assertEquals(0, prepare.exitCode(), prepare.stderr());
        PreparedManifest manifest = manifest(prepared);
        assertEquals(RGB32, manifest.shape());
        assertEquals(40, manifest.files());
        assertEquals(8, manifest.classNames().size());
        double[] mean = manifest.pixelStatistics().mean();
        double[] std = manifest.pixelStatistics().std();
        assertEquals(3, mean.length, "a mean per channel");
        assertEquals(3, std.length, "a standard deviation per channel");
        assertFalse(mean[0] == mean[1] && mean[1] == mean[2], "the channels differ: " + Arrays.toString(mean));

        Path run = tmp.resolve("train");
        // ~32 training images in 2 partitions of 2 batches of 8: one round of 2 steps is the whole epoch
        assertEquals(0, job(TrainJob::run, "train.data=" + prepared, "train.run-dir=" + run, "train.epochs=1",
                "train.workers=2", "train.batch-size=8", "train.averaging-frequency=2", "train.warmup-steps=1",
                "train.validation.images=0", "train.schedule.timesteps=100",
                // the auto preset at 32 (small32: [1,2,2,2], attention at 8x8), narrowed key by key
                "train.model.base-channels=8", "train.model.groups=4", "train.model.time-embedding-dim=16",
                "train.sample.count=4", "train.sample.steps=2", "train.sample-every-epochs=1"));
        Path checkpoint;
        try (Stream<Path> dirs = Files.list(run.resolve("checkpoints"))) {
            checkpoint = dirs.filter(p -> p.getFileName().toString().startsWith("step-")).findFirst().orElseThrow();
        }
        CheckpointInfo info = CheckpointInfo.fromJson(Files.readString(checkpoint.resolve("checkpoint.json")));
        assertEquals(List.of(1, 2, 2, 2), info.model().channelMultipliers());
        assertEquals(List.of(8), info.model().attentionResolutions());
        assertEquals(RGB32, info.imageShape());
        List<Path> grids;
        try (Stream<Path> files = Files.list(run.resolve("samples"))) {
            grids = files.filter(p -> p.toString().endsWith(".png")).toList();
        }
        assertEquals(1, grids.size(), "one sample grid: " + grids);
        Uint8Image grid = PngImages.decode(Files.readAllBytes(grids.get(0)));
        assertEquals(3, grid.channels(), "the sample grid is an RGB PNG");
        assertTrue(grid.height() >= 32 && grid.width() >= 2 * 32, "a grid of 4 images: " + grid.shape());
        assertTrue(hasColour(grid), "the grid is not grey in 3 channels");

        Path samples = tmp.resolve("samples");
        assertEquals(0, job(SampleJob::run, "sample.run-dir=" + run, "sample.output=" + samples,
                "sample.per-class=2", "sample.steps=2", "sample.batch-size=8", "sample.channels=3",
                "sample.image-size=32"));
        List<Path> pngs;
        try (Stream<Path> files = Files.walk(samples.resolve("images"))) {
            pngs = files.filter(p -> p.toString().endsWith(".png")).sorted().toList();
        }
        assertEquals(16, pngs.size(), "2 per class, 8 classes");
        for (Path png : pngs) {
            Uint8Image image = PngImages.decode(Files.readAllBytes(png));
            assertEquals(RGB32, image.shape(), png.toString());
            assertTrue(hasColour(image), png + " is grey in 3 channels");
        }

        Path classifier = tmp.resolve("classifier");
        assertEquals(0, job(EvaluateJob::run, "evaluate.mode=train-classifier", "evaluate.data=" + prepared,
                "evaluate.classifier=" + classifier, "evaluate.classifier-training.epochs=1",
                "evaluate.classifier-training.feature-width=16"));
        ClassifierInfo classifierInfo = ClassifierInfo.fromJson(Files.readAllBytes(classifier.resolve("classifier.json")));
        assertEquals(RGB32, classifierInfo.shape(), "the feature classifier is for 3x32x32 images");
        // and its network takes 3 channels: the first convolution's weights are [out, 3, 3, 3]
        MultiLayerNetwork network = ModelSerializer.restoreMultiLayerNetwork(classifier.resolve("model.zip").toFile(),
                false);
        assertEquals(3, network.getLayer(0).getParam("W").size(1), "input channels of the first convolution");

        Path metrics = tmp.resolve("evaluation");
        assertEquals(0, job(EvaluateJob::run, "evaluate.classifier=" + classifier, "evaluate.generated=" + samples,
                "evaluate.reference=" + prepared, "evaluate.output=" + metrics, "evaluate.tstr-images=16",
                "evaluate.classifier-training.epochs=1", "evaluate.classifier-training.feature-width=16"));
        EvaluationReport report = EvaluationReport.fromJson(Files.readAllBytes(metrics.resolve("metrics.json")));
        assertEquals(16, report.inputs().generatedImages());
        assertEquals(manifest.images(), report.inputs().referenceImages(), "reference-split all");
        assertTrue(Double.isFinite(report.frechetDistance()) && report.frechetDistance() > 0, report.toString());
        // (no same-size floor here: 2 to 12 reference images per class leave too few for two disjoint halves)
        assertFraction(report.classConsistency(), "class consistency");
        assertFraction(report.referenceAccuracy(), "the classifier's accuracy on the reference");
        assertNotNull(report.trainOnSynthetic(), "TSTR");
        assertNotNull(report.trainOnReal(), "TRTR");
        assertFraction(report.trainOnSynthetic().accuracy(), "TSTR accuracy");
        assertEquals(8, report.classes().size());

        // a grey 8x8 checkpoint on these colour images: exit 2 with one line
        Path grey = GenerationFixtures.checkpoint(tmp.resolve("grey"), classifierInfo.classNames());
        GenerationFixtures.Result refused = GenerationFixtures.capturingStderr(() -> job(AugmentJob::run,
                "augment.data=" + prepared, "augment.run-dir=" + grey, "augment.output=" + tmp.resolve("aug")));
        assertEquals(2, refused.code(), refused.stderr());
        assertTrue(refused.stderr().contains("1x8x8") && refused.stderr().contains("3x32x32")
                && refused.stderr().strip().lines().count() == 1, refused.stderr());
        assertFalse(Files.exists(tmp.resolve("aug")), "nothing written");
    }

    /**
     * At 64 px in colour a batch of 64 is ~6 MB, more than a prefetching iterator's reused buffer holds (DL4J's, which
     * overwrote batches still in training: the loss came out different on every run, and NaN on some). Two runs
     * of the same settings must train on the same batches: the same loss and weights, bit for bit.
     */
    @Test
    void largeColourBatchesReachTheWorkerIntact() throws Exception {
        Path corpus = tmp.resolve("noise64");
        SplittableRandom random = new SplittableRandom(11);
        Files.createDirectories(corpus.resolve("noise"));
        for (int i = 0; i < 8 * 64; i++) {
            byte[] pixels = new byte[3 * 64 * 64];
            for (int p = 0; p < pixels.length; p++) {
                pixels[p] = (byte) random.nextInt(256);
            }
            Files.write(corpus.resolve("noise").resolve(i + ".png"), PngImages.encode(new Uint8Image(3, 64, 64, pixels)));
        }
        Path prepared = tmp.resolve("prepared64");
        Run prepare = prepare(corpus, prepared, "prepare.size=64", "prepare.channels=3", "prepare.validation-fraction=0");
        assertEquals(0, prepare.exitCode(), prepare.stderr());
        List<Double> losses = new ArrayList<>();
        for (String name : List.of("first", "second")) {
            Path run = tmp.resolve(name);
            // one partition: one round of 8 batches of 64
            assertEquals(0, job(TrainJob::run, "train.data=" + prepared, "train.run-dir=" + run, "train.epochs=1",
                    "train.workers=1", "train.batch-size=64", "train.averaging-frequency=8", "train.warmup-steps=1",
                    "train.gradient-clip=0", "train.validation.images=0", "train.schedule.timesteps=100",
                    "train.sample-every-epochs=0", "train.model.attention-resolutions=[]",
                    "train.model.base-channels=8", "train.model.groups=4", "train.model.time-embedding-dim=16"));
            List<String> rows = Files.readAllLines(run.resolve("metrics.jsonl")).stream()
                    .filter(row -> row.contains("\"loss\":")).toList();
            assertEquals(1, rows.size(), "one round: " + rows);
            assertTrue(rows.get(0).contains("\"step\":8,"), rows.get(0));
            losses.add(TrainJobFixtures.loss(rows.get(0)));
        }
        assertTrue(Double.isFinite(losses.get(0)), "loss " + losses.get(0));
        assertEquals(losses.get(0), losses.get(1), "the two runs' losses, bit for bit");
    }

    /** Whether some pixel's channels differ (a grey image widened to 3 channels has R = G = B everywhere). */
    private static boolean hasColour(Uint8Image image) {
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                if (image.get(0, y, x) != image.get(1, y, x) || image.get(1, y, x) != image.get(2, y, x)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void assertFraction(Double value, String what) {
        assertNotNull(value, what);
        assertTrue(value >= 0 && value <= 1, what + " " + value);
    }

    private static int job(java.util.function.ToIntFunction<String[]> job, String... sets) {
        List<String> args = new ArrayList<>();
        for (String set : sets) {
            args.add("--set");
            args.add(set);
        }
        return job.applyAsInt(args.toArray(String[]::new));
    }
}
