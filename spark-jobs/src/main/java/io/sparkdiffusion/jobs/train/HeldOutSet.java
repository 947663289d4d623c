package io.sparkdiffusion.jobs.train;

import io.sparkdiffusion.data.LabeledImage;
import io.sparkdiffusion.data.PreparedColumns;
import io.sparkdiffusion.data.PreparedManifest;
import io.sparkdiffusion.jobs.io.PreparedShards;
import io.sparkdiffusion.train.TrainingBatchMaker;
import io.sparkdiffusion.image.ImageShape;
import io.sparkdiffusion.image.Pixels;
import io.sparkdiffusion.image.Uint8Image;
import io.sparkdiffusion.runtime.NativeArrays;
import io.sparkdiffusion.runtime.NativeRuntime;
import io.sparkdiffusion.train.HeldOutLoss;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The validation loss of TrainJob ({@link HeldOutLoss}), computed where the held-out images are: on the executors.
 *
 * <p>The set is the first N images (in id order) of the data's validation split, cut into {@link HeldOutLoss#BATCH}
 * consecutive images per batch and cached on the executors. Each evaluation broadcasts the weights once; every
 * task scores its batches and sends back one number per batch; the driver adds them up in batch order. So the
 * number is the same for the same weights whatever the worker count and partitioning.
 */
public final class HeldOutSet {
    private final JavaSparkContext sc;
    private final JavaRDD<Batch> batches;
    private final HeldOutLoss loss;

    private HeldOutSet(JavaSparkContext sc, JavaRDD<Batch> batches, HeldOutLoss loss) {
        this.sc = sc;
        this.batches = batches;
        this.loss = loss;
    }

    /** A batch of consecutive held-out images: their positions in the set, labels and uint8 pixels. */
    record Batch(int index, int[] positions, int[] labels, List<byte[]> pixels) implements Serializable {
    }

    /** The weights of one evaluation, as they travel to the executors. */
    record Weights(String configurationJson, float[] params) implements Serializable {
    }

    /**
     * Caches up to {@code images} images of the validation split on {@code partitions} partitions.
     *
     * @return empty when the data has no validation split
     */
    public static Optional<HeldOutSet> load(SparkSession spark, String dataDir, PreparedManifest manifest,
                                            TrainSettings.Validation settings, TrainingBatchMaker batchMaker,
                                            int partitions) {
        Dataset<Row> rows = PreparedShards.images(spark, dataDir, manifest, PreparedColumns.VALIDATION)
                .orderBy(PreparedColumns.ID)
                .limit(settings.images());
        int count = Math.toIntExact(rows.count());
        if (count == 0) {
            return Optional.empty();
        }
        JavaRDD<Batch> batches = rows.javaRDD()
                .zipWithIndex()
                .mapToPair(row -> new Tuple2<>(Math.toIntExact(row._2() / HeldOutLoss.BATCH),
                        new Tuple2<>(Math.toIntExact(row._2()), PreparedShards.image(row._1()))))
                .groupByKey(new HashPartitioner(partitions))
                .map(HeldOutSet::batch)
                .persist(StorageLevel.MEMORY_AND_DISK_SER());
        return Optional.of(new HeldOutSet(JavaSparkContext.fromSparkContext(spark.sparkContext()), batches,
                new HeldOutLoss(batchMaker, count, settings.seed())));
    }

    private static Batch batch(Tuple2<Integer, Iterable<Tuple2<Integer, LabeledImage>>> group) {
        List<Tuple2<Integer, LabeledImage>> images = new ArrayList<>();
        group._2().forEach(images::add);
        images.sort(Comparator.comparingInt(Tuple2::_1));
        int[] positions = new int[images.size()];
        int[] labels = new int[images.size()];
        List<byte[]> pixels = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            positions[i] = images.get(i)._1();
            labels[i] = images.get(i)._2().label();
            pixels.add(images.get(i)._2().pixels());
        }
        return new Batch(group._1(), positions, labels, pixels);
    }

    public int images() {
        return loss.images();
    }

    /** The mean validation loss of these weights (the network itself is not changed). */
    public double evaluate(ComputationGraph network, ImageShape shape) {
        // without the iteration and epoch counts, which change every round: the executors' networks are rebuilt
        // only when the architecture changes
        ComputationGraphConfiguration architecture = network.getConfiguration().clone();
        architecture.setIterationCount(0);
        architecture.setEpochCount(0);
        Broadcast<Weights> weights = sc.broadcast(new Weights(architecture.toJson(), network.params().toFloatVector()));
        try {
            HeldOutLoss heldOut = loss;
            List<Tuple2<Integer, Double>> sums = batches.mapPartitions(
                    (Iterator<Batch> it) -> scoreBatches(it, weights.value(), heldOut, shape)).collect();
            List<Tuple2<Integer, Double>> ordered = new ArrayList<>(sums);
            ordered.sort(Comparator.comparingInt(Tuple2::_1));
            double total = 0;
            for (Tuple2<Integer, Double> sum : ordered) {
                total += sum._2();
            }
            return total / loss.images();
        } finally {
            weights.destroy();
        }
    }

    private static Iterator<Tuple2<Integer, Double>> scoreBatches(Iterator<Batch> batches, Weights weights,
                                                                  HeldOutLoss loss, ImageShape shape) {
        List<Tuple2<Integer, Double>> out = new ArrayList<>();
        if (!batches.hasNext()) {
            return out.iterator();
        }
        ComputationGraph network = NetworkPool.borrow(weights); // loads ND4J in a new executor JVM
        NativeRuntime.useConfiguredOmpThreads(); // the same loss on any executor thread (see WorkerThreadsHook)
        try {
            while (batches.hasNext()) {
                Batch batch = batches.next();
                List<Uint8Image> images = new ArrayList<>(batch.pixels().size());
                for (byte[] pixels : batch.pixels()) {
                    images.add(new Uint8Image(shape, pixels));
                }
                INDArray x0 = Pixels.toBatch(images);
                double sum = HeldOutLoss.sumOfImageLosses(network, loss.batch(x0, batch.labels(), batch.positions()));
                NativeArrays.free(x0);
                out.add(new Tuple2<>(batch.index(), sum));
            }
        } finally {
            NetworkPool.giveBack(weights, network);
        }
        return out.iterator();
    }

    public void release() {
        batches.unpersist(false);
    }

    /**
     * The validation networks of one executor JVM: built once per configuration, one per concurrent task (a DL4J
     * network is not safe to share between threads), given the weights of each evaluation.
     */
    private static final class NetworkPool {
        private static String configuration;
        private static final ConcurrentLinkedQueue<ComputationGraph> IDLE = new ConcurrentLinkedQueue<>();

        static synchronized ComputationGraph borrow(Weights weights) {
            if (!weights.configurationJson().equals(configuration)) {
                IDLE.clear();
                configuration = weights.configurationJson();
            }
            ComputationGraph network = IDLE.poll();
            if (network == null) {
                NativeRuntime.init();
                network = new ComputationGraph(ComputationGraphConfiguration.fromJson(configuration));
                network.init();
            }
            network.params().assign(Nd4j.createFromArray(weights.params()).reshape(network.params().shape()));
            return network;
        }

        static synchronized void giveBack(Weights weights, ComputationGraph network) {
            if (weights.configurationJson().equals(configuration)) {
                IDLE.add(network);
            }
        }
    }
}
