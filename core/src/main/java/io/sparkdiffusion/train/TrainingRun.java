package io.sparkdiffusion.train;

import io.sparkdiffusion.checkpoint.CheckpointInfo;
import io.sparkdiffusion.checkpoint.CheckpointStore;
import io.sparkdiffusion.checkpoint.LoadedCheckpoint;
import io.sparkdiffusion.config.CommitProtocol;
import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.model.UNetSpec;
import io.sparkdiffusion.schedule.ScheduleSpec;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One training run's directory, whatever makes its steps (LocalTrainAndSample's replicas in one JVM, TrainJob's
 * Spark averaging rounds): it starts the run or resumes it from LATEST, saves checkpoints and keeps the last N,
 * keeps the metrics rows, and writes the loss curve and the sample grids at the run's cadence. The trainer keeps
 * only its loop, and says what a checkpoint of its position holds ({@link Snapshot}).
 *
 * <pre>
 * &lt;run&gt;/checkpoints/…                 {@link CheckpointStore}
 * &lt;run&gt;/metrics.jsonl, loss.png       {@link MetricsLog}, rewritten at every checkpoint
 * &lt;run&gt;/samples/step-NNNNNNN.png      grids of EMA samples ({@link GridSampler})
 * </pre>
 *
 * <p>Every file goes through {@link CommitProtocol}: a reader (SampleJob, a report) never sees half of one.
 */
public final class TrainingRun {
    public static final String SAMPLES = "samples";

    /** A checkpoint of the trainer's position: its info (position, trainer state), weights, EMA, outer momentum. */
    public record Snapshot(CheckpointInfo info, ComputationGraph network, INDArray ema, INDArray outerMomentum) {
    }

    /** Where the run stops: after {@code epochs} epochs or {@code maxSteps} optimizer steps (0 = no step limit). */
    public record Limits(int epochs, long maxSteps) {
        /** Whether a run at this step and epoch has nothing left to do. */
        public boolean reached(long step, int epoch) {
            return epoch >= epochs || (maxSteps > 0 && step >= maxSteps);
        }
    }

    /**
     * When the run checkpoints and samples: every {@code checkpointEverySteps} steps and every
     * {@code checkpointEveryEpochs} epochs (0 = not by that count) and at the end, keeping the newest
     * {@code keepCheckpoints}; a grid every {@code sampleEveryEpochs} epochs (0 = never) and, with
     * {@code sampleAtEnd}, at the end.
     */
    public record Cadence(long checkpointEverySteps, int checkpointEveryEpochs, int keepCheckpoints,
                          int sampleEveryEpochs, boolean sampleAtEnd, SampleGrid grid) {
    }

    private final String root;
    private final CheckpointStore store;
    private final FileSystem fs;
    private final Limits limits;
    private final Cadence cadence;
    private final boolean resume;
    private final LoadedCheckpoint resumed;
    private MetricsLog metrics;
    private GridSampler sampler;
    private long startStep;

    private TrainingRun(String root, CheckpointStore store, FileSystem fs, Limits limits, Cadence cadence,
                        boolean resume, LoadedCheckpoint resumed) {
        this.root = root;
        this.store = store;
        this.fs = fs;
        this.limits = limits;
        this.cadence = cadence;
        this.resume = resume;
        this.resumed = resumed;
    }

    /**
     * Opens the run directory. With {@code resume}, loads its newest checkpoint (none: the run starts at step 0);
     * without, refuses a directory that holds a run: its checkpoints would be replaced and its metrics.jsonl
     * truncated, so nothing starts over in place.
     *
     * @param root       the trainer's settings root ({@code train}, {@code local}): its keys are named in messages,
     *                   and it starts the lines the run prints
     * @param resumeFlag how else a resume is asked for, named in the refusal (" (or --resume)"), or ""
     * @throws InputError (exit 2, one line) for a used directory without resume, or checkpoints none of which can
     *                    be resumed
     */
    public static TrainingRun open(String root, String runDir, boolean resume, String resumeFlag, Limits limits,
                                   Cadence cadence, Configuration hadoop) throws IOException {
        CheckpointStore store = CheckpointStore.open(runDir, hadoop);
        FileSystem fs = store.runDir().getFileSystem(hadoop);
        LoadedCheckpoint resumed = null;
        if (resume) {
            resumed = store.loadToResume(root + ".run-dir").orElse(null);
        } else {
            List<String> existing = store.entries();
            if (!existing.isEmpty()) {
                throw new InputError(runDir + " already has checkpoints (" + String.join(", ", existing) + "); set "
                        + root + ".resume=true" + resumeFlag + " to continue, or choose another " + root + ".run-dir");
            }
            // an earlier run's metrics.jsonl without checkpoints would be truncated
            if (fs.exists(new Path(store.runDir(), MetricsLog.FILE))) {
                throw new InputError(runDir + " already has the " + MetricsLog.FILE + " of an earlier run; "
                        + "choose another " + root + ".run-dir, or remove it to start over");
            }
        }
        return new TrainingRun(root, store, fs, limits, cadence, resume, resumed);
    }

    /** The checkpoint the run continues from; empty for a run that starts at step 0. */
    public Optional<LoadedCheckpoint> resumed() {
        return Optional.ofNullable(resumed);
    }

    /**
     * Whether the resumed checkpoint already reached the limits, said in one line. Nothing is then written: a
     * rewritten checkpoint would be a new one (createdAt) to SampleJob, and on an object store a crash while it
     * replaced the old one could leave none.
     */
    public boolean alreadyFinished() {
        if (resumed == null || !limits.reached(resumed.info().step(), resumed.info().epoch())) {
            return false;
        }
        say(resumed.dir() + " is at step " + resumed.info().step() + ", epoch " + resumed.info().epoch()
                + ": nothing to do for " + root + ".epochs = " + limits.epochs() + ", " + root + ".max-steps = "
                + limits.maxSteps() + "; the run is left as it is");
        return true;
    }

    /**
     * Starts training at {@code step} (0, or the resumed checkpoint's): on a resume removes what crashed saves left
     * in the checkpoints directory, and keeps the metrics rows up to the step, so that the curve of a resumed run joins up.
     */
    public void begin(long step, UNetSpec spec, ScheduleSpec schedule) throws IOException {
        if (resume) {
            store.deleteLeftovers();
        }
        startStep = step;
        metrics = MetricsLog.open(fs, store.runDir(), step);
        SampleGrid grid = cadence.grid();
        if (grid.count() > 0 && (cadence.sampleEveryEpochs() > 0 || cadence.sampleAtEnd())) {
            sampler = new GridSampler(spec, schedule, grid.sampler(), grid.steps(), grid.eta(), grid.guidance());
        }
    }

    /** Keeps a metrics row; it is written at the next checkpoint. */
    public void addMetrics(Map<String, Object> row) {
        metrics.add(row);
    }

    /**
     * Keeps the row of a step whose loss is not a number and writes the rows: the caller throws what this returns
     * rather than save the lost weights over a good checkpoint.
     *
     * @param learningRateKey the trainer's learning-rate key, named in the advice
     * @param clipKey         its gradient-clip key, or null when it has none
     */
    public TrainingDiverged diverged(Map<String, Object> row, double loss, long step, String learningRateKey,
                                     String clipKey) throws IOException {
        metrics.add(row);
        metrics.flush();
        return new TrainingDiverged(loss, step, learningRateKey, clipKey);
    }

    /** After an optimizer step: a checkpoint when the step cadence says so, unless the run ends there anyway. */
    public void afterStep(long step, Supplier<Snapshot> snapshot) throws IOException {
        long every = cadence.checkpointEverySteps();
        if (every > 0 && step % every == 0 && !(limits.maxSteps() > 0 && step >= limits.maxSteps())) {
            checkpoint(snapshot.get());
        }
    }

    /**
     * After the epoch {@code epochsDone - 1} ended at {@code step}: a checkpoint when the epoch cadence says so
     * (unless it was the last epoch, which {@link #finish} saves), and a sample grid when the sample cadence does.
     */
    public void afterEpoch(int epochsDone, long step, Supplier<Snapshot> snapshot) throws IOException {
        int every = cadence.checkpointEveryEpochs();
        Snapshot taken = null;
        if (every > 0 && epochsDone % every == 0 && epochsDone != limits.epochs()) {
            taken = snapshot.get();
            checkpoint(taken);
        }
        if (sampler != null && cadence.sampleEveryEpochs() > 0 && epochsDone % cadence.sampleEveryEpochs() == 0) {
            writeSampleGrid(taken != null ? taken : snapshot.get(), step);
        }
    }

    /**
     * Ends the run at {@code step}: a last checkpoint when it trained at all (one that trained nothing leaves its
     * checkpoint as it was), the grid when the run samples at its end, and where everything is.
     */
    public void finish(long step, Supplier<Snapshot> snapshot) throws IOException {
        Snapshot last = null;
        if (step > startStep) {
            last = snapshot.get();
            checkpoint(last);
        }
        if (sampler != null && cadence.sampleAtEnd()) {
            writeSampleGrid(last != null ? last : snapshot.get(), step);
        }
        say("done at step " + step + "; checkpoint " + store.latest().map(r -> r.dir().toString()).orElse("?"));
        say("loss curve " + new Path(store.runDir(), MetricsLog.LOSS_CURVE) + ", metrics "
                + new Path(store.runDir(), MetricsLog.FILE));
    }

    /** Saves a checkpoint, keeps the newest ones, and writes the metrics rows and the loss curve. */
    private void checkpoint(Snapshot snapshot) throws IOException {
        store.save(snapshot.info(), snapshot.network(), snapshot.ema(), snapshot.outerMomentum());
        store.keepLast(cadence.keepCheckpoints());
        metrics.flush();
        metrics.writeLossCurve("training loss");
        say("checkpoint at step " + snapshot.info().step() + " (epoch " + snapshot.info().epoch() + ")");
    }

    private void writeSampleGrid(Snapshot snapshot, long step) throws IOException {
        long started = System.nanoTime();
        SampleGrid grid = cadence.grid();
        Path path = new Path(new Path(store.runDir(), SAMPLES), String.format("step-%07d.png", step));
        CommitProtocol.replaceFile(fs, path, sampler.samplePng(snapshot.network(), snapshot.ema(), grid.count(),
                grid.seed()));
        say(String.format(java.util.Locale.ROOT, "sample grid %s (%d images, %s, %d steps, in %.1f s)", path,
                grid.count(), grid.sampler(), grid.steps(), (System.nanoTime() - started) / 1e9));
    }

    public CheckpointStore store() {
        return store;
    }

    public FileSystem fileSystem() {
        return fs;
    }

    private void say(String line) {
        System.out.println(root + ": " + line);
    }
}
