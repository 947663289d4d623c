package io.sparkdiffusion.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class FloorSubsetsTest {
    static final long SEED = 3;

    /** Ids "r<i>" of the reference with labels, "g<i>" of the generated set; positions per bucket (label + 1). */
    private static double[][] positions(String prefix, int[] labels, int buckets) {
        double[][] out = new double[buckets][];
        for (int b = 0; b < buckets; b++) {
            final int bucket = b;
            out[b] = java.util.stream.IntStream.range(0, labels.length).filter(i -> labels[i] + 1 == bucket)
                    .mapToDouble(i -> FloorSubsets.position(SEED, prefix + i)).toArray();
        }
        return out;
    }

    /** [A, B, G] sizes per label + 1. */
    private static long[][] sizes(FloorSubsets floor, int[] reference, int[] generated, int buckets) {
        long[][] counts = new long[3][buckets];
        for (int i = 0; i < reference.length; i++) {
            List<String> groups = List.of(floor.referenceGroups("r" + i, reference[i], "all"));
            assertTrue(groups.contains("all"));
            assertFalse(groups.contains(FloorSubsets.A) && groups.contains(FloorSubsets.B), "A and B are disjoint");
            counts[0][reference[i] + 1] += groups.contains(FloorSubsets.A) ? 1 : 0;
            counts[1][reference[i] + 1] += groups.contains(FloorSubsets.B) ? 1 : 0;
        }
        for (int i = 0; i < generated.length; i++) {
            counts[2][generated[i] + 1] += List.of(floor.generatedGroups("g" + i, generated[i], "all"))
                    .contains(FloorSubsets.G) ? 1 : 0;
        }
        return counts;
    }

    private static int[] labels(int... perClass) {
        return java.util.stream.IntStream.range(0, perClass.length)
                .flatMap(c -> java.util.stream.IntStream.generate(() -> c).limit(perClass[c])).toArray();
    }

    @Test
    void stratifiedSubsetsHaveExactlyTheGeneratedClassMix() {
        // reference unbalanced, generated balanced (300 per class): the scarcest reference class (400, about 200
        // on each side of u = 0.5) limits every subset class to the same count, whatever the fluctuations
        int[] reference = labels(4_000, 400, 3_000);
        int[] generated = labels(300, 300, 300);
        FloorSubsets floor = FloorSubsets.of(SEED, positions("r", reference, 4), positions("g", generated, 4), true);
        long[][] c = sizes(floor, reference, generated, 4);
        long k = c[2][1];
        assertTrue(k > 150 && k <= 200, "per-class size " + k);
        for (int b = 1; b <= 3; b++) {
            assertEquals(k, c[0][b], "A, class " + (b - 1));
            assertEquals(k, c[1][b], "B, class " + (b - 1));
            assertEquals(k, c[2][b], "G, class " + (b - 1));
        }
    }

    @Test
    void unstratifiedSubsetsAreTheSmallerOfGeneratedAndHalfTheReference() {
        int[] reference = new int[2_000];
        java.util.Arrays.fill(reference, -1);
        int[] generated = new int[300];
        java.util.Arrays.fill(generated, -1);
        FloorSubsets floor = FloorSubsets.of(SEED, positions("r", reference, 1), positions("g", generated, 1), false);
        long[][] c = sizes(floor, reference, generated, 1);
        assertEquals(300, c[0][0]);
        assertEquals(300, c[1][0]);
        assertEquals(300, c[2][0]);

        int[] many = new int[5_000];
        java.util.Arrays.fill(many, -1);
        floor = FloorSubsets.of(SEED, positions("r", reference, 1), positions("g", many, 1), false);
        c = sizes(floor, reference, many, 1);
        assertEquals(c[0][0], c[1][0]);
        assertEquals(c[0][0], c[2][0]);
        assertEquals(1_000, c[0][0], 60, "about half the reference");
    }

    @Test
    void aGeneratedClassWithoutReferenceImagesFallsBackToOneBucket() {
        double[][] reference = {{}, {0.1, 0.2, 0.6, 0.7}, {}};
        double[][] generated = {{}, {0.3}, {0.4}};
        assertFalse(FloorSubsets.of(SEED, reference, generated, true).stratified());
    }
}
