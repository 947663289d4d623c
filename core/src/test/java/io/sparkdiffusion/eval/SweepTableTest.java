package io.sparkdiffusion.eval;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SweepTableTest {
    private static final SweepTable.Row DDIM = new SweepTable.Row(new SweepPoint("ddim", 50, 3.0), 100, 1000, 12.5,
            1.7, 13.1, 0.9, null, null, 42.25);
    private static final SweepTable.Row SOLVER = new SweepTable.Row(new SweepPoint("dpm-solver++", 20, 3.0), 40, 1000,
            11.0, 1.7, 11.9, 0.875, 0.8, 0.85, null);

    @Test
    void csvHasOneLineOfPlainNumbersPerPointAndEmptyCellsForWhatWasNotMeasured() {
        List<String> lines = new SweepTable(List.of(DDIM, SOLVER)).csv().lines().toList();
        assertEquals(3, lines.size());
        assertEquals("ddim,50,3,100,1000,12.5000,1.70000,13.1000,0.900000,,,42.2500", lines.get(1));
        assertEquals("dpm-solver++,20,3,40,1000,11.0000,1.70000,11.9000,0.875000,0.800000,0.850000,", lines.get(2));
    }

    @Test
    void theMarkdownTableMarksTheLowestDistance() {
        String table = new SweepTable(List.of(DDIM, SOLVER)).markdown();
        assertTrue(table.contains("| ddim | 50 | 3 | 100 | 1,000 | 12.50 | 13.10 / 1.70 | 90.0 % | - / - | 42.3 |"), table);
        assertTrue(table.contains("| dpm-solver++ | 20 | 3 | 40 | 1,000 | **11.00** | 11.90 / 1.70 | 87.5 % | 80.0 % / 85.0 % | - |"),
                table);
    }

    @Test
    void rowsRoundTripThroughJsonAndThePlotIsAPng() throws Exception {
        assertEquals(SOLVER, SweepTable.Row.fromJson(SOLVER.toJson()));
        BufferedImage plot = ImageIO.read(new ByteArrayInputStream(new SweepTable(List.of(DDIM, SOLVER)).png()));
        assertEquals(900, plot.getWidth());
        assertEquals(700, plot.getHeight());
    }
}
