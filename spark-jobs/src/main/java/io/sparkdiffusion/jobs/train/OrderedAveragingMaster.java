package io.sparkdiffusion.jobs.train;

import org.apache.spark.api.java.JavaRDD;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingResult;
import org.deeplearning4j.spark.impl.paramavg.aggregator.ParameterAveragingAggregationTuple;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's parameter averaging with the workers' results summed in partition order ({@link PartitionOrderSum}), so
 * that a round's average is the same bits in every run and on every cluster layout. Everything else (the workers,
 * the broadcast, what is averaged) is DL4J's; like DL4J, it adds {@code averagingFrequency} to the iteration count.
 */
final class OrderedAveragingMaster extends ParameterAveragingTrainingMaster {
    OrderedAveragingMaster(Builder builder) {
        super(builder);
    }

    @Override
    protected void processResults(SparkDl4jMultiLayer network, SparkComputationGraph graph,
                                  JavaRDD<ParameterAveragingTrainingResult> results, int splitNum, int totalSplits) {
        if (network != null) {
            throw new UnsupportedOperationException("TrainJob trains computation graphs only");
        }
        ParameterAveragingAggregationTuple sum = PartitionOrderSum.of(results, aggregationDepth);
        if (sum == null || sum.getParametersSum() == null) {
            return; // no worker had data this round (DL4J skips such a split too)
        }
        int workers = sum.getAggregationsCount();
        ComputationGraph net = graph.getNetwork();
        net.setParams(sum.getParametersSum().divi(workers));
        INDArray updaterState = sum.getUpdaterStateSum();
        if (updaterState != null) {
            net.getUpdater().setStateViewArray(updaterState.divi(workers));
        }
        graph.setScore(sum.getScoreSum() / workers);
        net.getConfiguration().setIterationCount(net.getConfiguration().getIterationCount() + averagingFrequency);
    }
}
