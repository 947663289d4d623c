package io.sparkdiffusion.jobs.train;

import io.sparkdiffusion.checkpoint.CheckpointInfo;
import io.sparkdiffusion.checkpoint.CheckpointStore;
import io.sparkdiffusion.diffusion.TrainingBatchMaker;
import io.sparkdiffusion.image.ImageShape;
import io.sparkdiffusion.model.UNetSpec;
import io.sparkdiffusion.sampling.GridSampler;
import io.sparkdiffusion.train.Ema;
import io.sparkdiffusion.train.MetricsLog;
import io.sparkdiffusion.train.ProgressMeter;
import io.sparkdiffusion.train.TrainingOrder;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.IOException;
import java.util.Map;

/**
 * The training loop of TrainJob: one {@code fitMultiDataSet} call per averaging round, so the driver sees
 * every averaged model. After each round it updates the EMA, logs progress and metrics; after every
 * {@code checkpoint-every-epochs} epochs (and at the end) it checkpoints, and it writes sample grids.
 *
 * <p>A round hands each worker the next {@code averaging-frequency} minibatches of its partition (see
 * {@link RoundBatches}), so one call is exactly one averaging split of DL4J's training master; with
 * {@code Repartition.Never} the data stays where it is.
 */
public final class SparkTrainer {
    /** Trainer-state keys in checkpoint.json: the position to continue from. */
    static final String EPOCH_ROUND = "roundInEpoch";

    private final JavaSparkContext sc;
    private final TrainSettings settings;
    private final PreparedData data;
    private final UNetSpec spec;
    private final CheckpointStore store;
    private final FileSystem fs;
    private final int workers;

    public SparkTrainer(JavaSparkContext sc, TrainSettings settings, PreparedData data, UNetSpec spec,
                        CheckpointStore store, FileSystem fs, int workers) {
        this.sc = sc;
        this.settings = settings;
        this.data = data;
        this.spec = spec;
        this.store = store;
        this.fs = fs;
        this.workers = workers;
    }

    /** Where a run starts: a new network, or a checkpoint's network, EMA and position. */
    public record Start(ComputationGraph network, Ema ema, long step, int epoch, int roundInEpoch) {
    }

    public void run(Start start) throws IOException {
        IterationCounterHook iterationCounter = new IterationCounterHook();
        ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(workers,
                settings.batchSize())
                .batchSizePerWorker(settings.batchSize())
                .averagingFrequency(settings.averagingFrequency())
                .workerPrefetchNumBatches(settings.prefetch())
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .repartionData(Repartition.Never)
                .saveUpdater(true)
                .rngSeed(settings.seed())
                .trainingHooks(iterationCounter)
                .build();
        SparkComputationGraph sparkNet = new SparkComputationGraph(sc, start.network(), master);
        TrainingBatchMaker batchMaker = new TrainingBatchMaker(spec, settings.schedule(), settings.labelDropout());
        ImageShape shape = data.manifest().shape();
        Ema ema = start.ema();
        int[] sizes = data.partitionSizes();
        int maxBatches = 0;
        for (int size : sizes) {
            maxBatches = Math.max(maxBatches, TrainingOrder.batchesPerEpoch(size, settings.batchSize()));
        }
        int roundsPerEpoch = (maxBatches + settings.averagingFrequency() - 1) / settings.averagingFrequency();
        long maxSteps = settings.maxSteps() > 0 ? settings.maxSteps()
                : start.step() + (long) (settings.epochs() - start.epoch()) * maxBatches - (long) start.roundInEpoch()
                * settings.averagingFrequency();
        MetricsLog metrics = MetricsLog.open(fs, store.runDir(), start.step());
        ProgressMeter progress = new ProgressMeter(start.step(), maxSteps);
        System.out.printf("train: %d images in %d partitions, %d rounds of %d x %d x %d per epoch%n", data.count(),
                workers, roundsPerEpoch, workers, settings.averagingFrequency(), settings.batchSize());

        long step = start.step();
        int epoch = start.epoch();
        int round = start.roundInEpoch();
        while (epoch < settings.epochs() && (settings.maxSteps() <= 0 || step < settings.maxSteps())) {
            JavaRDD<MultiDataSet> batches = data.images().mapPartitionsWithIndex(new RoundBatches(batchMaker, shape,
                    settings.seed(), epoch, round, settings.batchSize(), settings.averagingFrequency()), true);
            iterationCounter.startRound(step, epoch);
            sparkNet.fitMultiDataSet(batches);
            batches.unpersist(false); // the training master persisted it for this round only
            int stepsThisRound = Math.min(settings.averagingFrequency(), maxBatches - round * settings.averagingFrequency());
            step += stepsThisRound;
            // the master adds averaging-frequency steps per round; a short last round adds fewer
            sparkNet.getNetwork().getConfiguration().setIterationCount(Math.toIntExact(step));
            sparkNet.getNetwork().getConfiguration().setEpochCount(epoch);
            ema.update(sparkNet.getNetwork().params());
            progress.record(sparkNet.getScore(), imagesInRound(sizes, round));
            metrics.add(progress.row(step, epoch, sparkNet.getNetwork().getLearningRate("time_mlp1")));
            System.out.println("train: " + progress.line(step, epoch) + "  round " + (round + 1) + "/" + roundsPerEpoch);
            round++;
            if (round == roundsPerEpoch) {
                round = 0;
                epoch++;
                boolean last = epoch == settings.epochs();
                if (epoch % settings.checkpointEveryEpochs() == 0 && !last) {
                    checkpoint(sparkNet.getNetwork(), ema, step, epoch, round, progress, metrics);
                }
                if (settings.sampleEveryEpochs() > 0 && epoch % settings.sampleEveryEpochs() == 0) {
                    writeSampleGrid(sparkNet.getNetwork(), ema, step);
                }
            }
        }
        checkpoint(sparkNet.getNetwork(), ema, step, epoch, round, progress, metrics);
        System.out.println("train: done at step " + step + "; checkpoint " + store.latest().map(r -> r.dir().toString()).orElse("?"));
        System.out.println("train: loss curve " + new Path(store.runDir(), MetricsLog.LOSS_CURVE) + ", metrics "
                + new Path(store.runDir(), MetricsLog.FILE));
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

    private void checkpoint(ComputationGraph network, Ema ema, long step, int epoch, int round, ProgressMeter progress,
                            MetricsLog metrics) throws IOException {
        CheckpointInfo info = CheckpointInfo.of(step, epoch, settings.schedule(), spec, data.manifest().shape(),
                        data.manifest().classNames())
                .withRunSeed(settings.seed())
                .withTrainerState(Map.of(EPOCH_ROUND, round))
                .withDataManifest(CheckpointInfo.json().valueToTree(data.manifest()))
                .withMetrics(Map.of("loss", progress.recentLoss()))
                .withEma(ema.settings().maxDecay(), ema.step());
        store.save(info, network, ema.params());
        store.keepLast(settings.keepCheckpoints());
        metrics.flush();
        metrics.writeLossCurve("training loss");
        System.out.println("train: checkpoint at step " + step + " (epoch " + epoch + ")");
    }

    private void writeSampleGrid(ComputationGraph network, Ema ema, long step) throws IOException {
        TrainSettings.SampleGrid grid = settings.sample();
        if (grid.count() == 0) {
            return;
        }
        GridSampler sampler = new GridSampler(spec, settings.schedule(), grid.sampler(), grid.steps(), grid.eta(),
                grid.guidance());
        Path path = new Path(new Path(store.runDir(), "samples"), String.format("step-%07d.png", step));
        write(path, sampler.samplePng(network, ema.params(), grid.count(), grid.seed()));
        System.out.println("train: sample grid " + path);
    }

    private void write(Path path, byte[] bytes) throws IOException {
        try (FSDataOutputStream out = fs.create(path, true)) {
            out.write(bytes);
        }
    }
}
