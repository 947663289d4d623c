package io.sparkdiffusion.jobs.report;

import io.sparkdiffusion.generate.OutputLayout;
import io.sparkdiffusion.image.ImageGrid;
import io.sparkdiffusion.image.PngImages;
import io.sparkdiffusion.image.Uint8Image;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * A grid of a generation output's images: the first {@link #PER_ROW} of each class by id, one class per row, read
 * back from the committed output (its PNG tree, or else its shards) through {@code samples.parquet}.
 */
final class GeneratedGrid {
    static final int PER_ROW = 8;
    static final int MAX_ROWS = 12;

    /** The grid and the class of each row, top to bottom. */
    record Grid(byte[] png, List<String> rows) {
    }

    private GeneratedGrid() {
    }

    /** @param classes the labels to show, in order, with their names */
    static Grid of(SparkSession spark, FileSystem fs, OutputLayout layout, List<Integer> labels, List<String> names)
            throws IOException {
        Dataset<Row> samples = spark.read().parquet(layout.path(OutputLayout.MANIFEST).toString());
        List<List<String>> pathsByRow = new ArrayList<>();
        List<String> rowNames = new ArrayList<>();
        for (int i = 0; i < Math.min(MAX_ROWS, labels.size()); i++) {
            List<String> paths = new ArrayList<>();
            for (Row row : samples.where(col("label").equalTo(labels.get(i))).orderBy("id").limit(PER_ROW)
                    .select("path").collectAsList()) {
                paths.add(row.getString(0));
            }
            pathsByRow.add(paths);
            rowNames.add(names.get(i));
        }
        Map<String, byte[]> pngs = read(spark, fs, layout, pathsByRow.stream().flatMap(List::stream).toList());
        List<Uint8Image> cells = new ArrayList<>();
        Uint8Image blank = null;
        for (List<String> paths : pathsByRow) {
            for (int k = 0; k < PER_ROW; k++) {
                if (k < paths.size()) {
                    Uint8Image image = PngImages.decode(pngs.get(paths.get(k)));
                    blank = blank == null ? blankLike(image) : blank;
                    cells.add(image);
                } else {
                    cells.add(null); // filled below, once a first image gives the shape
                }
            }
        }
        if (blank == null) {
            throw new IOException("no image to show in " + layout.output());
        }
        Uint8Image fill = blank;
        cells.replaceAll(cell -> cell == null ? fill : cell);
        int scale = Math.max(1, Math.min(4, 84 / fill.height()));
        int columns = pathsByRow.stream().mapToInt(List::size).max().orElse(1);
        List<Uint8Image> used = new ArrayList<>();
        for (int r = 0; r < pathsByRow.size(); r++) {
            used.addAll(cells.subList(r * PER_ROW, r * PER_ROW + columns));
        }
        return new Grid(PngImages.encode(new ImageGrid(columns, 2, 255, scale).render(used)), rowNames);
    }

    /** The PNG bytes of the given tree paths: from images/ when the output has it, else from its shards. */
    private static Map<String, byte[]> read(SparkSession spark, FileSystem fs, OutputLayout layout, List<String> paths)
            throws IOException {
        Map<String, byte[]> pngs = new HashMap<>();
        if (fs.exists(layout.path(OutputLayout.IMAGES))) {
            for (String path : paths) {
                pngs.put(path, TrainReport.read(fs, new Path(layout.root(), path)));
            }
            return pngs;
        }
        for (Row row : spark.read().parquet(layout.path(OutputLayout.SHARDS).toString())
                .where(col("image.path").isin(paths.toArray())).select("image.path", "image.bytes").collectAsList()) {
            pngs.put(row.getString(0), (byte[]) row.get(1));
        }
        return pngs;
    }

    private static Uint8Image blankLike(Uint8Image image) {
        byte[] white = new byte[image.pixels().length];
        Arrays.fill(white, (byte) 255);
        return new Uint8Image(image.shape(), white);
    }
}
