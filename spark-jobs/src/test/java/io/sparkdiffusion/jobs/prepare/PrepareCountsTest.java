package io.sparkdiffusion.jobs.prepare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Partial tallies of the shard tasks add up the same in any order; the first reject is the smallest source. */
class PrepareCountsTest {

    @Test
    void partialsMergeInAnyOrderToTheSameTotals() {
        for (boolean swap : new boolean[] {false, true}) {
            PrepareCounts a = new PrepareCounts(1, 2);
            a.keep(0, "train", new byte[] {0, 10});
            a.reject("file:/c/z.png", "not an image");
            a.duplicate();
            PrepareCounts b = new PrepareCounts(1, 2);
            b.keep(1, "validation", new byte[] {20, 30});
            b.reject("file:/c/b.png", "corrupt");
            b.reject("file:/c/y.png", "empty file (0 bytes)");

            PrepareCounts total = swap ? b.merge(a) : a.merge(b);

            assertEquals(6, total.files());
            assertEquals(3, total.rejected());
            assertEquals(1, total.duplicates());
            assertEquals("file:/c/b.png", total.firstRejectSource());
            assertEquals("corrupt", total.firstRejectReason());
            assertEquals(2, total.kept().images());
            assertArrayEquals(new long[] {1, 1}, total.kept().perClass());
            assertEquals(1, total.kept().validation());
            assertEquals(15.0 / 255, total.kept().pixels().mean()[0], 1e-12);
        }
        assertNull(new PrepareCounts(3, 0).merge(new PrepareCounts(3, 0)).firstRejectSource());
    }
}
