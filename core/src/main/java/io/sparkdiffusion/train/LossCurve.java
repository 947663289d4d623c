package io.sparkdiffusion.train;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.text.DecimalFormat;
import java.util.List;
import java.util.Map;

/**
 * Renders the loss of a run's metrics rows (step, loss, and val_loss where a row has one) as a PNG line chart with
 * a log-scale loss axis.
 */
public final class LossCurve {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 500;

    private LossCurve() {
    }

    public static byte[] png(List<Map<String, Object>> rows, String title) {
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
        if (loss.getItemCount() > 0) {
            LogAxis axis = new LogAxis("loss (log scale)");
            axis.setSmallestValue(1e-4);
            axis.setNumberFormatOverride(new DecimalFormat("0.####")); // plain numbers, not 10^x
            plot.setRangeAxis(axis);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT);
        } catch (IOException e) {
            throw new UncheckedIOException("rendering the loss curve failed", e);
        }
        return out.toByteArray();
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
