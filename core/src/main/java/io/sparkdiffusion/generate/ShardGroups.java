package io.sparkdiffusion.generate;

import java.util.ArrayList;
import java.util.List;

/** Which units' shards are merged into each shard of the output: runs of consecutive units of about equal bytes. */
public final class ShardGroups {
    private ShardGroups() {
    }

    /**
     * @param sizes  the bytes of each unit's shard, by unit number
     * @param target the wanted bytes of an output shard
     * @return ⌈total / target⌉ groups (at least one) of consecutive unit numbers, in order, each about total / n
     *         bytes: between target / 2 and target where the total allows, so only a run under target / 2 in all
     *         makes a smaller shard
     */
    public static List<List<Integer>> consecutive(long[] sizes, long target) {
        if (target <= 0) {
            throw new IllegalArgumentException("target bytes must be positive, got " + target);
        }
        long total = 0;
        for (long size : sizes) {
            total += size;
        }
        int n = (int) Math.max(1, Math.min(sizes.length, (total + target - 1) / target));
        List<List<Integer>> groups = new ArrayList<>();
        for (int g = 0; g < n; g++) {
            groups.add(new ArrayList<>());
        }
        long before = 0;
        for (int unit = 0; unit < sizes.length; unit++) {
            // the group its middle byte falls in: runs of consecutive units (a group left empty by a unit larger
            // than a share is dropped below)
            double middle = before + sizes[unit] / 2.0;
            int g = total == 0 ? 0 : (int) Math.min(n - 1, (long) (middle * n / total)); // total 0: n is 1
            groups.get(g).add(unit);
            before += sizes[unit];
        }
        groups.removeIf(List::isEmpty);
        return groups;
    }
}
