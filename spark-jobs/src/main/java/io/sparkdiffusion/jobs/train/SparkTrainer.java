package io.sparkdiffusion.jobs.train;

import io.sparkdiffusion.checkpoint.CheckpointInfo;
import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.train.TrainingBatchMaker;
import io.sparkdiffusion.image.ImageShape;
import io.sparkdiffusion.model.UNetSpec;
import io.sparkdiffusion.train.Ema;
import io.sparkdiffusion.train.ProgressMeter;
import io.sparkdiffusion.train.OuterOptimizer;
import io.sparkdiffusion.train.TrainingOrder;
import io.sparkdiffusion.train.TrainingRun;
import io.sparkdiffusion.runtime.NativeArrays;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The training loop of TrainJob: one {@code fitMultiDataSet} call per averaging round, so the driver sees
 * every averaged model. After each round it takes the outer optimizer's step ({@link OuterOptimizer}), updates
 * the EMA, logs progress and metrics (with the round's communication figures, and every
 * {@code validation.every-rounds} rounds the validation loss); checkpoints, the loss curve and sample grids are the
 * {@link TrainingRun}'s, at the ends of epochs and of the run.
 *
 * <p>A round hands each worker the next {@code averaging-frequency} minibatches of its partition (see
 * {@link RoundBatches}), so one call is exactly one averaging split of DL4J's training master; with
 * {@code Repartition.Never} the data stays where it is.
 */
public final class SparkTrainer {
    /** Trainer-state keys in checkpoint.json: the position to continue from. */
    static final String EPOCH_ROUND = "roundInEpoch";
    static final String OUTER_OPTIMIZER = "outerOptimizer";

    private final JavaSparkContext sc;
    private final TrainSettings settings;
    private final PreparedData data;
    private final UNetSpec spec;
    private final TrainingRun run;
    private final int workers;
    private final HeldOutSet heldOut; // null: no validation loss

    public SparkTrainer(JavaSparkContext sc, TrainSettings settings, PreparedData data, HeldOutSet heldOut,
                        UNetSpec spec, TrainingRun run, int workers) {
        this.sc = sc;
        this.settings = settings;
        this.data = data;
        this.spec = spec;
        this.run = run;
        this.workers = workers;
        this.heldOut = heldOut;
    }

    /** Where a run starts: a new network, or a checkpoint's network, EMA, outer optimizer state and position. */
    public record Start(ComputationGraph network, Ema ema, OuterOptimizer outer, long step, int epoch,
                        int roundInEpoch) {
    }

    public void run(Start start) throws IOException {
        IterationCounterHook iterationCounter = new IterationCounterHook();
        LongAccumulator workerStepNanos = sc.sc().longAccumulator("worker step time");
        ParameterAveragingTrainingMaster master = new OrderedAveragingMaster(new ParameterAveragingTrainingMaster.Builder(
                workers, settings.batchSize())
                .batchSizePerWorker(settings.batchSize())
                .averagingFrequency(settings.averagingFrequency())
                // no prefetch: a round's batches are in memory already, and DL4J's prefetching iterator reuses a
                // buffer that overwrites batches still in training once they are a few MB (64 px colour at batch
                // 64: a different loss on every run, NaN on some)
                .workerPrefetchNumBatches(0)
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .repartionData(Repartition.Never)
                .saveUpdater(settings.averageUpdaterState())
                .aggregationDepth(settings.aggregationDepth())
                .rngSeed(settings.seed())
                .trainingHooks(new WorkerThreadsHook(), iterationCounter, new StepTimeHook(workerStepNanos)));
        SparkComputationGraph sparkNet = new SparkComputationGraph(sc, start.network(), master);
        TrainingBatchMaker batchMaker = new TrainingBatchMaker(spec, settings.schedule(), settings.labelDropout());
        ImageShape shape = data.manifest().shape();
        Ema ema = start.ema();
        OuterOptimizer outer = start.outer();
        ComputationGraph network = sparkNet.getNetwork();
        long bytesPerWorker = bytesPerWorker(network);
        int[] sizes = data.partitionSizes();
        int maxBatches = 0;
        for (int size : sizes) {
            maxBatches = Math.max(maxBatches, TrainingOrder.batchesPerEpoch(size, settings.batchSize()));
        }
        int roundsPerEpoch = (maxBatches + settings.averagingFrequency() - 1) / settings.averagingFrequency();
        if (start.roundInEpoch() >= roundsPerEpoch) {
            // Resumption.checkPosition refuses the layouts that lead here; this catches what it cannot see (a
            // checkpoint of an older build): with no round left the loop would never end
            throw new InputError("cannot resume at round " + start.roundInEpoch() + " of epoch " + start.epoch()
                    + ": with these settings an epoch has " + roundsPerEpoch + (roundsPerEpoch == 1 ? " round" : " rounds")
                    + "; resume with the worker count, batch size and averaging frequency the run stopped with");
        }
        long maxSteps = settings.maxSteps() > 0 ? settings.maxSteps()
                : start.step() + (long) (settings.epochs() - start.epoch()) * maxBatches - (long) start.roundInEpoch()
                * settings.averagingFrequency();
        ProgressMeter progress = new ProgressMeter(start.step(), maxSteps);
        System.out.printf("train: %d images in %d partitions, %d rounds of %d x %d x %d per epoch; outer step %s; "
                        + "%.1f MB to and from each worker per round%n", data.count(), workers, roundsPerEpoch, workers,
                settings.averagingFrequency(), settings.batchSize(), outer.describe(), bytesPerWorker / 1e6);
        if (heldOut != null && start.step() == 0) {
            run.addMetrics(validationRow(network, 0, 0, new LinkedHashMap<>()));
        }

        long step = start.step();
        int epoch = start.epoch();
        int round = start.roundInEpoch();
        while (epoch < settings.epochs() && (settings.maxSteps() <= 0 || step < settings.maxSteps())) {
            JavaRDD<MultiDataSet> batches = data.images().mapPartitionsWithIndex(new RoundBatches(batchMaker, shape,
                    settings.seed(), epoch, round, settings.batchSize(), settings.averagingFrequency()), true);
            iterationCounter.startRound(step, epoch);
            workerStepNanos.reset();
            INDArray before = outer.kind() == OuterOptimizer.Kind.AVERAGE ? null : network.params().dup();
            long roundStart = System.nanoTime();
            sparkNet.fitMultiDataSet(batches);
            long fitted = System.nanoTime();
            batches.unpersist(false); // the training master persisted it for this round only
            int stepsThisRound = Math.min(settings.averagingFrequency(), maxBatches - round * settings.averagingFrequency());
            step += stepsThisRound;
            // the master adds averaging-frequency steps per round; a short last round adds fewer
            network.getConfiguration().setIterationCount(Math.toIntExact(step));
            network.getConfiguration().setEpochCount(epoch);
            if (before != null) {
                outer.step(before, network.params());
                NativeArrays.free(before);
            }
            ema.update(network.params());
            long updated = System.nanoTime();
            progress.record(sparkNet.getScore(), imagesInRound(sizes, round));
            Map<String, Object> row = progress.row(step, epoch, network.getLearningRate("time_mlp1"));
            row.put("round_s", (updated - roundStart) / 1e9);
            row.put("worker_steps_s", workerStepNanos.value() / 1e9);
            row.put("driver_update_ms", (updated - fitted) / 1e6);
            row.put("bytes_per_worker", bytesPerWorker);
            if (!Double.isFinite(sparkNet.getScore())) {
                throw run.diverged(row, sparkNet.getScore(), step, "train.learning-rate", "train.gradient-clip");
            }
            round++;
            boolean lastRound = (round == roundsPerEpoch && epoch + 1 == settings.epochs())
                    || (settings.maxSteps() > 0 && step >= settings.maxSteps());
            // counted from the run's start, so a resumed run validates at the same rounds as an uninterrupted one
            long roundsDone = (long) epoch * roundsPerEpoch + round;
            if (heldOut != null && (roundsDone % settings.validation().everyRounds() == 0 || lastRound)) {
                validationRow(network, step, epoch, row);
            }
            run.addMetrics(row);
            System.out.println("train: " + progress.line(step, epoch) + "  round " + round + "/" + roundsPerEpoch
                    + (row.containsKey("val_loss") ? String.format("  val_loss %.5f", (double) row.get("val_loss")) : ""));
            if (round == roundsPerEpoch) {
                round = 0;
                epoch++;
                run.afterEpoch(epoch, step, snapshot(network, ema, outer, step, epoch, round, progress));
            }
        }
        run.finish(step, snapshot(network, ema, outer, step, epoch, round, progress));
    }

    /** Adds the validation loss of the network's current weights, and the time it took, to a metrics row. */
    private Map<String, Object> validationRow(ComputationGraph network, long step, int epoch, Map<String, Object> row) {
        long started = System.nanoTime();
        double loss = heldOut.evaluate(network, data.manifest().shape());
        row.putIfAbsent("step", step);
        row.putIfAbsent("epoch", epoch);
        row.put("val_loss", loss);
        row.put("val_s", (System.nanoTime() - started) / 1e9);
        return row;
    }

    /**
     * What one round moves per worker: the parameters and Adam's state out (one broadcast), and the parameters,
     * with the state when it is averaged, back; as float32.
     */
    private long bytesPerWorker(ComputationGraph network) {
        long params = network.numParams();
        long updater = network.getUpdater().getStateViewArray() == null ? 0
                : network.getUpdater().getStateViewArray().length();
        return Float.BYTES * (params + updater + params + (settings.averageUpdaterState() ? updater : 0));
    }

    /** Images trained in round r of an epoch, summed over the partitions. */
    private int imagesInRound(int[] sizes, int round) {
        int images = 0;
        int from = round * settings.averagingFrequency() * settings.batchSize();
        int to = (round + 1) * settings.averagingFrequency() * settings.batchSize();
        for (int size : sizes) {
            images += Math.max(0, Math.min(size, to) - from);
        }
        return images;
    }

    /** A checkpoint of this position, with the outer optimizer's momentum and the data manifest; made when due. */
    private java.util.function.Supplier<TrainingRun.Snapshot> snapshot(ComputationGraph network, Ema ema,
            OuterOptimizer outer, long step, int epoch, int round, ProgressMeter progress) {
        return () -> new TrainingRun.Snapshot(CheckpointInfo.of(step, epoch, settings.schedule(), spec,
                        data.manifest().shape(), data.manifest().classNames())
                .withRunSeed(settings.seed())
                .withTrainerState(trainerState(round, outer))
                .withDataManifest(CheckpointInfo.json().valueToTree(data.manifest()))
                .withMetrics(Map.of("loss", progress.recentLoss()))
                .withEma(ema.settings().maxDecay(), ema.step()), network, ema.params(), outer.velocity());
    }

    /** The position to continue from, the outer optimizer, and the settings a resume checks. */
    private Map<String, Object> trainerState(int round, OuterOptimizer outer) {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put(EPOCH_ROUND, round);
        state.put(OUTER_OPTIMIZER, outer.kind().key());
        state.putAll(Resumption.recordedSettings(settings, workers));
        return state;
    }
}
