package io.sparkdiffusion.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class FloorSubsetsTest {

    /** Counts of A, B per class and of G for ids "r<i>" (reference, label i % classes) and "g<i>" (generated). */
    private static long[][] sizes(FloorSubsets floor, int reference, int[] referenceLabels, int generated) {
        long[][] counts = new long[3][4];
        for (int i = 0; i < reference; i++) {
            List<String> groups = List.of(floor.referenceGroups("r" + i, referenceLabels[i], "all"));
            if (groups.contains(FloorSubsets.A)) {
                counts[0][referenceLabels[i]]++;
            }
            if (groups.contains(FloorSubsets.B)) {
                counts[1][referenceLabels[i]]++;
            }
            assertTrue(groups.contains("all") && !(groups.contains(FloorSubsets.A) && groups.contains(FloorSubsets.B)));
        }
        for (int i = 0; i < generated; i++) {
            if (List.of(floor.generatedGroups("g" + i, "all")).contains(FloorSubsets.G)) {
                counts[2][0]++;
            }
        }
        return counts;
    }

    @Test
    void randomSubsetsAreAboutTheSmallerOfGeneratedAndHalfTheReference() {
        int[] labels = new int[20_000];
        long[][] c = sizes(FloorSubsets.random(20_000, 4_000, 1), 20_000, labels, 4_000);
        assertEquals(4_000, c[0][0], 250);
        assertEquals(4_000, c[1][0], 250);
        assertEquals(4_000, c[2][0]);

        c = sizes(FloorSubsets.random(2_000, 4_000, 1), 2_000, new int[2_000], 4_000);
        assertEquals(1_000, c[0][0], 100);
        assertEquals(1_000, c[1][0], 100);
        assertEquals(1_000, c[2][0], 100);
    }

    @Test
    void stratifiedSubsetsTakeTheGeneratedClassMix() {
        // reference unbalanced (4000, 1000, 3000 of 3 classes), generated balanced (1000 each): the scarcest class
        // allows s = 1000/2/1000 = 0.5, so A and B hold ~500 of every class and G half the generated images
        int[] labels = new int[8_000];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i < 4_000 ? 0 : i < 5_000 ? 1 : 2;
        }
        FloorSubsets floor = FloorSubsets.stratified(new long[]{4_000, 1_000, 3_000}, new long[]{1_000, 1_000, 1_000}, 3);
        long[][] c = sizes(floor, 8_000, labels, 3_000);
        for (int cls = 0; cls < 3; cls++) {
            assertEquals(500, c[0][cls], 70, "A, class " + cls);
            assertEquals(500, c[1][cls], 70, "B, class " + cls);
        }
        assertEquals(1_500, c[2][0], 120);
        // a generated class the reference lacks: no stratification possible
        assertEquals(0, FloorSubsets.stratified(new long[]{10, 0}, new long[]{5, 5}, 1).referenceFractions().length);
    }
}
