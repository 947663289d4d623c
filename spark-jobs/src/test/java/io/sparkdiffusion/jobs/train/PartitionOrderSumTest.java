package io.sparkdiffusion.jobs.train;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingResult;
import org.deeplearning4j.spark.impl.paramavg.aggregator.ParameterAveragingAggregationTuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class PartitionOrderSumTest {
    private static final int PARTITIONS = 24;
    private static final int LENGTH = 64;
    /** Partitions whose worker had no data this round. */
    private static final List<Integer> EMPTY = List.of(5, 17);

    static SparkSession spark;
    static JavaSparkContext sc;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder().master("local[2]").appName("partition-order-sum-test")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").getOrCreate();
        sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @Test
    void withoutATreeTheSumIsTheSequentialSumInPartitionOrderWhateverOrderTheTasksFinishIn() {
        float[] params = new float[LENGTH];
        float[] state = new float[2 * LENGTH];
        double score = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            if (!EMPTY.contains(p)) {
                addInto(params, values(p, LENGTH, 0));
                addInto(state, values(p, 2 * LENGTH, 1));
                score += score(p);
            }
        }
        for (int run = 0; run < 3; run++) {
            ParameterAveragingAggregationTuple sum = PartitionOrderSum.of(results(run), 1);
            assertEquals(PARTITIONS - EMPTY.size(), sum.getAggregationsCount());
            assertArrayEquals(params, sum.getParametersSum().toFloatVector(), "parameters, run " + run);
            assertArrayEquals(state, sum.getUpdaterStateSum().toFloatVector(), "updater state, run " + run);
            assertEquals(score, sum.getScoreSum(), 0.0, "score, run " + run);
        }
    }

    @Test
    void withATreeOnExecutorsTheSumIsTheSameBitsInEveryRun() {
        for (int depth : new int[] {2, 3}) {
            ParameterAveragingAggregationTuple first = PartitionOrderSum.of(results(0), depth);
            float[] flat = PartitionOrderSum.of(results(0), 1).getParametersSum().toFloatVector();
            float[] params = first.getParametersSum().toFloatVector();
            for (int i = 0; i < LENGTH; i++) {
                assertEquals(flat[i], params[i], 1e-4 * Math.abs(flat[i]), "the same sum, grouped, at " + i);
            }
            for (int run = 1; run < 4; run++) {
                ParameterAveragingAggregationTuple again = PartitionOrderSum.of(results(run), depth);
                assertEquals(PARTITIONS - EMPTY.size(), again.getAggregationsCount());
                assertArrayEquals(params, again.getParametersSum().toFloatVector(), "depth " + depth + ", run " + run);
                assertArrayEquals(first.getUpdaterStateSum().toFloatVector(),
                        again.getUpdaterStateSum().toFloatVector());
                assertEquals(first.getScoreSum(), again.getScoreSum(), 0.0);
            }
        }
    }

    /**
     * One result per partition, with values of very different magnitudes (so the order of the additions shows in
     * the bits), and a delay per task that differs from run to run (so the tasks finish in another order).
     */
    private static JavaRDD<ParameterAveragingTrainingResult> results(int run) {
        List<Integer> delays = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            delays.add(p % 6 * 15);
        }
        Collections.shuffle(delays, new Random(run));
        return sc.parallelize(delays, PARTITIONS).mapPartitionsWithIndex((p, it) -> {
            Thread.sleep(it.next());
            if (EMPTY.contains(p)) {
                return Collections.emptyIterator();
            }
            return List.of(new ParameterAveragingTrainingResult(Nd4j.createFromArray(values(p, LENGTH, 0)),
                    Nd4j.createFromArray(values(p, 2 * LENGTH, 1)), score(p), null, null, null)).iterator();
        }, true);
    }

    private static float[] values(int partition, int length, int stream) {
        SplittableRandom random = new SplittableRandom(31L * partition + stream);
        float[] values = new float[length];
        for (int i = 0; i < length; i++) {
            values[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(-3, 4)));
        }
        return values;
    }

    private static double score(int partition) {
        return 1.0 / (partition + 3);
    }

    private static void addInto(float[] sum, float[] values) {
        for (int i = 0; i < sum.length; i++) {
            sum[i] += values[i];
        }
    }
}
