package io.sparkdiffusion.train;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.ViewBox;

import java.awt.Color;
import java.awt.Rectangle;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders the loss of a run's metrics rows (step, loss, and val_loss where a row has one) as a line chart with
 * a log-scale loss axis: a PNG ({@code loss.png}) or the same chart as an SVG element (the run report).
 */
public final class LossCurve {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 500;

    private LossCurve() {
    }

    public static byte[] png(List<Map<String, Object>> rows, String title) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ChartUtils.writeChartAsPNG(out, chart(rows, title), WIDTH, HEIGHT);
        } catch (IOException e) {
            throw new UncheckedIOException("rendering the loss curve failed", e);
        }
        return out.toByteArray();
    }

    /**
     * The same chart as one {@code <svg>} element that scales to its container's width (a view box, no fixed size),
     * with no reference outside itself.
     */
    public static String svg(List<Map<String, Object>> rows, String title) {
        SVGGraphics2D svg = new SVGGraphics2D(WIDTH, HEIGHT);
        svg.setDefsKeyPrefix("loss-"); // ids unique in a page that holds other SVG
        svg.setGeomDoubleConverter(v -> String.format(Locale.ROOT, "%.1f", v)); // a tenth of a pixel is enough
        chart(rows, title).draw(svg, new Rectangle(0, 0, WIDTH, HEIGHT));
        return svg.getSVGElement("loss-curve", false, new ViewBox(0, 0, WIDTH, HEIGHT), null, null);
    }

    private static JFreeChart chart(List<Map<String, Object>> rows, String title) {
        System.setProperty("java.awt.headless", "true");
        XYSeries loss = series(rows, "loss", "training loss (per-pixel MSE)");
        XYSeries validation = series(rows, "val_loss", "validation loss (held-out set, fixed noise)");
        XYSeriesCollection curves = new XYSeriesCollection(loss);
        if (validation.getItemCount() > 0) {
            curves.addSeries(validation);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, "step", "loss", curves,
                PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        if (validation.getItemCount() > 0 && plot.getRenderer() instanceof XYLineAndShapeRenderer lines) {
            lines.setSeriesShapesVisible(1, true); // validated every few rounds: show where it was measured
        }
        if (loss.getItemCount() > 0) {
            RoundLogAxis axis = new RoundLogAxis("loss (log scale)");
            axis.setSmallestValue(1e-4);
            plot.setRangeAxis(axis);
        }
        return chart;
    }

    private static XYSeries series(List<Map<String, Object>> rows, String key, String name) {
        XYSeries series = new XYSeries(name);
        for (Map<String, Object> row : rows) {
            if (row.get("step") instanceof Number step && row.get(key) instanceof Number value
                    && Double.isFinite(value.doubleValue()) && value.doubleValue() > 0) {
                series.add(step.doubleValue(), value.doubleValue());
            }
        }
        return series;
    }
}
