package io.sparkdiffusion.generate;

import io.sparkdiffusion.diffusion.ImageNoise;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SamplePlanTest {

    static List<PlannedImage> all(SamplePlan plan) {
        List<PlannedImage> images = new ArrayList<>();
        for (int k = 0; k < plan.units(); k++) {
            images.addAll(plan.unit(k));
        }
        return images;
    }

    @Test
    void unitsCoverEveryImageOnceWithTheAskedCountsPerClass() {
        SamplePlan plan = new SamplePlan(5, new long[] {7, 0, 3, 11}, true, 4);
        assertEquals(21, plan.total());
        assertEquals(6, plan.units());
        List<PlannedImage> images = all(plan);
        assertEquals(21, images.size());
        assertEquals(21, new HashSet<>(images.stream().map(PlannedImage::id).toList()).size());
        int[] perLabel = new int[4];
        images.forEach(i -> perLabel[i.label()]++);
        assertEquals(List.of(7, 0, 3, 11), java.util.Arrays.stream(perLabel).boxed().toList());
        assertEquals(1, plan.unit(5).size(), "the last unit holds the rest");
        assertEquals("00000000", images.get(0).id());
        assertEquals("00000020", images.get(20).id());
    }

    @Test
    void anImagesSeedAndLabelDependOnlyOnTheRunSeedAndItsIndexNotOnTheUnits() {
        List<PlannedImage> small = all(new SamplePlan(5, new long[] {7, 0, 3, 11}, true, 4));
        List<PlannedImage> large = all(new SamplePlan(5, new long[] {7, 0, 3, 11}, true, 100));
        for (int i = 0; i < small.size(); i++) {
            assertEquals(small.get(i).id(), large.get(i).id());
            assertEquals(small.get(i).label(), large.get(i).label());
            assertEquals(ImageNoise.seedFor(5, i), small.get(i).seed());
            assertEquals(small.get(i).seed(), large.get(i).seed());
        }
        assertTrue(small.get(0).seed() != all(new SamplePlan(6, new long[] {7, 0, 3, 11}, true, 4)).get(0).seed());
    }

    @Test
    void unconditionalImagesHaveNoLabelAndLongRunsWiderIds() {
        SamplePlan plan = new SamplePlan(0, new long[] {123_456_789_0L}, false, 1000);
        assertEquals(-1, plan.image(0).label());
        assertEquals(10, plan.idWidth());
        assertEquals("1234567889", plan.image(1_234_567_889L).id());
        assertThrows(IllegalArgumentException.class, () -> new SamplePlan(0, new long[] {0, 0}, true, 4));
    }
}
