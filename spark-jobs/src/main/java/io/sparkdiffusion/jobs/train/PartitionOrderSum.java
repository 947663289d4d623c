package io.sparkdiffusion.jobs.train;

import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingResult;
import org.deeplearning4j.spark.impl.paramavg.aggregator.ParameterAveragingAggregationTuple;
import org.deeplearning4j.spark.impl.paramavg.aggregator.ParameterAveragingElementAddFunction;
import org.deeplearning4j.spark.impl.paramavg.aggregator.ParameterAveragingElementCombineFunction;
import scala.Tuple2;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

import java.io.Serializable;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;

/**
 * Sums the workers' results of an averaging round in partition order, whatever order their tasks finish in.
 *
 * <p>DL4J's training master sums them with Spark's tree aggregation, which adds partial sums in the order their
 * tasks finish and their shuffle blocks arrive. Float addition is not associative, so from three partial sums on
 * the same run gave other weights each time (measured: 24 workers on {@code local[2]}, 4 runs, 4 different
 * results). This sum is ((r0 + r1) + r2) + ... within each group of consecutive partitions, and the groups' sums
 * are added in the same order on the driver: the same bits on any cluster, in any run, and on resume.
 *
 * <p>The shape of the tree is Spark's: with depth d, groups of about W^(1/d) partitions are summed on executors
 * (one shuffle per level), and the driver adds what is left, each sum as soon as the ones before it are in, so
 * it holds few of them at once.
 */
final class PartitionOrderSum {
    private PartitionOrderSum() {
    }

    /** The ordered sum of all results (null if there are none), with a tree of the given depth (≥ 1). */
    static ParameterAveragingAggregationTuple of(JavaRDD<ParameterAveragingTrainingResult> results, int depth) {
        JavaRDD<ParameterAveragingAggregationTuple> sums = results.mapPartitions(PartitionOrderSum::sumResults, true);
        int partitions = sums.getNumPartitions();
        int fanIn = Math.max((int) Math.ceil(Math.pow(partitions, 1.0 / depth)), 2);
        // Spark's treeAggregate rule: another level only while it cuts what reaches the driver
        while (partitions > fanIn + Math.ceil(partitions / (double) fanIn)) {
            sums = sumConsecutive(sums, fanIn);
            partitions = sums.getNumPartitions();
        }
        InOrder driverSum = new InOrder();
        sums.context().runJob(sums.rdd(), new SumPartition(), driverSum,
                ClassTag$.MODULE$.apply(ParameterAveragingAggregationTuple.class));
        return driverSum.total();
    }

    /** Groups of {@code fanIn} consecutive partitions, each summed in partition order into one partition. */
    private static JavaRDD<ParameterAveragingAggregationTuple> sumConsecutive(
            JavaRDD<ParameterAveragingAggregationTuple> sums, int fanIn) {
        int groups = (sums.getNumPartitions() + fanIn - 1) / fanIn;
        JavaPairRDD<Integer, ParameterAveragingAggregationTuple> keyed = JavaPairRDD.fromJavaRDD(
                sums.mapPartitionsWithIndex((index, it) -> keyedBy(index, it), true));
        return keyed.repartitionAndSortWithinPartitions(new ConsecutiveGroups(groups, fanIn)).values()
                .mapPartitions(it -> single(combineAll(it)), true);
    }

    private static Iterator<Tuple2<Integer, ParameterAveragingAggregationTuple>> keyedBy(
            Integer index, Iterator<ParameterAveragingAggregationTuple> it) {
        return it.hasNext() ? List.of(new Tuple2<>(index, it.next())).iterator() : Collections.emptyIterator();
    }

    private static Iterator<ParameterAveragingAggregationTuple> sumResults(Iterator<ParameterAveragingTrainingResult> it)
            throws Exception {
        ParameterAveragingElementAddFunction add = new ParameterAveragingElementAddFunction();
        ParameterAveragingAggregationTuple sum = null;
        while (it.hasNext()) {
            sum = add.call(sum, it.next());
        }
        return single(sum);
    }

    private static ParameterAveragingAggregationTuple combineAll(Iterator<ParameterAveragingAggregationTuple> it)
            throws Exception {
        ParameterAveragingElementCombineFunction combine = new ParameterAveragingElementCombineFunction();
        ParameterAveragingAggregationTuple sum = null;
        while (it.hasNext()) {
            sum = combine.call(sum, it.next());
        }
        return sum;
    }

    private static Iterator<ParameterAveragingAggregationTuple> single(ParameterAveragingAggregationTuple sum) {
        return sum == null ? Collections.emptyIterator() : List.of(sum).iterator();
    }

    /** Partition p goes to group p / fanIn: consecutive partitions together, in order after the sort by key. */
    private static final class ConsecutiveGroups extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final int groups;
        private final int fanIn;

        ConsecutiveGroups(int groups, int fanIn) {
            this.groups = groups;
            this.fanIn = fanIn;
        }

        @Override
        public int numPartitions() {
            return groups;
        }

        @Override
        public int getPartition(Object key) {
            return (Integer) key / fanIn;
        }
    }

    /** A partition's sum on the executor (null for an empty partition). */
    private static final class SumPartition
            extends AbstractFunction1<scala.collection.Iterator<ParameterAveragingAggregationTuple>,
            ParameterAveragingAggregationTuple> implements Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public ParameterAveragingAggregationTuple apply(scala.collection.Iterator<ParameterAveragingAggregationTuple> it) {
            try {
                return combineAll(scala.collection.JavaConverters.asJavaIterator(it));
            } catch (Exception e) {
                throw new IllegalStateException("summing a partition's training results", e);
            }
        }
    }

    /**
     * Adds the partitions' sums on the driver in partition order as they arrive: a sum that comes early waits
     * until the ones before it are added.
     */
    private static final class InOrder
            extends AbstractFunction2<Object, ParameterAveragingAggregationTuple, BoxedUnit> {
        private final TreeMap<Integer, ParameterAveragingAggregationTuple> waiting = new TreeMap<>();
        private final ParameterAveragingElementCombineFunction combine = new ParameterAveragingElementCombineFunction();
        private int next;
        private ParameterAveragingAggregationTuple total;

        @Override
        public BoxedUnit apply(Object partition, ParameterAveragingAggregationTuple sum) {
            // a null stands for an empty partition; TreeMap takes no null values, so it waits as a marker
            waiting.put((Integer) partition, sum == null ? EMPTY : sum);
            while (!waiting.isEmpty() && waiting.firstKey() == next) {
                ParameterAveragingAggregationTuple ready = waiting.pollFirstEntry().getValue();
                if (ready != EMPTY) {
                    try {
                        total = combine.call(total, ready);
                    } catch (Exception e) {
                        throw new IllegalStateException("summing the workers' training results", e);
                    }
                }
                next++;
            }
            return BoxedUnit.UNIT;
        }

        ParameterAveragingAggregationTuple total() {
            if (!waiting.isEmpty()) {
                throw new IllegalStateException("partitions " + waiting.keySet() + " arrived, " + next + " is missing");
            }
            return total;
        }

        private static final ParameterAveragingAggregationTuple EMPTY =
                new ParameterAveragingAggregationTuple(null, null, 0, 0, null, null, null, null);
    }
}
