package io.sparkdiffusion.train;

import io.sparkdiffusion.image.PngImages;
import io.sparkdiffusion.image.Uint8Image;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LossCurveTest {
    @Test
    void rendersAPngChartOfTheLoss() throws Exception {
        List<Map<String, Object>> rows = List.of(
                Map.of("step", 10, "loss", 0.9), Map.of("step", 20, "loss", 0.3),
                Map.of("step", 30, "loss", Double.NaN), Map.of("step", 40, "loss", 0.1));
        Uint8Image chart = PngImages.decode(LossCurve.png(rows, "run"));
        assertEquals(900, chart.width());
        assertEquals(500, chart.height());
        // a chart, not a blank canvas: more than a handful of distinct colours
        long distinct = java.util.stream.IntStream.range(0, chart.pixels().length / 3)
                .map(i -> chart.get(0, i / 900, i % 900)).distinct().count();
        assertTrue(distinct > 5, "distinct grey levels in the red channel: " + distinct);
    }

    @Test
    void rendersTheSameChartAsOneSelfContainedSvgElement() {
        List<Map<String, Object>> rows = List.of(Map.of("step", 10, "loss", 0.9), Map.of("step", 20, "loss", 0.3,
                "val_loss", 0.35), Map.of("step", 30, "loss", 0.2, "val_loss", 0.25));
        String svg = LossCurve.svg(rows, "run");
        assertTrue(svg.startsWith("<svg") && svg.endsWith("</svg>"), svg.substring(0, 40));
        String open = svg.substring(0, svg.indexOf('>'));
        assertTrue(open.contains("viewBox=") && !open.contains(" width="), "scales with the page: " + open);
        assertTrue(svg.contains("validation loss"), "the validation series has its legend entry");
        assertTrue(svg.contains("<path") || svg.contains("<line"), "the curves are drawn");
        assertFalse(svg.contains("href=\"http") || svg.contains("url(http"), "refers to nothing outside itself");
    }

    @Test
    void theLossAxisIsLabelledAtRoundNumbers() {
        assertEquals(List.of("0.2", "0.5", "1"), labels(0.15, 1.1));
        assertEquals(List.of("0.005", "0.01", "0.02", "0.05", "0.1"), labels(0.004, 0.12));
        // fewer than three of 1, 2, 5 in range: every digit
        assertEquals(List.of("0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9"), labels(0.25, 0.95));
    }

    private static List<String> labels(double lower, double upper) {
        return RoundLogAxis.ticks(lower, upper).stream().map(t -> t.getText()).toList();
    }

    @Test
    void emptyMetricsStillRender() throws Exception {
        assertEquals(900, PngImages.decode(LossCurve.png(List.of(), "empty")).width());
    }
}
