package io.sparkdiffusion.jobs;

import io.sparkdiffusion.train.TrainingBatchMaker;
import io.sparkdiffusion.model.UNetBuilder;
import io.sparkdiffusion.model.UNetSpec;
import io.sparkdiffusion.runtime.NativeRuntime;
import io.sparkdiffusion.schedule.ScheduleSpec;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The build's version pins (DL4J 1.0.0-M2 on Spark 3.5.9 / Scala 2.12.18 / Java 17, the parent pom) hold: the
 * U-Net with our native custom layers trains under DL4J's parameter averaging on local Spark.
 */
class SparkParameterAveragingSmokeTest {

    @Test
    void unetTrainsWithParameterAveragingOnLocalSpark() {
        System.setProperty("org.deeplearning4j.spark.time.TimeSource",
                "org.deeplearning4j.spark.time.SystemClockTimeSource");
        NativeRuntime.init();
        UNetSpec spec = new UNetSpec(1, 8, 8, List.of(1, 2), 1, 4, 16, 2, false, UNetSpec.Prediction.EPSILON);
        ComputationGraph net = UNetBuilder.network(spec, new Adam(1e-3), 1);
        INDArray before = net.params().dup();

        TrainingBatchMaker maker = new TrainingBatchMaker(spec, ScheduleSpec.linear(100), 0.1);
        List<MultiDataSet> batches = new ArrayList<>();
        for (int b = 0; b < 8; b++) {
            INDArray x0 = Nd4j.rand(DataType.FLOAT, 4, 1, 8, 8).muli(2).subi(1);
            batches.add(maker.make(x0, new int[] {0, 1, 0, 1}, b));
        }

        SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("smoke")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1");
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            JavaRDD<MultiDataSet> rdd = sc.parallelize(batches, 2);
            ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(4)
                    .batchSizePerWorker(4).averagingFrequency(2).workerPrefetchNumBatches(0)
                    .rddTrainingApproach(RDDTrainingApproach.Direct).saveUpdater(true).build();
            SparkComputationGraph sparkNet = new SparkComputationGraph(sc, net, master);
            ComputationGraph trained = sparkNet.fitMultiDataSet(rdd);
            assertNotEquals(before, trained.params(), "parameter averaging should have changed the weights");
            assertTrue(Double.isFinite(sparkNet.getScore()), "score " + sparkNet.getScore());
        }
    }
}
