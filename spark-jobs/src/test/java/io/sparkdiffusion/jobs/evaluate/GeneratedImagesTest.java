package io.sparkdiffusion.jobs.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.sparkdiffusion.image.PngImages;
import io.sparkdiffusion.image.Uint8Image;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** EvaluateJob finds each class in the folder SampleJob and AugmentJob write for it. */
class GeneratedImagesTest {
    @TempDir
    static Path tmp;
    static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder().master("local[1]").appName("generated-images-test")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @Test
    void aClassWithASpaceIsFoundInItsSanitizedFolder() throws Exception {
        // SampleJob's output for the classes "golden retriever" and "poodle": a space is not kept in a folder name
        for (String folder : List.of("golden_retriever", "poodle")) {
            Path image = tmp.resolve("out/images").resolve(folder).resolve("0.png");
            Files.createDirectories(image.getParent());
            Files.write(image, PngImages.encode(new Uint8Image(1, 8, 8, new byte[64])));
        }
        List<String> classes = List.of("golden retriever", "poodle");
        org.apache.hadoop.fs.Path root = GeneratedImages.root(tmp.resolve("out").toString(), new Configuration());
        double[][] byBucket = GeneratedImages.open(spark, root, "*.png", classes).positions(classes.size(), 0);
        assertEquals(0, byBucket[0].length, "no image without a class");
        assertEquals(1, byBucket[1].length, "one golden retriever");
        assertEquals(1, byBucket[2].length, "one poodle");
    }
}
