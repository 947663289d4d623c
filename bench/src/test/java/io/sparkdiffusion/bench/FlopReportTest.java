package io.sparkdiffusion.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkdiffusion.model.FlopCount;
import io.sparkdiffusion.model.UNetSpec;
import org.junit.jupiter.api.Test;

class FlopReportTest {

    @Test
    void colourBenchShapesMatchThePyTorchReferencesOwnCount() {
        // ddpm_ref.py --size S --in-channels 3 --mults 1,2,2,2: conv MACs 176,881,664 (32 px) and 707,526,656 (64 px),
        // linear 90,112 at both
        UNetSpec s32 = FlopReport.benchSpec(3, 32, false);
        assertEquals(java.util.List.of(1, 2, 2, 2), s32.channelMultipliers());
        assertTrue(!s32.hasAttention());
        assertEquals(2L * (176_881_664 + 90_112), FlopCount.of(s32).forward());
        assertEquals(2L * (707_526_656 + 90_112), FlopCount.of(FlopReport.benchSpec(3, 64, false)).forward());
        assertTrue(FlopReport.benchSpec(3, 32, true).hasAttention(), "small32 keeps its attention unless asked");
        assertEquals(UNetSpec.reference(), FlopReport.benchSpec(1, 28, false));
        assertEquals(java.util.List.of(3, 64), java.util.Arrays.stream(FlopReport.parseShape("3x64")).boxed().toList());
    }
}
