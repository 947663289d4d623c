package io.sparkdiffusion.checkpoint;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.sparkdiffusion.config.CommitProtocol;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumException;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.runtime.NativeRuntime;
import io.sparkdiffusion.model.ModelZip;

/**
 * Checkpoints of one training run on any Hadoop file system ({@code file://}, {@code hdfs://}, {@code s3a://}).
 *
 * <pre>
 * &lt;run&gt;/checkpoints/step-0001200/{model.zip, ema.bin, checkpoint.json[, outer-momentum.bin]}
 * &lt;run&gt;/checkpoints/LATEST            the name of the newest complete checkpoint directory
 * </pre>
 *
 * <p>A save never exposes a half-written checkpoint ({@link CommitProtocol}): files go to a {@code _tmp-…}
 * directory that is renamed into place, and LATEST is replaced last. A directory counts as a checkpoint only when it
 * holds all three files (on s3a a directory rename is a copy, so a name alone proves nothing). If LATEST is missing
 * or names an unusable directory (a crash, or a file system whose rename cannot overwrite), readers fall back to the
 * newest complete {@code step-*} directory. One writer per run directory.
 */
public final class CheckpointStore {
    public static final String CHECKPOINTS = "checkpoints";
    public static final String LATEST = "LATEST";
    public static final String MODEL_FILE = "model.zip";
    public static final String EMA_FILE = "ema.bin";
    public static final String INFO_FILE = "checkpoint.json";
    /** The outer optimizer's momentum vector, in checkpoints of runs that use one. */
    public static final String OUTER_MOMENTUM_FILE = "outer-momentum.bin";

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
    private static final Pattern STEP_DIR = Pattern.compile("step-(\\d{7,})");
    private static final Pattern OLD_DIR = Pattern.compile("_old-(step-\\d{7,})-.*");
    private static final String TMP_PREFIX = "_tmp-";
    private static final String OLD_PREFIX = "_old-";
    private static final int BUFFER = 1 << 20;

    private final FileSystem fs;
    private final Path runDir;
    private final Path checkpointsDir;

    public CheckpointStore(FileSystem fs, Path runDir) {
        this.fs = fs;
        this.runDir = fs.makeQualified(runDir);
        this.checkpointsDir = new Path(this.runDir, CHECKPOINTS);
    }

    /** The store of the run directory {@code runDir} (a URI or a path of the default file system). */
    public static CheckpointStore open(String runDir, Configuration conf) throws IOException {
        Path path = new Path(runDir);
        return new CheckpointStore(path.getFileSystem(conf), path);
    }

    /** The store of the run directory {@code runDir}, on the file system its URI names. */
    public static CheckpointStore open(URI runDir, Configuration conf) throws IOException {
        return new CheckpointStore(FileSystem.get(runDir, conf), new Path(runDir));
    }

    public Path runDir() {
        return runDir;
    }

    public Path checkpointsDir() {
        return checkpointsDir;
    }

    /** {@code step-0000042}: the directory name of a step (7 digits, more when the step needs them). */
    public static String dirName(long step) {
        return String.format("step-%07d", step);
    }

    /**
     * Saves a checkpoint: model with updater state, EMA vector and info, then points LATEST at it. An existing
     * directory of the same step (left by an earlier attempt that crashed before updating LATEST, or by a
     * resumed run repeating the step) is replaced.
     *
     * @return the saved checkpoint
     */
    public CheckpointRef save(CheckpointInfo info, ComputationGraph graph, INDArray emaParams) throws IOException {
        return save(info, graph, emaParams, null);
    }

    /**
     * Saves a checkpoint as {@link #save(CheckpointInfo, ComputationGraph, INDArray)} does, with the outer
     * optimizer's momentum vector when it is not null.
     */
    public CheckpointRef save(CheckpointInfo info, ComputationGraph graph, INDArray emaParams, INDArray outerMomentum)
            throws IOException {
        checkLength("EMA vector", emaParams, graph);
        if (outerMomentum != null) {
            checkLength("outer momentum vector", outerMomentum, graph);
        }
        String name = dirName(info.step());
        String uuid = UUID.randomUUID().toString();
        Path tmp = new Path(checkpointsDir, TMP_PREFIX + name + "-" + uuid);
        Path target = new Path(checkpointsDir, name);
        if (!fs.mkdirs(tmp)) {
            throw new IOException("could not create " + tmp);
        }
        try (OutputStream out = create(new Path(tmp, MODEL_FILE))) {
            ModelSerializer.writeModel(graph, out, true);
        }
        writeVector(new Path(tmp, EMA_FILE), emaParams);
        if (outerMomentum != null) {
            writeVector(new Path(tmp, OUTER_MOMENTUM_FILE), outerMomentum);
        }
        CommitProtocol.write(fs, new Path(tmp, INFO_FILE), info.toJson().getBytes(StandardCharsets.UTF_8));

        // an old one of the step is moved aside, not deleted, so its data survives until the new one is in
        Path old = CommitProtocol.swapIn(fs, tmp, target, new Path(checkpointsDir, OLD_PREFIX + name + "-" + uuid));
        if (old != null) {
            fs.delete(old, true);
        }
        // where it cannot be atomic a reader may briefly find no LATEST, and then falls back to scanning
        CommitProtocol.replaceFile(fs, new Path(checkpointsDir, LATEST),
                (name + "\n").getBytes(StandardCharsets.UTF_8));
        LOG.info("saved checkpoint {}", target);
        return new CheckpointRef(info.step(), target);
    }

    /** The checkpoint LATEST names, or, when it is missing or unusable, the newest complete one. */
    public Optional<CheckpointRef> latest() throws IOException {
        Optional<CheckpointRef> named = latestNamed();
        if (named.isPresent()) {
            return named;
        }
        List<CheckpointRef> all = list();
        if (!all.isEmpty()) {
            LOG.warn("{} is missing or names no complete checkpoint; using the newest complete one, {}",
                    new Path(checkpointsDir, LATEST), all.get(all.size() - 1).name());
            return Optional.of(all.get(all.size() - 1));
        }
        return Optional.empty();
    }

    /** All complete checkpoints, oldest first. Temporary and incomplete directories are left out. */
    public List<CheckpointRef> list() throws IOException {
        List<CheckpointRef> refs = new ArrayList<>();
        for (FileStatus status : listOrEmpty(checkpointsDir)) {
            Matcher m = STEP_DIR.matcher(status.getPath().getName());
            if (status.isDirectory() && m.matches() && isComplete(status.getPath())) {
                refs.add(new CheckpointRef(Long.parseLong(m.group(1)), status.getPath()));
            }
        }
        refs.sort(Comparator.comparingLong(CheckpointRef::step));
        return refs;
    }

    public Optional<LoadedCheckpoint> loadLatest() throws IOException {
        Optional<CheckpointRef> ref = latest();
        return ref.isPresent() ? Optional.of(load(ref.get())) : Optional.empty();
    }

    /**
     * The run's newest complete checkpoint loaded for a resume; empty only when the run has no checkpoint at all.
     * When the run has checkpoints but none complete (a save cut short while it replaced the only one leaves just an
     * {@code _old-step-…} copy on an object store), or the newest cannot be read, this refuses with an
     * {@link InputError} naming it: a resume never starts again from step 0 over a run's checkpoints, nor silently
     * from an older one.
     *
     * @param runDirKey the setting naming the run directory, for the message (e.g. {@code train.run-dir})
     */
    public Optional<LoadedCheckpoint> loadToResume(String runDirKey) throws IOException {
        Optional<CheckpointRef> latest = latest();
        if (latest.isEmpty()) {
            List<String> entries = entries();
            if (!entries.isEmpty()) {
                throw new InputError("cannot resume: " + checkpointsDir + " holds no complete checkpoint, only "
                        + String.join(", ", entries) + " (a save cut short?); rename a complete copy to step-NNNNNNN "
                        + "and name it in LATEST, or choose another " + runDirKey);
            }
            return Optional.empty();
        }
        try {
            return Optional.of(load(latest.get()));
        } catch (IOException | RuntimeException unreadable) {
            String why = String.valueOf(unreadable.getMessage()).lines().findFirst().orElse("");
            throw new InputError("cannot resume: checkpoint " + latest.get().dir() + " cannot be read ("
                    + unreadable.getClass().getSimpleName() + ": " + why + "); to resume from an older checkpoint, "
                    + "write its directory name into " + new Path(checkpointsDir, LATEST));
        }
    }

    /**
     * What in the checkpoints directory is, or may be, a checkpoint: {@code LATEST}, {@code step-*} and
     * {@code _old-step-*} (a replaced checkpoint kept until its successor is in), complete or not; sorted.
     */
    public List<String> entries() throws IOException {
        List<String> names = new ArrayList<>();
        for (FileStatus status : listOrEmpty(checkpointsDir)) {
            String name = status.getPath().getName();
            if (name.equals(LATEST) || name.startsWith("step-") || name.startsWith(OLD_PREFIX + "step-")) {
                names.add(name);
            }
        }
        names.sort(null);
        return names;
    }

    public LoadedCheckpoint load(long step) throws IOException {
        return loadDir(fs, new Path(checkpointsDir, dirName(step)));
    }

    public LoadedCheckpoint load(CheckpointRef ref) throws IOException {
        return loadDir(fs, ref.dir());
    }

    /** Only the info of a checkpoint (cheap: no tensors). */
    public CheckpointInfo readInfo(CheckpointRef ref) throws IOException {
        return readInfo(fs, ref.dir());
    }

    /**
     * Loads one checkpoint directory given by path or URI (e.g. a job's {@code sample.checkpoint}), outside
     * any store.
     */
    public static LoadedCheckpoint loadDir(String checkpointDir, Configuration conf) throws IOException {
        Path dir = new Path(checkpointDir);
        return loadDir(dir.getFileSystem(conf), dir);
    }

    /**
     * Only the info of one checkpoint directory given by path or URI (no tensors), after checking that the
     * directory is a complete checkpoint.
     *
     * @throws FileNotFoundException when a file of the checkpoint is missing
     */
    public static CheckpointInfo readInfo(String checkpointDir, Configuration conf) throws IOException {
        Path dir = new Path(checkpointDir);
        FileSystem fs = dir.getFileSystem(conf);
        for (String file : List.of(INFO_FILE, MODEL_FILE, EMA_FILE)) {
            if (!fs.exists(new Path(dir, file))) {
                throw new FileNotFoundException("not a complete checkpoint: " + fs.makeQualified(dir) + " has no " + file);
            }
        }
        return readInfo(fs, dir);
    }

    /**
     * Deletes complete checkpoints older than the {@code k} newest, never the one LATEST names.
     *
     * @return the deleted checkpoints
     */
    public List<CheckpointRef> keepLast(int k) throws IOException {
        if (k < 1) {
            throw new IllegalArgumentException("keep at least one checkpoint, got " + k);
        }
        List<CheckpointRef> all = list();
        Optional<CheckpointRef> named = latestNamed();
        List<CheckpointRef> deleted = new ArrayList<>();
        for (int i = 0; i < all.size() - k; i++) {
            CheckpointRef ref = all.get(i);
            if (named.isPresent() && named.get().step() == ref.step()) {
                continue;
            }
            fs.delete(ref.dir(), true);
            deleted.add(ref);
        }
        return deleted;
    }

    /**
     * Removes what crashed saves left behind: {@code _tmp-*} directories and LATEST's temporary files. An
     * {@code _old-step-N-*} directory (a replaced checkpoint) is removed only when a complete step-N exists,
     * otherwise it may be the only copy and is kept. Call only when no save is running.
     *
     * @return the removed paths
     */
    public List<Path> deleteLeftovers() throws IOException {
        Set<String> complete = new HashSet<>();
        for (CheckpointRef ref : list()) {
            complete.add(ref.name());
        }
        List<Path> removed = new ArrayList<>();
        for (FileStatus status : listOrEmpty(checkpointsDir)) {
            String name = status.getPath().getName();
            Matcher old = OLD_DIR.matcher(name);
            boolean leftover = name.startsWith(TMP_PREFIX) || CommitProtocol.isTemporary(name)
                    || (old.matches() && complete.contains(old.group(1)));
            if (leftover && fs.delete(status.getPath(), true)) {
                removed.add(status.getPath());
            }
        }
        return removed;
    }

    private Optional<CheckpointRef> latestNamed() throws IOException {
        String name;
        // LATEST may be edited by hand (to roll back); on a local disk that leaves a stale .crc next to it,
        // so this one small file is read without Hadoop's client-side checksum.
        FileSystem raw = fs instanceof ChecksumFileSystem checksummed ? checksummed.getRawFileSystem() : fs;
        try (InputStream in = raw.open(new Path(checkpointsDir, LATEST))) {
            name = new String(in.readNBytes(256), StandardCharsets.UTF_8).trim();
        } catch (FileNotFoundException missing) {
            return Optional.empty();
        } catch (ChecksumException corrupt) {
            LOG.warn("{} is corrupt: {}", new Path(checkpointsDir, LATEST), corrupt.getMessage());
            return Optional.empty();
        }
        Matcher m = STEP_DIR.matcher(name);
        Path dir = new Path(checkpointsDir, name);
        if (m.matches() && isComplete(dir)) {
            return Optional.of(new CheckpointRef(Long.parseLong(m.group(1)), dir));
        }
        return Optional.empty();
    }

    private boolean isComplete(Path dir) throws IOException {
        Set<String> names = new HashSet<>();
        for (FileStatus status : listOrEmpty(dir)) {
            if (status.isFile() && status.getLen() > 0) {
                names.add(status.getPath().getName());
            }
        }
        return names.containsAll(List.of(MODEL_FILE, EMA_FILE, INFO_FILE));
    }

    private FileStatus[] listOrEmpty(Path dir) throws IOException {
        try {
            return fs.listStatus(dir);
        } catch (FileNotFoundException missing) {
            return new FileStatus[0];
        }
    }

    private static void checkLength(String what, INDArray vector, ComputationGraph graph) {
        if (vector.length() != graph.numParams()) {
            throw new IllegalArgumentException(what + " has " + vector.length() + " values, the network "
                    + graph.numParams() + " parameters");
        }
    }

    private void writeVector(Path file, INDArray vector) throws IOException {
        try (DataOutputStream out = new DataOutputStream(create(file))) {
            Nd4j.write(vector.isView() ? vector.dup() : vector, out);
        }
    }

    private static INDArray readVector(FileSystem fs, Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(fs.open(file), BUFFER))) {
            return Nd4j.read(in);
        }
    }

    private OutputStream create(Path file) throws IOException {
        return new BufferedOutputStream(fs.create(file, false), BUFFER);
    }

    private static CheckpointInfo readInfo(FileSystem fs, Path dir) throws IOException {
        try (InputStream in = fs.open(new Path(dir, INFO_FILE))) {
            return CheckpointInfo.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private static LoadedCheckpoint loadDir(FileSystem fs, Path dir) throws IOException {
        Path qualified = fs.makeQualified(dir);
        for (String file : List.of(INFO_FILE, MODEL_FILE, EMA_FILE)) {
            if (!fs.exists(new Path(qualified, file))) {
                throw new FileNotFoundException("not a complete checkpoint: " + qualified + " has no " + file);
            }
        }
        CheckpointInfo info = readInfo(fs, qualified);
        NativeRuntime.init();
        ComputationGraph graph;
        try (InputStream in = new BufferedInputStream(fs.open(new Path(qualified, MODEL_FILE)), BUFFER)) {
            graph = ModelZip.readGraph(in, true, new Path(qualified, MODEL_FILE).toString());
        }
        INDArray ema = parameterVector(fs, qualified, EMA_FILE, graph);
        Path momentumFile = new Path(qualified, OUTER_MOMENTUM_FILE);
        INDArray outerMomentum = fs.exists(momentumFile) ? parameterVector(fs, qualified, OUTER_MOMENTUM_FILE, graph) : null;
        return new LoadedCheckpoint(qualified, info, graph, ema, outerMomentum);
    }

    /** A vector of one value per network parameter, as float when the network is float. */
    private static INDArray parameterVector(FileSystem fs, Path dir, String file, ComputationGraph graph)
            throws IOException {
        INDArray vector = readVector(fs, new Path(dir, file));
        if (vector.length() != graph.numParams()) {
            throw new IOException("checkpoint " + dir + " is inconsistent: " + file + " has " + vector.length()
                    + " values, the model " + graph.numParams() + " parameters");
        }
        if (vector.dataType() != DataType.FLOAT && graph.params().dataType() == DataType.FLOAT) {
            vector = vector.castTo(DataType.FLOAT);
        }
        return vector;
    }
}
