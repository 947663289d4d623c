package io.sparkdiffusion.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.data.LabeledImages;
import io.sparkdiffusion.image.Uint8Image;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class FeatureClassifierTest {
    static final ClassifierRecipe RECIPE = new ClassifierRecipe(3, 16, 3e-3, 32, 11);

    @TempDir
    static Path tmp;
    static FeatureClassifier trained;
    static LabeledImages test;

    @BeforeAll
    static void train() {
        trained = FeatureClassifier.train(PatternImages.labeled(40, 8, 1), RECIPE);
        test = PatternImages.labeled(25, 8, 2);
    }

    @Test
    void learnsThePatternsAndTheSameRecipeGivesTheSameWeights() {
        double accuracy = trained.accuracy(test, 32);
        assertTrue(accuracy > 0.9, "accuracy on new images: " + accuracy);
        FeatureClassifier again = FeatureClassifier.train(PatternImages.labeled(40, 8, 1), RECIPE);
        assertEquals(trained.params(), again.params(), "same data and seed, same weights");
        FeatureClassifier otherSeed = FeatureClassifier.train(PatternImages.labeled(40, 8, 1), RECIPE.withSeed(12));
        assertTrue(!trained.params().equals(otherSeed.params()), "another seed, other weights");
    }

    @Test
    void aFashionMnistSizedNetworkIsReproducibleToo() {
        // 28×28: large enough that DL4J's own seeded initialization was not reproducible
        ClassifierRecipe recipe = new ClassifierRecipe(1, 32, 1e-3, 128, 5);
        LabeledImages data = PatternImages.labeled(16, 28, 3);
        assertEquals(FeatureClassifier.train(data, recipe).params(), FeatureClassifier.train(data, recipe).params());
    }

    @Test
    void savedAndLoadedClassifierGivesTheSameFeaturesAndInfo() throws Exception {
        org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(tmp.resolve("clf").toUri());
        FeatureClassifier withInfo = trained.withInfo(trained.info().withTrainingData("somewhere", "train")
                .withValidation(100, 0.95));
        withInfo.save(FileSystem.get(dir.toUri(), new Configuration()), dir);
        FeatureClassifier loaded = FeatureClassifier.load(dir.toString(), new Configuration());
        assertEquals(withInfo.info(), loaded.info());
        INDArray batch = test.batch(new int[]{0, 1, 2, 3, 4});
        assertEquals(trained.forward(batch).features(), loaded.forward(batch).features());
        assertEquals(32, loaded.forward(batch).features().size(1));
        FeatureClassifier shared = SharedClassifiers.forThisThread(dir.toString(), new Configuration());
        assertArrayEquals(trained.forward(batch).predicted(), shared.forward(batch).predicted());
        assertTrue(shared == SharedClassifiers.forThisThread(dir.toString(), new Configuration()), "loaded once per thread");
    }

    @Test
    void scorerTalliesGroupsAndAgreementAndRefusesAnotherShape() {
        ImageScorer scorer = new ImageScorer(trained, Map.of("same", trained), 7);
        SplittableRandom random = new SplittableRandom(3);
        FeatureStatistics even = new FeatureStatistics(32);
        for (int i = 0; i < 20; i++) {
            Uint8Image image = test.image(i);
            scorer.add("test/" + i, image, test.label(i), i % 2 == 0 ? new String[]{"all", "even"} : new String[]{"all"});
            if (i % 2 == 0) {
                even.add(trained.forward(io.sparkdiffusion.image.Pixels.toBatch(java.util.List.of(image))).features());
            }
        }
        scorer.add("noise", PatternImages.noise(8, random), -1, "all");
        EvaluationTally tally = scorer.finish();
        assertEquals(21, tally.statistics("all").orElseThrow().count());
        assertEquals(10, tally.statistics("even").orElseThrow().count());
        ClassAgreement agreement = tally.agreement(ImageScorer.FEATURE_CLASSIFIER).orElseThrow();
        assertEquals(20, agreement.total(), "the unlabeled image counts only as a prediction");
        long predictions = 0;
        for (int c = 0; c < 4; c++) {
            predictions += agreement.predicted(c);
        }
        assertEquals(21, predictions);
        assertEquals(agreement.overall(), tally.agreement("same").orElseThrow().overall());

        // the group's rows were picked out of batches of 7: the same statistics as the images one by one
        FeatureStatistics evenTally = tally.statistics("even").orElseThrow();
        assertArrayEquals(even.mean(), evenTally.mean(), 1e-5);
        assertArrayEquals(even.sumOuter(), evenTally.sumOuter(), 1e-3);

        InputError wrong = assertThrows(InputError.class,
                () -> scorer.add("big.png", PatternImages.noise(16, random), 0, "all"));
        assertTrue(wrong.getMessage().contains("big.png") && wrong.getMessage().contains("1x16x16"), wrong.getMessage());
    }

    @Test
    void agreementCountsAddUp() {
        ClassAgreement a = new ClassAgreement(3);
        a.add(new int[]{0, 0, 1, 2}, new int[]{0, 1, 1, 1});
        ClassAgreement b = new ClassAgreement(3);
        b.add(new int[]{2, 2, -1}, new int[]{2, 2, 0});
        a.add(b);
        assertEquals(6, a.total());
        assertEquals(4.0 / 6, a.overall(), 1e-15);
        assertEquals(0.5, a.fraction(0));
        assertEquals(2.0 / 3, a.fraction(2), 1e-15);
        assertEquals(3, a.predicted(1));
        assertEquals(2, a.predicted(0));
        assertTrue(Double.isNaN(new ClassAgreement(2).overall()));
    }
}
