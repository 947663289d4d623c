package io.sparkdiffusion.data;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.sparkdiffusion.config.CommitProtocol;
import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.image.ImageShape;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * {@code manifest.json} of a PrepareJob output: what a trainer needs to know about the shards without reading
 * them. Shards hold one row per kept image, in the columns {@link PreparedColumns#ALL}: {@code id} (string,
 * {@link SourceIds#id}), {@code source}, {@code label} (int, −1 unlabeled), {@code height}, {@code width},
 * {@code channels}, {@code pixels} (binary, uint8 CHW), {@code split} ("train" / "validation"). The names of the
 * output's files and directories are the constants below.
 *
 * @param formatVersion       {@link #FORMAT_VERSION}
 * @param createdAt           ISO-8601 instant
 * @param input               the corpus path as given
 * @param layout              class-folders, unlabeled or idx
 * @param shape               of every stored image
 * @param classNames          class names by label (sorted names of the class folders; idx: by label number)
 * @param imagesPerClass      kept images per class name (after duplicates were dropped)
 * @param images              kept images (rows in the shards)
 * @param files               input files (or idx records) seen
 * @param rejected            files that could not be used (listed in {@code rejects/})
 * @param duplicates          exact duplicates dropped (listed in {@code duplicates/})
 * @param skippedFolders      top-level folders of an image tree never read because of their name (starting with
 *                            {@code _} or {@code .}: Spark's rule for hidden files), sorted; null for idx input and
 *                            in manifests written before this field
 * @param split               the train/validation split
 * @param pixelStatistics     per-channel statistics of the kept images
 * @param shards              where the rows are
 * @param parameters          the job's {@code prepare.*} settings
 * @param versions            an incremental output's versions, oldest first ({@link Version}); null for a full
 *                            output (and in manifests written before versions existed): then {@code shards} holds
 *                            every row
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PreparedManifest(int formatVersion, String createdAt, String input, String layout, ImageShape shape,
                               List<String> classNames, Map<String, Long> imagesPerClass, long images, long files,
                               long rejected, long duplicates, List<String> skippedFolders, Split split,
                               Statistics pixelStatistics, Shards shards, Map<String, Object> parameters,
                               List<Version> versions) {

    /** A full output's format: every row in {@code shards}. */
    public static final int FORMAT_VERSION = 1;
    /**
     * An incremental output's format: rows in the shards of every {@link Version}, less those a later version
     * removed. A build that reads only version 1 refuses it rather than read removed rows.
     */
    public static final int VERSIONED_FORMAT = 2;

    /** This file, at the top of the output. */
    public static final String FILE_NAME = "manifest.json";
    /** The output's directories (of an incremental output's later versions: under the version's directory). */
    public static final String SHARDS = "shards";
    public static final String REJECTS = "rejects";
    public static final String DUPLICATES = "duplicates";
    /** An incremental output's file index ({@link Version#files}) and removed rows ({@link Version#removed}). */
    public static final String FILES = "files";
    public static final String REMOVED = "removed";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /**
     * Reads and checks a PrepareJob output's manifest (no Spark): fails fast, with one line, on a wrong path, an
     * incomplete output or an incompatible version.
     */
    public static PreparedManifest readFrom(String dataDir, Configuration conf) throws IOException {
        Path dir = new Path(dataDir);
        FileSystem fs = dir.getFileSystem(conf);
        Path manifestPath = new Path(dir, FILE_NAME);
        if (!CommitProtocol.isComplete(fs, dir) || !fs.exists(manifestPath)) {
            throw new InputError(dataDir + " is not a complete PrepareJob output (no _SUCCESS or manifest.json)");
        }
        PreparedManifest manifest;
        try (InputStream in = fs.open(manifestPath)) {
            manifest = read(in);
        } catch (IOException e) {
            throw new InputError("cannot read " + manifestPath + ": " + e.getMessage(), e);
        }
        int expected = manifest.versions() == null ? FORMAT_VERSION : VERSIONED_FORMAT;
        if (manifest.formatVersion() != expected) {
            throw new InputError(manifestPath + " has format version " + manifest.formatVersion()
                    + "; this build reads versions " + FORMAT_VERSION + " (full) and " + VERSIONED_FORMAT
                    + " (incremental, with a list of versions) (rerun PrepareJob)");
        }
        if (manifest.shape() == null || manifest.shards() == null) {
            throw new InputError(manifestPath + " lacks the image shape or the shards location");
        }
        for (String shardDir : manifest.shardDirs()) {
            Path shards = new Path(dir, shardDir);
            if (!fs.exists(shards) || fs.globStatus(new Path(shards, "*.parquet")).length == 0) {
                throw new InputError("no Parquet shards under " + shards);
            }
        }
        return manifest;
    }

    /** True for an incremental output (rows spread over versions, some removed later). */
    public boolean versioned() {
        return versions != null;
    }

    /** The current version: the last one of an incremental output, 1 for a full output. */
    public int version() {
        return versioned() && !versions.isEmpty() ? versions.get(versions.size() - 1).number() : 1;
    }

    /** The directories (relative) that hold shards with rows; of an incremental output, every version's that added any. */
    public List<String> shardDirs() {
        if (!versioned()) {
            return List.of(shards.path());
        }
        return versions.stream().filter(v -> v.shardFiles() > 0).map(Version::shards).toList();
    }

    /** The images of a split: train, validation or all. */
    public long imagesIn(String split) {
        if (split() == null) {
            return images();
        }
        return switch (split) {
            case PreparedColumns.TRAIN -> split().train();
            case PreparedColumns.VALIDATION -> split().validation();
            default -> images();
        };
    }

    /**
     * @param validationFraction the configured fraction
     * @param method             how an image's split is chosen
     * @param train              images in the train split
     * @param validation         images in the validation split
     */
    public record Split(double validationFraction, String method, long train, long validation) {
        public static final String METHOD = "first 32 bits of the id (hex) / 2^32 < validationFraction -> validation";
    }

    /**
     * @param scale "uint8/255": the values are those of v / 255 in [0, 1]; on the [−1, 1] scale
     *              mean' = 2·mean − 1 and std' = 2·std
     * @param mean  per channel
     * @param std   per channel, population
     */
    public record Statistics(String scale, double[] mean, double[] std) {
        public static final String SCALE = "uint8/255";
    }

    /**
     * @param path  relative to the output directory
     * @param files Parquet files written
     * @param rowsPerShard the configured target
     */
    public record Shards(String path, int files, int rowsPerShard) {
    }

    /**
     * One version of an incremental output: what it added and removed. A row belongs to the output when its version
     * added it and no later version's {@code removed} list names its (id, version).
     *
     * @param number        1, 2, …
     * @param createdAt     ISO-8601 instant
     * @param shards        the Parquet shards of the images this version added (relative to the output)
     * @param shardFiles    Parquet files there; 0 when the version added no image
     * @param files         the file index rows of the input files this version read (relative): one row per file with
     *                      its size, modification time, content hash and what became of it
     * @param filesRead     rows there
     * @param removed       JSON lines (id, version, source, reason) of the rows of earlier versions that this one
     *                      removed: of deleted and changed files (relative; null when none)
     * @param filesNew      files not seen before
     * @param filesChanged  files seen before with another size or modification time (a removal plus an addition)
     * @param filesDeleted  files seen before and gone
     * @param imagesAdded   rows its shards hold
     * @param imagesRemoved rows of earlier versions' shards it removed
     */
    public record Version(int number, String createdAt, String shards, int shardFiles, String files, long filesRead,
                          String removed, long filesNew, long filesChanged, long filesDeleted, long imagesAdded,
                          long imagesRemoved) {
    }

    public byte[] toJson() throws IOException {
        return JSON.writeValueAsBytes(this);
    }

    public static PreparedManifest read(InputStream in) throws IOException {
        return JSON.readValue(in, PreparedManifest.class);
    }
}
