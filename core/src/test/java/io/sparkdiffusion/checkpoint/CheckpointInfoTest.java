package io.sparkdiffusion.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.sparkdiffusion.image.ImageShape;
import io.sparkdiffusion.model.UNetSpec;
import io.sparkdiffusion.schedule.ScheduleSpec;

class CheckpointInfoTest {

    static CheckpointInfo sampleInfo(long step) throws IOException {
        JsonNode manifest = CheckpointInfo.json().readTree(
                "{\"formatVersion\":1,\"shape\":[1,28,28],\"classes\":{\"0\":\"t-shirt-top\"},\"mean\":[0.286]}");
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("nextBatchIndex", 17);
        state.put("sampler", "ddim");
        state.put("history", List.of(1, 2, 3));
        return CheckpointInfo.of(step, 3, ScheduleSpec.cosine(500),
                        UNetSpec.reference().withClasses(10).withImage(3, 32), new ImageShape(3, 32, 32),
                        List.of("cat", "dog"))
                .withEma(0.9995, 42)
                .withRunSeed(1234567890123L)
                .withTrainerState(state)
                .withDataManifest(manifest)
                .withMetrics(Map.of("loss", 0.0314, "lr", 2e-4));
    }

    @Test
    void jsonRoundTripKeepsEverything() throws IOException {
        CheckpointInfo info = sampleInfo(1200);
        String json = info.toJson();
        CheckpointInfo back = CheckpointInfo.fromJson(json);
        assertEquals(info, back);
        assertEquals(ScheduleSpec.Kind.COSINE, back.schedule().kind());
        assertEquals(List.of(1, 2, 2), back.model().channelMultipliers());
        assertEquals(17L, back.trainerLong("nextBatchIndex", -1));
        assertEquals(-1L, back.trainerLong("missing", -1));
        assertEquals(0.286, back.dataManifest().path("mean").get(0).asDouble());
        // Enums as names, a readable file.
        assertTrue(json.contains("\"kind\" : \"COSINE\""), json);
        assertTrue(json.contains("\"prediction\" : \"EPSILON\""), json);
    }

    @Test
    void absentManifestAndNaNMetricSurvive() throws IOException {
        CheckpointInfo info = sampleInfo(5).withDataManifest(null).withMetrics(Map.of("loss", Double.NaN));
        CheckpointInfo back = CheckpointInfo.fromJson(info.toJson());
        assertNull(back.dataManifest());
        assertTrue(back.metrics().get("loss").isNaN());
        assertEquals(info.classNames(), back.classNames());
    }

    @Test
    void newerFormatIsRefusedAndUnknownFieldsIgnored() throws IOException {
        ObjectNode tree = (ObjectNode) CheckpointInfo.json().readTree(sampleInfo(1).toJson());
        tree.put("addedInAFutureVersion", true);
        assertEquals(sampleInfo(1).step(), CheckpointInfo.fromJson(tree.toString()).step());

        tree.put("formatVersion", 2);
        IOException e = assertThrows(IOException.class, () -> CheckpointInfo.fromJson(tree.toString()));
        assertEquals("checkpoint format version 2 is not supported (this build reads 1..1)", e.getMessage());
    }
}
