package io.sparkdiffusion.jobs.train;

import io.sparkdiffusion.data.LabeledImage;
import io.sparkdiffusion.train.TrainingBatchMaker;
import io.sparkdiffusion.image.ImageShape;
import io.sparkdiffusion.image.Pixels;
import io.sparkdiffusion.image.Uint8Image;
import io.sparkdiffusion.runtime.NativeArrays;
import io.sparkdiffusion.train.TrainingOrder;
import org.apache.spark.api.java.function.Function2;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Makes one averaging round's minibatches on each executor: batches {@code [round·F, (round+1)·F)} of the
 * partition's epoch order, each with fresh timesteps and noise from {@code TrainingOrder.batchSeed}. Nothing
 * random depends on where or how often this runs, so a retried task makes the same batches.
 */
final class RoundBatches implements Function2<Integer, Iterator<LabeledImage>, Iterator<MultiDataSet>> {
    private static final long serialVersionUID = 1L;

    private final TrainingBatchMaker batchMaker;
    private final ImageShape shape;
    private final long runSeed;
    private final int epoch;
    private final int round;
    private final int batchSize;
    private final int averagingFrequency;

    RoundBatches(TrainingBatchMaker batchMaker, ImageShape shape, long runSeed, int epoch, int round, int batchSize,
                 int averagingFrequency) {
        this.batchMaker = batchMaker;
        this.shape = shape;
        this.runSeed = runSeed;
        this.epoch = epoch;
        this.round = round;
        this.batchSize = batchSize;
        this.averagingFrequency = averagingFrequency;
    }

    @Override
    public Iterator<MultiDataSet> call(Integer partition, Iterator<LabeledImage> rows) {
        List<LabeledImage> images = new ArrayList<>();
        rows.forEachRemaining(images::add);
        int[] order = TrainingOrder.epochOrder(images.size(), runSeed, epoch, partition);
        int batches = TrainingOrder.batchesPerEpoch(images.size(), batchSize);
        List<MultiDataSet> out = new ArrayList<>(averagingFrequency);
        for (int b = round * averagingFrequency; b < Math.min(batches, (round + 1) * averagingFrequency); b++) {
            int start = b * batchSize;
            int end = Math.min(images.size(), start + batchSize);
            List<Uint8Image> batch = new ArrayList<>(end - start);
            int[] labels = new int[end - start];
            for (int k = start; k < end; k++) {
                LabeledImage image = images.get(order[k]);
                batch.add(new Uint8Image(shape, image.pixels()));
                labels[k - start] = image.label();
            }
            INDArray x0 = Pixels.toBatch(batch);
            out.add(batchMaker.make(x0, labels, TrainingOrder.batchSeed(runSeed, epoch, partition, b)));
            NativeArrays.free(x0); // dead once the batch is made (whose new arrays DL4J's worker leaves to the collector)
        }
        return out.iterator();
    }
}
