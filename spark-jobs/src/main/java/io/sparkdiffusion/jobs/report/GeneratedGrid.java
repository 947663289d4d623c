package io.sparkdiffusion.jobs.report;

import io.sparkdiffusion.config.HadoopFiles;
import io.sparkdiffusion.data.PreparedColumns;
import io.sparkdiffusion.data.PreparedManifest;
import io.sparkdiffusion.generate.GeneratedColumns;
import io.sparkdiffusion.generate.OutputLayout;
import io.sparkdiffusion.image.ImageGrid;
import io.sparkdiffusion.image.PngImages;
import io.sparkdiffusion.image.Uint8Image;
import io.sparkdiffusion.jobs.io.PreparedShards;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.HashMap;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.min;

/**
 * A grid of a generation output's images, {@link #PER_ROW} of each class, one class per row, read back from the
 * committed output: from its PNG tree the first by id (through {@code samples.parquet}), else from its shards the
 * first rows of the class (Parquet skips the row groups whose label range lacks it).
 */
final class GeneratedGrid {
    static final int PER_ROW = 8;
    static final int MAX_ROWS = 12;

    /** The grid's rows, top to bottom: each a PNG strip, its width and its class. */
    record Grid(List<byte[]> pngs, List<Integer> widths, List<String> rows) {
    }

    private GeneratedGrid() {
    }

    /**
     * @param labels the labels to show, in order (-1: unlabeled)
     * @param names  their class names
     */
    static Grid of(SparkSession spark, FileSystem fs, OutputLayout layout, List<Integer> labels, List<String> names)
            throws IOException {
        boolean tree = fs.exists(layout.path(OutputLayout.IMAGES));
        List<List<Uint8Image>> rows = new ArrayList<>();
        List<String> rowNames = new ArrayList<>();
        for (int i = 0; i < Math.min(MAX_ROWS, labels.size()); i++) {
            List<Uint8Image> images = new ArrayList<>();
            for (byte[] png : tree ? fromTree(spark, fs, layout, labels.get(i)) : fromShards(spark, layout,
                    labels.get(i))) {
                images.add(PngImages.decode(png));
            }
            if (!images.isEmpty()) {
                rows.add(images);
                rowNames.add(names.get(i));
            }
        }
        return strips(rows, rowNames, layout);
    }

    /**
     * AugmentJob's grid: for each class (up to {@link #MAX_ROWS}), its first source image by id from the prepared data,
     * then that image's variations, so a row shows what the augmentation did.
     */
    static Grid variations(SparkSession spark, FileSystem fs, OutputLayout layout, String dataDir,
                           List<Integer> labels, List<String> names) throws IOException {
        PreparedManifest manifest = PreparedManifest.readFrom(dataDir, fs.getConf());
        Dataset<Row> samples = spark.read().parquet(layout.path(OutputLayout.MANIFEST).toString());
        List<Integer> shown = labels.subList(0, Math.min(MAX_ROWS, labels.size()));
        // Three queries for all rows, not three per row: each class's first source, those sources' pixels, and
        // their variations (a few per source).
        Map<Integer, String> sourceOf = new HashMap<>();
        for (Row r : samples.where(col(GeneratedColumns.LABEL).isin(shown.toArray())).groupBy(GeneratedColumns.LABEL)
                .agg(min(GeneratedColumns.SOURCE_ID)).collectAsList()) {
            if (!r.isNullAt(1)) {
                sourceOf.put(r.getInt(0), r.getString(1));
            }
        }
        Object[] sources = sourceOf.values().toArray();
        Map<String, byte[]> pixelsOf = new HashMap<>();
        for (Row r : PreparedShards.images(spark, dataDir, manifest, PreparedColumns.BOTH_SPLITS)
                .where(col(PreparedColumns.ID).isin(sources)).select(PreparedColumns.ID, PreparedColumns.PIXELS)
                .collectAsList()) {
            pixelsOf.put(r.getString(0), (byte[]) r.get(1));
        }
        boolean tree = fs.exists(layout.path(OutputLayout.IMAGES));
        Dataset<Row> made = tree ? samples.select(GeneratedColumns.ID, GeneratedColumns.PATH,
                GeneratedColumns.SOURCE_ID)
                : spark.read().parquet(layout.path(OutputLayout.SHARDS).toString())
                .select(col(GeneratedColumns.ID), col(GeneratedColumns.IMAGE_BYTES), col(GeneratedColumns.SOURCE_ID));
        Map<String, List<Row>> variationsOf = new HashMap<>();
        for (Row r : made.where(col(GeneratedColumns.SOURCE_ID).isin(sources)).orderBy(GeneratedColumns.ID)
                .collectAsList()) {
            List<Row> some = variationsOf.computeIfAbsent(r.getString(2), k -> new ArrayList<>());
            if (some.size() < PER_ROW - 1) {
                some.add(r);
            }
        }
        List<List<Uint8Image>> rows = new ArrayList<>();
        List<String> rowNames = new ArrayList<>();
        for (int i = 0; i < shown.size(); i++) {
            String source = sourceOf.get(shown.get(i));
            if (source == null) {
                continue;
            }
            List<Uint8Image> row = new ArrayList<>();
            row.add(new Uint8Image(manifest.shape(), pixelsOf.get(source)));
            for (Row variation : variationsOf.getOrDefault(source, List.of())) {
                row.add(PngImages.decode(tree ? HadoopFiles.readAll(fs, new Path(layout.root(), variation.getString(1)))
                        : (byte[]) variation.get(1)));
            }
            rows.add(row);
            rowNames.add(names.get(i) + " (" + source.substring(0, Math.min(8, source.length())) + "…)");
        }
        return strips(rows, rowNames, layout);
    }

    /** One PNG strip per row, all with the same columns (white cells fill a short row). */
    private static Grid strips(List<List<Uint8Image>> rows, List<String> rowNames, OutputLayout layout)
            throws IOException {
        if (rows.isEmpty()) {
            throw new IOException("no image to show in " + layout.output());
        }
        Uint8Image first = rows.get(0).get(0);
        byte[] white = new byte[first.pixels().length];
        Arrays.fill(white, (byte) 255);
        Uint8Image blank = new Uint8Image(first.shape(), white);
        int columns = rows.stream().mapToInt(List::size).max().orElse(1);
        int scale = Math.max(1, Math.min(4, 84 / first.height())); // small images to ~84 px, large ones as they are
        ImageGrid strip = new ImageGrid(columns, 2, 255, scale);
        List<byte[]> pngs = new ArrayList<>();
        List<Integer> widths = new ArrayList<>();
        for (List<Uint8Image> row : rows) {
            List<Uint8Image> cells = new ArrayList<>(row);
            while (cells.size() < columns) {
                cells.add(blank); // a short class keeps the columns of the others
            }
            Uint8Image image = strip.render(cells);
            pngs.add(PngImages.encode(image));
            widths.add(image.width());
        }
        return new Grid(pngs, widths, rowNames);
    }

    private static List<byte[]> fromTree(SparkSession spark, FileSystem fs, OutputLayout layout, int label)
            throws IOException {
        List<byte[]> pngs = new ArrayList<>();
        for (Row row : spark.read().parquet(layout.path(OutputLayout.MANIFEST).toString())
                .where(col(GeneratedColumns.LABEL).equalTo(label)).orderBy(GeneratedColumns.ID).limit(PER_ROW)
                .select(GeneratedColumns.PATH).collectAsList()) {
            pngs.add(HadoopFiles.readAll(fs, new Path(layout.root(), row.getString(0))));
        }
        return pngs;
    }

    private static List<byte[]> fromShards(SparkSession spark, OutputLayout layout, int label) {
        List<byte[]> pngs = new ArrayList<>();
        for (Row row : spark.read().parquet(layout.path(OutputLayout.SHARDS).toString())
                .where(col(GeneratedColumns.LABEL).equalTo(label)).limit(PER_ROW).select(GeneratedColumns.IMAGE_BYTES)
                .collectAsList()) {
            pngs.add((byte[]) row.get(0));
        }
        return pngs;
    }
}
