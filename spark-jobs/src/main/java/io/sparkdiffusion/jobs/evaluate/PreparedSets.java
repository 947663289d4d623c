package io.sparkdiffusion.jobs.evaluate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.xxhash64;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.data.LabeledImage;
import io.sparkdiffusion.data.LabeledImages;
import io.sparkdiffusion.data.PreparedColumns;
import io.sparkdiffusion.eval.EvaluationReport;
import io.sparkdiffusion.eval.EvaluationTally;
import io.sparkdiffusion.eval.FloorSubsets;
import io.sparkdiffusion.eval.ImageScorer;
import io.sparkdiffusion.image.ImageShape;
import io.sparkdiffusion.image.Uint8Image;
import io.sparkdiffusion.jobs.io.PreparedShards;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** A PrepareJob output's images as EvaluateJob uses them: scored on the executors, or a bounded subset in the driver. */
final class PreparedSets {
    private PreparedSets() {
    }

    /**
     * The floor positions of the rows' images ({@link FloorSubsets#position}) per bucket: class index + 1, 0 for
     * unlabeled images. Only ids and labels are read; the driver receives one number per image.
     *
     * @param labelMap the data's labels → the classifier's class indices
     */
    static double[][] positions(Dataset<Row> rows, int[] labelMap, int numClasses, long seed) {
        return rows.select(PreparedColumns.ID, PreparedColumns.LABEL).javaRDD().mapPartitions((Iterator<Row> it) -> {
            List<List<Double>> buckets = new ArrayList<>();
            for (int b = 0; b <= numClasses; b++) {
                buckets.add(new ArrayList<>());
            }
            while (it.hasNext()) {
                Row row = it.next();
                int label = row.isNullAt(1) || row.getInt(1) < 0 ? -1 : labelMap[row.getInt(1)];
                buckets.get(label + 1).add(FloorSubsets.position(seed, row.getString(0)));
            }
            return List.<double[][]>of(toArrays(buckets)).iterator();
        }).reduce(PreparedSets::concat);
    }

    static double[][] toArrays(List<List<Double>> buckets) {
        return buckets.stream().map(b -> b.stream().mapToDouble(Double::doubleValue).toArray()).toArray(double[][]::new);
    }

    private static double[][] concat(double[][] a, double[][] b) {
        double[][] out = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            out[i] = java.util.stream.DoubleStream.concat(java.util.Arrays.stream(a[i]), java.util.Arrays.stream(b[i])).toArray();
        }
        return out;
    }

    /**
     * Scores every image of a split on the executors: features into the reference group and the floor subsets,
     * predictions of the classifier and the judges against the labels.
     *
     * @param labelMap the data's labels → the classifier's class indices
     */
    static EvaluationTally score(Dataset<Row> rows, ImageShape shape, int[] labelMap, FloorSubsets floor,
                                 ScorerFactory setup) {
        return rows.javaRDD().mapPartitions((Iterator<Row> it) -> {
            ImageScorer scorer = setup.open();
            while (it.hasNext()) {
                LabeledImage image = PreparedShards.image(it.next());
                int label = image.label() < 0 ? -1 : labelMap[image.label()];
                scorer.add(image.id(), new Uint8Image(shape, image.pixels()), label,
                        floor.referenceGroups(image.id(), label, EvaluationReport.REFERENCE));
            }
            return List.of(scorer.finish()).iterator();
        }).reduce(EvaluationTally::add);
    }

    /**
     * Up to {@code limit} labeled images of a split (0 = all) in the driver, a random subset chosen by a hash of
     * (id, seed), labels translated to the classifier's classes. Streamed a partition at a time; kept as uint8.
     */
    static LabeledImages collect(Dataset<Row> rows, ImageShape shape, int limit, long seed, int[] labelMap,
                                 List<String> classNames, String what) {
        Dataset<Row> chosen = rows.orderBy(xxhash64(col(PreparedColumns.ID), lit(seed)), col(PreparedColumns.ID));
        if (limit > 0) {
            chosen = chosen.limit(limit);
        }
        ByteArrayOutputStream pixels = new ByteArrayOutputStream();
        List<Integer> labels = new ArrayList<>();
        Iterator<Row> it = chosen.toLocalIterator();
        while (it.hasNext()) {
            LabeledImage image = PreparedShards.image(it.next());
            if (image.label() < 0) {
                throw new InputError(what + " has unlabeled images; a classifier trains on labeled ones");
            }
            byte[] p = image.pixels();
            if (p.length != shape.size()) {
                throw new InputError(what + ": image " + image.id() + " has " + p.length + " pixel values, not "
                        + shape.size() + " (" + shape + ")");
            }
            pixels.writeBytes(p);
            labels.add(labelMap[image.label()]);
        }
        return new LabeledImages(shape, pixels.toByteArray(), labels.stream().mapToInt(Integer::intValue).toArray(),
                classNames);
    }
}
