package io.sparkdiffusion.model;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.typesafe.config.Config;
import io.sparkdiffusion.checkpoint.CheckpointInfo;
import io.sparkdiffusion.config.ConfigError;
import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.config.JobConfigLoader;
import io.sparkdiffusion.config.Settings;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.Adam;

/** model.preset: which arrangement each image size gets, and keys overriding it one by one. */
class UNetPresetTest {

    @Test
    void autoChoosesByImageSizeAPresetThatCanBeBuiltThere() {
        Map<Integer, UNetPreset> expected = Map.of(8, UNetPreset.SMALL28, 28, UNetPreset.SMALL28,
                36, UNetPreset.SMALL28, 32, UNetPreset.SMALL32, 48, UNetPreset.SMALL28, 64, UNetPreset.BASE64,
                96, UNetPreset.SMALL28, 128, UNetPreset.SMALL28);
        expected.forEach((size, preset) -> assertEquals(preset, UNetPreset.named("auto", size), "size " + size));
        for (int size = 4; size <= 256; size += 4) {
            UNetPreset auto = UNetPreset.named("auto", size);
            int at = size;
            assertDoesNotThrow(() -> auto.spec(3, at, 10), auto.name() + " at " + size + " px");
        }
        assertEquals(UNetPreset.BASE64, UNetPreset.named("Base64", 32), "a name wins over the size");
        assertThrows(IllegalArgumentException.class, () -> UNetPreset.named("huge", 32));
    }

    @Test
    void fashionMnistKeepsTheReferenceNetwork() {
        assertEquals(UNetSpec.reference(), model("local", 1, 28));
    }

    @Test
    void eachKeySetOverridesThePresetAndTheRestStays() {
        UNetSpec spec = model("local", 3, 64, "local.model.base-channels=16", "local.model.attention-resolutions=[8]");
        assertEquals(16, spec.baseChannels());
        assertEquals(List.of(8), spec.attentionResolutions());
        assertEquals(UNetPreset.BASE64.channelMultipliers(), spec.channelMultipliers());
        assertEquals(UNetPreset.BASE64.groups(), spec.groupNormGroups());

        UNetSpec named = model("local", 3, 32, "local.model.preset=small28", "local.model.groups=4");
        assertEquals(List.of(1, 2, 2), named.channelMultipliers());
        assertEquals(4, named.groupNormGroups());
        assertEquals(List.of(), named.attentionResolutions());
    }

    @Test
    void badPresetsAndShapesAreConfigErrorsNamingTheKey() {
        ConfigError unknown = assertThrows(ConfigError.class, () -> model("local", 3, 32, "local.model.preset=huge"));
        assertTrue(unknown.getMessage().startsWith("key 'local.model.preset': unknown preset 'huge'"), unknown.getMessage());
        ConfigError size = assertThrows(ConfigError.class, () -> model("local", 3, 36, "local.model.preset=small32"));
        assertTrue(size.getMessage().contains("preset small32") && size.getMessage().contains("multiple of 8"),
                size.getMessage());
        ConfigError side = assertThrows(ConfigError.class,
                () -> model("local", 3, 32, "local.model.attention-resolutions=[12]"));
        assertTrue(side.getMessage().contains("attention resolution 12"), side.getMessage());
    }

    @Test
    void base64AttendsAt16And8() {
        UNetSpec spec = UNetPreset.BASE64.spec(3, 64, 0);
        ComputationGraphConfiguration conf = UNetBuilder.configuration(spec, new Adam(1e-3), 0).clone();
        Map<String, InputType> types = conf.getLayerActivationTypes(UNetBuilder.inputTypes(spec));
        List<Long> attentionSides = types.entrySet().stream().filter(e -> e.getKey().endsWith("_attend"))
                .map(e -> ((InputType.InputTypeConvolutional) e.getValue()).getHeight()).sorted().toList();
        assertEquals(List.of(8L, 8L, 16L, 16L), attentionSides, "one attention per block, down and up");
        // its FLOPs (small enough for a CPU): the bench module's FlopCountTest
    }

    @Test
    void aCheckpointWrittenBeforeAttentionResolutionsReadsAsNone() throws Exception {
        UNetSpec spec = UNetPreset.SMALL32.spec(3, 32, 0);
        CheckpointInfo info = CheckpointInfo.of(1, 0, io.sparkdiffusion.schedule.ScheduleSpec.DEFAULT, spec,
                new io.sparkdiffusion.image.ImageShape(3, 32, 32), List.of());
        assertEquals(spec, CheckpointInfo.fromJson(info.toJson()).model());
        String old = info.toJson().replaceAll(",\\s*\"attentionResolutions\"\\s*:\\s*\\[[^\\]]*\\]", "");
        assertTrue(!old.contains("attentionResolutions"), old);
        assertEquals(List.of(), CheckpointInfo.fromJson(old).model().attentionResolutions());
    }

    @Test
    void aResumeWithAnotherNetworkNamesThePresetThatGivesTheCheckpointsOne() {
        // a 32 px run made before presets: the small28 network, which auto no longer picks at 32 px
        UNetSpec old = UNetPreset.SMALL28.spec(3, 32, 0);
        CheckpointInfo info = CheckpointInfo.of(1, 0, io.sparkdiffusion.schedule.ScheduleSpec.DEFAULT, old,
                new io.sparkdiffusion.image.ImageShape(3, 32, 32), List.of());
        Settings auto = settings("local");
        InputError refused = assertThrows(InputError.class, () -> info.checkResumable("run/step-0000001", "local.",
                io.sparkdiffusion.schedule.ScheduleSpec.DEFAULT, 0, SpecReader.model(auto, "local.model", 3, 32, 0),
                SpecReader.presetGiving(auto, "local.model", old).orElse(null)));
        assertTrue(refused.getMessage().contains("(local.model; local.model.preset=small28 gives the checkpoint's "
                + "network, the default of runs made before model.preset existed)"), refused.getMessage());

        // with another key set, small28 no longer gives it: no hint
        Settings wider = settings("local", "local.model.base-channels=16");
        refused = assertThrows(InputError.class, () -> info.checkResumable("run/step-0000001", "local.",
                io.sparkdiffusion.schedule.ScheduleSpec.DEFAULT, 0, SpecReader.model(wider, "local.model", 3, 32, 0),
                SpecReader.presetGiving(wider, "local.model", old).orElse(null)));
        assertTrue(refused.getMessage().endsWith("(local.model)"), refused.getMessage());

        refused = assertThrows(InputError.class, () -> info.checkResumable("run/step-0000001", "local.",
                io.sparkdiffusion.schedule.ScheduleSpec.DEFAULT, 5, old, null));
        assertTrue(refused.getMessage().contains("another local.seed (5 instead of 0)"), refused.getMessage());
    }

    private static Settings settings(String root, String... sets) {
        return new Settings(JobConfigLoader.forJob(root).load(Optional.empty(), List.of(sets)));
    }

    private static UNetSpec model(String root, int channels, int size, String... sets) {
        Config config = JobConfigLoader.forJob(root).load(Optional.empty(), List.of(sets));
        return SpecReader.model(new Settings(config), root + ".model", channels, size, 0);
    }
}
