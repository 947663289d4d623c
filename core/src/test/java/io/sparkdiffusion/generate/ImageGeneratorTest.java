package io.sparkdiffusion.generate;

import io.sparkdiffusion.data.LabeledImage;
import io.sparkdiffusion.image.PngImages;
import io.sparkdiffusion.image.Uint8Image;
import io.sparkdiffusion.model.NetworkDenoiser;
import io.sparkdiffusion.model.UNetBuilder;
import io.sparkdiffusion.model.UNetSpec;
import io.sparkdiffusion.runtime.NativeRuntime;
import io.sparkdiffusion.schedule.NoiseSchedule;
import io.sparkdiffusion.schedule.ScheduleSpec;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Generated images depend only on the planned images and the recipe, not on the network instance or the JVM
 * state. (Not on the batch size either for this tiny network, but at real sizes oneDNN picks other kernels for
 * other batch shapes and the last bits change: the jobs therefore batch within a unit, the same way every time.)
 */
class ImageGeneratorTest {
    static final UNetSpec SPEC = new UNetSpec(1, 8, 8, List.of(1, 2), 1, 4, 16, 3, false, UNetSpec.Prediction.EPSILON);
    static final NoiseSchedule SCHEDULE = NoiseSchedule.of(ScheduleSpec.linear(100));
    static ComputationGraph network;

    @BeforeAll
    static void tinyNetwork() {
        NativeRuntime.init();
        network = UNetBuilder.network(SPEC, new Adam(1e-3), 3);
        Nd4j.getRandom().setSeed(4);
        network.params().addi(Nd4j.randn(DataType.FLOAT, network.params().shape()).muli(0.05)); // away from init
    }

    static List<byte[]> generate(List<PlannedImage> images, String sampler, double guidance, int batch) {
        Recipe recipe = new Recipe(sampler, 4, 0.5, guidance, 0.6, batch);
        return new ImageGenerator(new NetworkDenoiser(network.clone(), SPEC, SCHEDULE), SPEC, SCHEDULE, recipe)
                .pngs(images);
    }

    @Test
    void theSameImagesAndRecipeGiveTheSameBytesOnAnotherNetworkInstance() {
        List<PlannedImage> images = new SamplePlan(9, new long[] {3, 2, 2}, true, 7).unit(0);
        for (String sampler : List.of("ddim", "dpm-solver++")) {
            List<byte[]> first = generate(images, sampler, 2.5, 3);
            List<byte[]> again = generate(images, sampler, 2.5, 3);
            for (int i = 0; i < images.size(); i++) {
                assertArrayEquals(first.get(i), again.get(i), sampler + " image " + i);
            }
            assertFalse(Arrays.equals(first.get(0), first.get(1)), "different seeds, different images");
            // for this tiny network even the batch split does not matter
            assertArrayEquals(first.get(4), generate(images.subList(4, 5), sampler, 2.5, 1).get(0));
        }
    }

    @Test
    void variationsAreReproducibleAndKeepTheirShape() throws Exception {
        List<PlannedImage> images = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            byte[] pixels = new byte[64];
            Arrays.fill(pixels, (byte) (40 * i));
            images.add(new PlannedImage("v" + i, i % 3, 100 + i, new LabeledImage("src" + i, i % 3, pixels)));
        }
        List<byte[]> one = generate(images, "ddim", 2.0, 2);
        List<byte[]> all = generate(images, "ddim", 2.0, 2);
        for (int i = 0; i < images.size(); i++) {
            assertArrayEquals(one.get(i), all.get(i), "variation " + i);
            Uint8Image decoded = PngImages.decode(all.get(i));
            assertEquals(1, decoded.channels());
            assertEquals(8, decoded.height());
        }
    }
}
