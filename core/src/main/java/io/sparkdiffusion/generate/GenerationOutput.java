package io.sparkdiffusion.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkdiffusion.checkpoint.CheckpointInfo;
import io.sparkdiffusion.config.CommitProtocol;
import io.sparkdiffusion.config.InputError;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The driver's side of a generation output ({@link OutputLayout}): starts it or takes up where a killed run
 * stopped, knows which units are done, and finishes it. A run is identified by its plan ({@code plan.json}:
 * the checkpoint, the recipe, the counts, the seed, the unit size, …): the same plan continues, another one
 * is refused, so one output never mixes the images of two configurations. An output replaced with {@code overwrite}
 * is moved aside until the new one is complete ({@link CommitProtocol}).
 */
public final class GenerationOutput {
    /** What {@link #begin} found. */
    public enum State { NEW, RESUMING, COMPLETE }

    private static final ObjectMapper JSON = CheckpointInfo.json();

    private final OutputLayout layout;
    private final FileSystem fs;
    private final FileSystem writer;
    /** The old output {@link #begin} moved aside, if it replaced one. */
    private Path aside;

    private GenerationOutput(OutputLayout layout, FileSystem fs) {
        this.layout = layout;
        this.fs = fs;
        this.writer = OutputLayout.writer(fs);
    }

    /** @param folders class folder names by label, empty for unlabeled images */
    public static GenerationOutput open(String output, List<String> folders, Configuration conf) throws IOException {
        Path path = new Path(output);
        FileSystem fs = path.getFileSystem(conf);
        Path qualified = CommitProtocol.belowRoot(fs.makeQualified(path));
        return new GenerationOutput(new OutputLayout(qualified.toString(), folders), fs);
    }

    public OutputLayout layout() {
        return layout;
    }

    public FileSystem fileSystem() {
        return fs;
    }

    /**
     * Starts the output with this plan, or checks that an existing one has the same plan.
     *
     * @param plan      everything that decides which images are made and how (JSON-serializable values)
     * @param overwrite replace whatever is at the output: it is moved aside now and deleted when {@link #finish} has
     *                  written _SUCCESS; the next run on this output puts it back if this one never gets there
     * @param key       the config key of the output, for messages
     */
    public State begin(Map<String, Object> plan, boolean overwrite, String key) throws IOException {
        Path root = layout.root();
        // through the bytes, as a rerun will read it: a Long and an Integer of one value are different nodes
        JsonNode wanted = JSON.readTree(JSON.writeValueAsBytes(plan));
        CommitProtocol.recoverAside(fs, root);
        if (fs.exists(root) && overwrite) {
            aside = CommitProtocol.moveAside(fs, root); // deleted by finish(), put back by the next run if it fails
        }
        if (fs.exists(root)) {
            JsonNode existing = readPlan();
            if (existing == null) {
                if (!holdsOnlyScaffolding(root)) {
                    throw new InputError("output " + root + " exists and holds no " + OutputLayout.PLAN
                            + " (not an output of this job); choose another " + key + " or set overwrite=true");
                }
            } else if (!existing.equals(wanted)) {
                throw new InputError("output " + root + " holds a run with another plan (differs in: "
                        + String.join(", ", differences(existing, wanted)) + "); rerun with the same settings to"
                        + " finish it, choose another " + key + ", or set overwrite=true to replace it");
            } else if (CommitProtocol.isComplete(fs, root)) {
                return State.COMPLETE;
            } else {
                return State.RESUMING;
            }
        }
        fs.mkdirs(layout.path(OutputLayout.UNITS));
        Path tmp = staging(OutputLayout.PLAN);
        CommitProtocol.write(writer, tmp, JSON.writeValueAsBytes(wanted));
        CommitProtocol.rename(writer, tmp, layout.path(OutputLayout.PLAN));
        return State.NEW;
    }

    /** The units whose marker is in place. */
    public BitSet doneUnits() throws IOException {
        BitSet done = new BitSet();
        FileStatus[] markers;
        try {
            markers = fs.listStatus(layout.path(OutputLayout.UNITS));
        } catch (FileNotFoundException none) {
            return done;
        }
        for (FileStatus marker : markers) {
            int unit = OutputLayout.unitOf(marker.getPath().getName());
            if (unit >= 0) {
                done.set(unit);
            }
        }
        return done;
    }

    /**
     * The number of PNG files under images/ (listed folder by folder): the final check that none is missing. Not
     * {@code listFiles}: its located statuses ask each file for its permissions, which the local file system
     * answers by running {@code ls} once per file (minutes for 100,000 images).
     */
    public long countPngs() throws IOException {
        Path images = layout.path(OutputLayout.IMAGES);
        return fs.exists(images) ? countPngs(images) : 0;
    }

    private long countPngs(Path folder) throws IOException {
        long n = 0;
        for (FileStatus status : fs.listStatus(folder)) {
            if (status.isDirectory()) {
                n += countPngs(status.getPath());
            } else if (status.getPath().getName().endsWith(".png")) {
                n++;
            }
        }
        return n;
    }

    /**
     * The bytes of each unit's shard, by unit number, from one listing of {@code _units/} (not a request per unit:
     * on an object store a run has thousands of units).
     *
     * @throws IOException when a unit has no shard
     */
    public long[] unitShardSizes(int units) throws IOException {
        long[] sizes = new long[units];
        Arrays.fill(sizes, -1);
        for (FileStatus status : fs.listStatus(layout.path(OutputLayout.UNITS))) {
            String name = status.getPath().getName();
            int unit = name.endsWith(".parquet") ? OutputLayout.unitOf(name.substring(0, name.length() - 8)) : -1;
            if (unit >= 0 && unit < units) {
                sizes[unit] = status.getLen();
            }
        }
        for (int unit = 0; unit < units; unit++) {
            if (sizes[unit] < 0) {
                throw new IOException("unit " + unit + " has its marker but no shard " + layout.unitShard(unit)
                        + "; start over with overwrite=true");
            }
        }
        return sizes;
    }

    /**
     * A fresh temporary path for one of the output's parts ({@link OutputLayout#MANIFEST},
     * {@link OutputLayout#SHARDS}), to be {@link #commit committed} when complete.
     */
    public Path staging(String part) {
        return new Path(layout.path(OutputLayout.TMP), part + "-" + UUID.randomUUID());
    }

    /** Puts a staged part in place (replacing one a killed run left). */
    public void commit(Path staged, String part) throws IOException {
        Path target = layout.path(part);
        if (fs.exists(target) && !fs.delete(target, true)) {
            throw new IOException("could not replace " + target);
        }
        CommitProtocol.rename(fs, staged, target);
    }

    /** Writes _SUCCESS, then removes what only the run needed (markers, temporary files, the replaced output). */
    public void finish() throws IOException {
        CommitProtocol.markComplete(writer, layout.root());
        fs.delete(layout.path(OutputLayout.TMP), true);
        fs.delete(layout.path(OutputLayout.UNITS), true);
        if (aside != null) {
            CommitProtocol.deleteAside(fs, layout.root(), aside);
            aside = null;
        }
    }

    /** Empty, or only what a run killed before its plan.json was in place can have left. */
    private boolean holdsOnlyScaffolding(Path root) throws IOException {
        for (FileStatus status : fs.listStatus(root)) {
            String name = status.getPath().getName();
            if (!name.equals(OutputLayout.TMP) && !(name.equals(OutputLayout.UNITS) && fs.listStatus(status.getPath())
                    .length == 0)) {
                return false;
            }
        }
        return true;
    }

    private JsonNode readPlan() throws IOException {
        Path plan = layout.path(OutputLayout.PLAN);
        if (!fs.exists(plan)) {
            return null;
        }
        try (InputStream in = fs.open(plan)) {
            return JSON.readTree(in);
        }
    }

    private static List<String> differences(JsonNode existing, JsonNode wanted) {
        List<String> keys = new ArrayList<>();
        for (Iterator<String> it = wanted.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!wanted.get(name).equals(existing.get(name))) {
                keys.add(name);
            }
        }
        for (Iterator<String> it = existing.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!wanted.has(name)) {
                keys.add(name);
            }
        }
        return keys;
    }
}
