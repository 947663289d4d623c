package io.sparkdiffusion.generate;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

import java.io.Serializable;
import java.util.List;

/**
 * Where a generation run's files go:
 * <pre>
 * &lt;out&gt;/plan.json                     what the run generates; a rerun into the same output must match it
 * &lt;out&gt;/images/&lt;folder&gt;/&lt;id&gt;.png     the images as PNG files (flat images/&lt;id&gt;.png without classes)
 * &lt;out&gt;/shards/part-00000.parquet      the images as Parquet shards ({@link ImageShards}), written once every
 *                                        unit is done
 * &lt;out&gt;/_units/unit-0000042.parquet   a unit's images as one small shard, merged into shards/ at the end
 * &lt;out&gt;/_units/unit-0000042           a unit's commit marker, written after all of its files are in place
 * &lt;out&gt;/_tmp/                          files being written (a killed run's leftovers are removed at the end)
 * &lt;out&gt;/samples.parquet/               one row per image, written once every unit is done
 * &lt;out&gt;/_SUCCESS                       last
 * </pre>
 *
 * @param output  the qualified output directory
 * @param folders class folder names by label ({@link FolderNames}); empty for unlabeled images
 */
public record OutputLayout(String output, List<String> folders) implements Serializable {
    public static final String PLAN = "plan.json";
    public static final String IMAGES = "images";
    public static final String UNITS = "_units";
    public static final String TMP = "_tmp";
    public static final String SHARDS = "shards";
    public static final String MANIFEST = "samples.parquet";

    public OutputLayout {
        folders = List.copyOf(folders);
    }

    public Path root() {
        return new Path(output);
    }

    public Path path(String child) {
        return new Path(root(), child);
    }

    /** The image's path relative to the output, e.g. {@code images/sneaker/00000042.png}. */
    public String relativeImagePath(PlannedImage image) {
        return IMAGES + "/" + (image.label() < 0 || folders.isEmpty() ? "" : folder(image.label()) + "/")
                + image.id() + ".png";
    }

    /** The class folder of a label ({@code ""} for none). */
    public String folder(int label) {
        if (label < 0 || folders.isEmpty()) {
            return "";
        }
        if (label >= folders.size()) {
            throw new IllegalArgumentException("label " + label + " has no class folder (" + folders.size()
                    + " classes)");
        }
        return folders.get(label);
    }

    public Path marker(int unit) {
        return new Path(path(UNITS), markerName(unit));
    }

    /** A unit's images as one small shard (with shards in the output format). */
    public Path unitShard(int unit) {
        return new Path(path(UNITS), markerName(unit) + ".parquet");
    }

    /** The name of shard k of the output. */
    public static String shardName(int k) {
        return String.format("part-%05d.parquet", k);
    }

    static String markerName(int unit) {
        return String.format("unit-%07d", unit);
    }

    /** The unit number of a marker file name, or −1 when the name is not a marker's. */
    static int unitOf(String markerName) {
        if (!markerName.matches("unit-\\d{7,}")) {
            return -1;
        }
        return Integer.parseInt(markerName.substring(5));
    }

    /**
     * The file system to write through: on a local disk the raw one, so that no {@code .crc} file is written
     * beside every image (Hadoop's client-side checksums; readers of an image folder would see them).
     */
    static FileSystem writer(FileSystem fs) {
        return fs instanceof LocalFileSystem local ? local.getRaw() : fs;
    }
}
