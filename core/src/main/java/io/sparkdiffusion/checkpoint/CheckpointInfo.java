package io.sparkdiffusion.checkpoint;

import java.io.IOException;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.image.ImageShape;
import io.sparkdiffusion.model.UNetPreset;
import io.sparkdiffusion.model.UNetSpec;
import io.sparkdiffusion.schedule.ScheduleSpec;

/**
 * Everything about a checkpoint except the tensors; saved as {@code checkpoint.json}. Enough to rebuild the
 * denoiser (schedule, model spec, image shape, classes) and to resume training (step, epoch, EMA state,
 * seeds and whatever else the trainer keeps in {@code trainerState}).
 *
 * @param formatVersion {@link #FORMAT_VERSION}; a reader refuses newer versions
 * @param step          optimizer steps (averaging rounds on Spark) done so far
 * @param epoch         epochs completed
 * @param schedule      the noise schedule trained with
 * @param model         the U-Net spec
 * @param imageShape    channels, height, width of the training images
 * @param classNames    class names by label; empty for an unconditional model
 * @param emaDecay      the EMA's maximum decay
 * @param emaStep       EMA updates made (diffusers' optimization_step)
 * @param runSeed       the run's seed; batch noise is derived from (runSeed, epoch, partition)
 * @param trainerState  free-form JSON values the trainer needs to resume (counters, RNG positions, settings)
 * @param dataManifest  the training data's manifest.json, or null
 * @param metrics       e.g. the latest training loss
 * @param createdAt     ISO-8601 instant of the save
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CheckpointInfo(int formatVersion, long step, int epoch, ScheduleSpec schedule, UNetSpec model,
                             ImageShape imageShape, List<String> classNames, double emaDecay, long emaStep,
                             long runSeed, Map<String, Object> trainerState, JsonNode dataManifest,
                             Map<String, Double> metrics, String createdAt) {

    public static final int FORMAT_VERSION = 1;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES) // fields added later stay readable
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS) // a NaN loss must not make a checkpoint unreadable
            .build();

    public CheckpointInfo {
        if (step < 0 || epoch < 0 || emaStep < 0) {
            throw new IllegalArgumentException("checkpoint step, epoch and EMA step must be >= 0");
        }
        if (schedule == null || model == null || imageShape == null) {
            throw new IllegalArgumentException("a checkpoint needs its schedule, model spec and image shape");
        }
        classNames = classNames == null ? List.of() : List.copyOf(classNames);
        trainerState = readOnlyCopy(trainerState);
        metrics = readOnlyCopy(metrics);
        if (dataManifest != null && (dataManifest.isNull() || dataManifest.isMissingNode())) {
            dataManifest = null; // Jackson reads a JSON null into NullNode; keep one spelling of "none"
        }
    }

    /** A new checkpoint's info, created now, with no EMA, seed, trainer state, manifest or metrics yet. */
    public static CheckpointInfo of(long step, int epoch, ScheduleSpec schedule, UNetSpec model, ImageShape imageShape,
                                    List<String> classNames) {
        return new CheckpointInfo(FORMAT_VERSION, step, epoch, schedule, model, imageShape, classNames, 0.0, 0, 0,
                Map.of(), null, Map.of(), Instant.now().toString());
    }

    public CheckpointInfo withEma(double decay, long updates) {
        return new CheckpointInfo(formatVersion, step, epoch, schedule, model, imageShape, classNames, decay, updates,
                runSeed, trainerState, dataManifest, metrics, createdAt);
    }

    public CheckpointInfo withRunSeed(long seed) {
        return new CheckpointInfo(formatVersion, step, epoch, schedule, model, imageShape, classNames, emaDecay, emaStep,
                seed, trainerState, dataManifest, metrics, createdAt);
    }

    public CheckpointInfo withTrainerState(Map<String, Object> state) {
        return new CheckpointInfo(formatVersion, step, epoch, schedule, model, imageShape, classNames, emaDecay, emaStep,
                runSeed, state, dataManifest, metrics, createdAt);
    }

    public CheckpointInfo withDataManifest(JsonNode manifest) {
        return new CheckpointInfo(formatVersion, step, epoch, schedule, model, imageShape, classNames, emaDecay, emaStep,
                runSeed, trainerState, manifest, metrics, createdAt);
    }

    public CheckpointInfo withMetrics(Map<String, Double> newMetrics) {
        return new CheckpointInfo(formatVersion, step, epoch, schedule, model, imageShape, classNames, emaDecay, emaStep,
                runSeed, trainerState, dataManifest, newMetrics, createdAt);
    }

    /**
     * Refuses, with an {@link InputError} naming the setting, to resume this checkpoint with another network, noise
     * schedule or seed: another network cannot take its weights, another schedule changes what the network learns,
     * another seed the data order and noise of the remaining steps.
     *
     * @param dir          the checkpoint's directory, for the message
     * @param keyPrefix    the job's settings root with its dot, e.g. {@code train.} or {@code local.}
     * @param model        the configured network, or null when it is not known yet (then a later call checks it)
     * @param presetGiving the {@code model.preset} that, with the other model keys as configured, gives this
     *                     checkpoint's network, or null when none does (named in the message)
     */
    public void checkResumable(String dir, String keyPrefix, ScheduleSpec schedule, long seed, UNetSpec model,
                               String presetGiving) {
        if (model != null && !this.model.equals(model)) {
            boolean prePresetDefault = this.model.equals(UNetPreset.SMALL28.spec(this.model.imageChannels(),
                    this.model.imageSize(), this.model.numClasses()));
            String hint = presetGiving == null ? "" : "; " + keyPrefix + "model.preset=" + presetGiving
                    + " gives the checkpoint's network" + (prePresetDefault
                    ? ", the default of runs made before model.preset existed" : "");
            throw new InputError("cannot resume " + dir + ": its model " + this.model + " differs from the configured "
                    + model + " (" + keyPrefix + "model" + hint + ")");
        }
        if (!this.schedule.equals(schedule)) {
            throw new InputError("cannot resume " + dir + ": its noise schedule " + this.schedule
                    + " differs from the configured " + schedule + " (" + keyPrefix + "schedule)");
        }
        if (runSeed != seed) {
            throw new InputError("cannot resume " + dir + " with another " + keyPrefix + "seed (" + seed
                    + " instead of " + runSeed + "): the data order would change");
        }
    }

    /**
     * Refuses, with an {@link InputError}, to resume this checkpoint on data of other classes (a renamed class folder
     * gives a label another meaning) or of another image shape. A trainer checks the rest its data must match.
     *
     * @param dir       the checkpoint's directory, for the message
     * @param keyPrefix the job's settings root with its dot, e.g. {@code train.} or {@code local.}
     * @param data      the configured data, named in the message
     */
    public void checkResumableOn(String dir, String keyPrefix, String data, List<String> dataClassNames,
                                 ImageShape dataShape) {
        if (!classNames.equals(dataClassNames)) {
            throw new InputError("cannot resume " + dir + " on " + data + ": its classes " + dataClassNames
                    + " are not the checkpoint's " + classNames + " (a label would mean another class); train on the "
                    + "data the run started with, or start a new " + keyPrefix + "run-dir");
        }
        if (!imageShape.equals(dataShape)) {
            throw new InputError("cannot resume " + dir + " on " + data + ": its images are " + dataShape
                    + ", the checkpoint's " + imageShape);
        }
    }

    /**
     * A trainer-state number as a long. JSON does not keep Java types: a long that fits in an int comes back
     * as an Integer, so read numbers through this.
     */
    public long trainerLong(String key, long otherwise) {
        Object value = trainerState.get(key);
        return value instanceof Number n ? n.longValue() : otherwise;
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("checkpoint info not serializable: " + e.getOriginalMessage(), e);
        }
    }

    /** Parses checkpoint.json; refuses a format newer than this code. */
    public static CheckpointInfo fromJson(String json) throws IOException {
        JsonNode tree = JSON.readTree(json);
        int version = tree.path("formatVersion").asInt(-1);
        if (version < 1 || version > FORMAT_VERSION) {
            throw new IOException("checkpoint format version " + version + " is not supported (this build reads 1.."
                    + FORMAT_VERSION + ")");
        }
        return JSON.treeToValue(tree, CheckpointInfo.class);
    }

    /** The mapper used for checkpoint.json, for callers that want the same JSON conventions (e.g. manifests). */
    public static ObjectMapper json() {
        return JSON;
    }

    private static <V> Map<String, V> readOnlyCopy(Map<String, V> map) {
        return map == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }
}
