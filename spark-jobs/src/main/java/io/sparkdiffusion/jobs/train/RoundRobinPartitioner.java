package io.sparkdiffusion.jobs.train;

import org.apache.spark.Partitioner;

/** Sends the image with global index i to partition i mod n, so partitions differ in size by at most one. */
final class RoundRobinPartitioner extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final int partitions;

    RoundRobinPartitioner(int partitions) {
        this.partitions = partitions;
    }

    @Override
    public int numPartitions() {
        return partitions;
    }

    @Override
    public int getPartition(Object key) {
        return (int) Math.floorMod((Long) key, (long) partitions);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RoundRobinPartitioner p && p.partitions == partitions;
    }

    @Override
    public int hashCode() {
        return partitions;
    }
}
