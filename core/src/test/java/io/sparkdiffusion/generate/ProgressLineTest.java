package io.sparkdiffusion.generate;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ProgressLineTest {
    @Test
    void rateAndEtaCountOnlyThisRunsUnits() {
        // 10 units of 100 images, 4 done by a killed run; 3 more in 10 s → 30 img/s, 300 left → 10 s
        ProgressLine progress = new ProgressLine(10, 4, 1000, 100, 0);
        assertEquals("units 7/10  700/1,000 images  30.0 img/s  ETA 0m10s", progress.line(7, 10_000_000_000L));
        assertEquals("units 4/10  400/1,000 images  0.0 img/s  ETA ?", progress.line(4, 1_000_000_000L));
        assertEquals("units 10/10  1,000/1,000 images  60.0 img/s  ETA 0m00s", progress.line(10, 10_000_000_000L));
    }
}
