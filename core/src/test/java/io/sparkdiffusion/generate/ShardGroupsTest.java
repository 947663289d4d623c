package io.sparkdiffusion.generate;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShardGroupsTest {
    @Test
    void equalUnitsSplitIntoRunsOfAboutTheTarget() {
        long[] sizes = new long[10];
        java.util.Arrays.fill(sizes, 30);
        // 300 bytes at a target of 100: 3 shards of 100
        assertEquals(List.of(List.of(0, 1, 2), List.of(3, 4, 5, 6), List.of(7, 8, 9)), ShardGroups.consecutive(sizes, 100));
        assertEquals(List.of(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)), ShardGroups.consecutive(sizes, 1000));
    }

    @Test
    void everyUnitOnceInOrderWhateverTheSizes() {
        long[] sizes = {500, 1, 1, 1, 900, 2, 3, 400, 0, 7};
        for (long target : new long[] {1, 100, 400, 1000, 5000}) {
            List<List<Integer>> groups = ShardGroups.consecutive(sizes, target);
            assertEquals(java.util.stream.IntStream.range(0, sizes.length).boxed().toList(),
                    groups.stream().flatMap(List::stream).toList(), "target " + target);
            assertTrue(groups.stream().noneMatch(List::isEmpty));
        }
        assertEquals(1, ShardGroups.consecutive(new long[] {0, 0}, 10).size(), "empty units: one shard");
    }

    @Test
    void aTargetMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> ShardGroups.consecutive(new long[] {1}, 0));
    }
}
