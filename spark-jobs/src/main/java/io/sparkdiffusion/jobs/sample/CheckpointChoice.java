package io.sparkdiffusion.jobs.sample;

import io.sparkdiffusion.checkpoint.CheckpointInfo;
import io.sparkdiffusion.checkpoint.CheckpointRef;
import io.sparkdiffusion.checkpoint.CheckpointStore;
import io.sparkdiffusion.config.ConfigError;
import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.image.ImageShape;
import io.sparkdiffusion.model.UNetSpec;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.Optional;

/**
 * The checkpoint a generation job uses, found and checked on the driver before Spark starts: an explicit
 * {@code checkpoint} directory, or the {@code run-dir}'s LATEST.
 *
 * @param dir  the qualified checkpoint directory
 * @param info its checkpoint.json
 */
public record CheckpointChoice(Path dir, CheckpointInfo info) {

    public static CheckpointChoice resolve(GenerationSettings settings, Configuration conf) throws IOException {
        return resolve(settings.runDir(), settings.checkpoint(), settings.root(), conf);
    }

    /** Refuses settings that name neither a run directory nor a checkpoint (the keys {@code <root>.run-dir}, ...). */
    public static void requireOne(Optional<String> runDir, Optional<String> checkpoint, String root) {
        if (runDir.isEmpty() && checkpoint.isEmpty()) {
            throw new ConfigError(root + ".run-dir and " + root + ".checkpoint are both empty: set one (a TrainJob run "
                    + "directory, or one of its checkpoints/step-* directories)");
        }
    }

    /**
     * The checkpoint directory when given, else the run directory's latest complete checkpoint.
     *
     * @param root the keys' section, e.g. "sample", for error messages
     */
    public static CheckpointChoice resolve(Optional<String> runDir, Optional<String> checkpoint, String root,
                                           Configuration conf) throws IOException {
        String dir;
        if (checkpoint.isPresent()) {
            dir = checkpoint.get();
        } else {
            CheckpointStore store = CheckpointStore.open(runDir.orElseThrow(), conf);
            CheckpointRef latest = store.latest().orElseThrow(() -> new InputError("no complete checkpoint in "
                    + store.checkpointsDir() + " (" + root + ".run-dir)"));
            dir = latest.dir().toString();
        }
        CheckpointInfo info;
        try {
            info = CheckpointStore.readInfo(dir, conf);
        } catch (FileNotFoundException e) {
            throw new InputError(e.getMessage() + " (" + root + ".checkpoint)", e);
        } catch (IOException e) {
            throw new InputError("cannot read the checkpoint " + dir + ": " + e.getMessage(), e);
        }
        Path path = new Path(dir);
        CheckpointChoice choice = new CheckpointChoice(path.getFileSystem(conf).makeQualified(path), info);
        choice.checkConsistent();
        return choice;
    }

    public UNetSpec spec() {
        return info.model();
    }

    /** The shape of the images the model makes. */
    public ImageShape shape() {
        return new ImageShape(spec().imageChannels(), spec().imageSize(), spec().imageSize());
    }

    /**
     * Refuses a checkpoint whose images differ from what the job expects (another data set's shape, or the
     * configured one).
     *
     * @param what where the expectation comes from, for the message
     */
    public void checkShape(ImageShape expected, String what) {
        if (!shape().equals(expected)) {
            throw new InputError("checkpoint " + dir + " makes " + shape() + " images, but " + what + " is "
                    + expected);
        }
    }

    private void checkConsistent() {
        ImageShape trained = info.imageShape();
        if (!trained.equals(shape())) {
            throw new InputError("checkpoint " + dir + " is inconsistent: trained on " + trained
                    + " images, but its model spec is for " + shape());
        }
        if (spec().conditional() && info.classNames().size() != spec().numClasses()) {
            throw new InputError("checkpoint " + dir + " is inconsistent: its model has " + spec().numClasses()
                    + " classes, its class list " + info.classNames().size());
        }
    }
}
