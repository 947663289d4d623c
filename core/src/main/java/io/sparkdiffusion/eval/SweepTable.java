package io.sparkdiffusion.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.text.NumberFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The scores of a sampler sweep, one row per {@link SweepPoint}: as JSON ({@code sweep.json}), CSV
 * ({@code sweep.csv}), a markdown table (the job's output) and a plot ({@code sweep.png}) of Fréchet distance and
 * class consistency against the guidance scale, one line per sampler setting.
 */
public record SweepTable(List<Row> rows) {
    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    /** Dark, distinct line colours (Tableau 10) that read on white. */
    private static final Color[] LINE_COLOURS = {new Color(0x4E79A7), new Color(0xF28E2B), new Color(0xE15759),
            new Color(0x76B7B2), new Color(0x59A14F), new Color(0xEDC948), new Color(0xB07AA1), new Color(0xFF9DA7),
            new Color(0x9C755F), new Color(0xBAB0AC)};
    private static final String CSV_HEADER = "sampler,steps,guidance,image_passes,images,frechet_distance,"
            + "same_size_floor,same_size_generated,class_consistency,tstr_accuracy,trtr_accuracy,sample_seconds";

    /**
     * One point's scores.
     *
     * @param imagePasses       images pushed through the network per generated image ({@link SweepPoint#imagePasses})
     * @param frechetDistance   all generated images against the whole reference split
     * @param sameSizeFloor     two disjoint real subsets of the same size (the floor), null if too few images
     * @param sameSizeGenerated a real subset against as many generated images, null if too few images
     * @param sampleSeconds     wall time of the sampling (SampleJob's part of the point); null when an earlier,
     *                          killed run made the images
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Row(SweepPoint point, int imagePasses, long images, double frechetDistance, Double sameSizeFloor,
                      Double sameSizeGenerated, Double classConsistency, Double tstrAccuracy, Double trtrAccuracy,
                      Double sampleSeconds) {

        public static Row of(SweepPoint point, boolean conditional, EvaluationReport report, Double sampleSeconds) {
            return new Row(point, point.imagePasses(conditional), report.inputs().generatedImages(),
                    report.frechetDistance(), report.sameSize().realVsReal(), report.sameSize().realVsGenerated(),
                    report.classConsistency(), accuracy(report.trainOnSynthetic()), accuracy(report.trainOnReal()),
                    sampleSeconds);
        }

        private static Double accuracy(EvaluationReport.TrainTest judge) {
            return judge == null ? null : judge.accuracy();
        }

        public byte[] toJson() throws IOException {
            return JSON.writeValueAsBytes(this);
        }

        public static Row fromJson(byte[] json) throws IOException {
            return JSON.readValue(json, Row.class);
        }
    }

    public SweepTable {
        rows = List.copyOf(rows);
    }

    public byte[] toJson() throws IOException {
        return JSON.writeValueAsBytes(Map.of("points", rows));
    }

    public String csv() {
        StringBuilder out = new StringBuilder(CSV_HEADER).append('\n');
        for (Row r : rows) {
            out.append(String.join(",", r.point().sampler(), Integer.toString(r.point().steps()),
                    SweepPoint.plain(r.point().guidance()), Integer.toString(r.imagePasses()), Long.toString(r.images()),
                    number(r.frechetDistance()), number(r.sameSizeFloor()), number(r.sameSizeGenerated()),
                    number(r.classConsistency()), number(r.tstrAccuracy()), number(r.trtrAccuracy()),
                    number(r.sampleSeconds()))).append('\n');
        }
        return out.toString();
    }

    /** The rows as a markdown table, best Fréchet distance marked. */
    public String markdown() {
        double best = rows.stream().mapToDouble(Row::frechetDistance).min().orElse(Double.NaN);
        StringBuilder out = new StringBuilder("| sampler | steps | guidance | image passes | images | Fréchet distance"
                + " | same-size: generated / floor | class consistency | TSTR / TRTR | sampling s |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            String fd = String.format(Locale.ROOT, "%.2f", r.frechetDistance());
            out.append(String.format(Locale.ROOT, "| %s | %d | %s | %d | %,d | %s | %s / %s | %s | %s / %s | %s |%n",
                    r.point().sampler(), r.point().steps(), SweepPoint.plain(r.point().guidance()), r.imagePasses(),
                    r.images(), r.frechetDistance() == best ? "**" + fd + "**" : fd, fixed(r.sameSizeGenerated()),
                    fixed(r.sameSizeFloor()), percent(r.classConsistency()), percent(r.tstrAccuracy()),
                    percent(r.trtrAccuracy()), r.sampleSeconds() == null ? "-" : String.format(Locale.ROOT, "%.1f",
                            r.sampleSeconds())));
        }
        return out.toString();
    }

    /** Fréchet distance (top) and class consistency (bottom) against guidance, a line per sampler setting. */
    public byte[] png() {
        System.setProperty("java.awt.headless", "true");
        NumberAxis guidance = new NumberAxis("guidance scale");
        guidance.setAutoRangeIncludesZero(false);
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(guidance);
        plot.setGap(12);
        List<String> lines = rows.stream().map(r -> r.point().samplerLabel()).distinct().toList();
        plot.add(panel("Fréchet distance (lower is better)", Row::frechetDistance, lines, true), 3);
        if (rows.stream().anyMatch(r -> r.classConsistency() != null)) {
            XYPlot consistency = panel("class consistency", Row::classConsistency, lines, false);
            NumberFormat percent = NumberFormat.getPercentInstance(Locale.ROOT);
            percent.setMaximumFractionDigits(1);
            ((NumberAxis) consistency.getRangeAxis()).setNumberFormatOverride(percent);
            plot.add(consistency, 2);
        }
        JFreeChart chart = new JFreeChart("Sampler sweep: quality against guidance", JFreeChart.DEFAULT_TITLE_FONT,
                plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ChartUtils.writeChartAsPNG(out, chart, 900, 700);
        } catch (IOException e) {
            throw new UncheckedIOException("rendering the sweep plot failed", e);
        }
        return out.toByteArray();
    }

    /**
     * One panel: a line per sampler setting, in the colour it has in every panel ({@code lines} fixes the order);
     * only the panel with {@code legend} lists them, so the legend names each line once.
     */
    private XYPlot panel(String label, Function<Row, Double> value, List<String> lines, boolean legend) {
        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (String line : lines) {
            XYSeries series = new XYSeries(line);
            for (Row r : rows) {
                Double v = value.apply(r);
                if (r.point().samplerLabel().equals(line) && v != null && Double.isFinite(v)) {
                    series.add(r.point().guidance(), v);
                }
            }
            int index = data.getSeriesCount();
            data.addSeries(series);
            renderer.setSeriesPaint(index, LINE_COLOURS[lines.indexOf(line) % LINE_COLOURS.length]);
            renderer.setSeriesShape(index, new Ellipse2D.Double(-3.5, -3.5, 7, 7));
            renderer.setSeriesVisibleInLegend(index, legend);
        }
        NumberAxis axis = new NumberAxis(label);
        axis.setAutoRangeIncludesZero(false);
        XYPlot panel = new XYPlot(data, null, axis, renderer);
        panel.setBackgroundPaint(Color.WHITE);
        panel.setDomainGridlinePaint(Color.LIGHT_GRAY);
        panel.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return panel;
    }

    private static String number(Double v) {
        return v == null ? "" : String.format(Locale.ROOT, "%.6g", v);
    }

    private static String fixed(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String percent(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.1f %%", 100 * v);
    }
}
