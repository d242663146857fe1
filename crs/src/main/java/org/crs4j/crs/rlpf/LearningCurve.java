package org.crs4j.crs.rlpf;

import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.crs4j.tensor.io.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * RLPF's learning curve as a PNG, drawn with XChart from {@value RlpfTrainer#METRICS}: the mean reward of each step's
 * batch (points), its moving average over {@value #WINDOW} steps (line), and the baseline b each step was weighed
 * against (line).
 */
public final class LearningCurve {
    public static final String FILE = "learning-curve.png";
    static final int WINDOW = 10;

    private LearningCurve() {}

    /** Reads the metrics CSV and writes the chart atomically; the title names the run. */
    public static void write(Path metricsCsv, Path png, String title) throws IOException {
        List<String> lines = Files.readAllLines(metricsCsv, StandardCharsets.UTF_8);
        if (lines.size() < 2) throw new IOException(metricsCsv + ": no steps to plot");
        List<String> header = List.of(lines.getFirst().split(","));
        int cs = column(metricsCsv, header, "step"), cr = column(metricsCsv, header, "mean_reward"), cb = column(metricsCsv, header, "baseline");
        List<Double> step = new ArrayList<>(), reward = new ArrayList<>(), baseline = new ArrayList<>(), average = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            String[] f = lines.get(i).split(",");
            try {
                step.add(Double.parseDouble(f[cs]));
                reward.add(Double.parseDouble(f[cr]));
                baseline.add(Double.parseDouble(f[cb]));
            } catch (RuntimeException e) {
                throw new IOException(metricsCsv + ": line " + (i + 1) + ": not a metrics row: " + lines.get(i));
            }
        }
        for (int i = 0; i < reward.size(); i++) {
            double s = 0;
            int from = Math.max(0, i - WINDOW + 1);
            for (int j = from; j <= i; j++) s += reward.get(j);
            average.add(s / (i - from + 1));
        }
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(900).height(540).title(title).xAxisTitle("RLPF step").yAxisTitle("reward").build();
        var st = chart.getStyler();
        st.setChartBackgroundColor(Color.WHITE);
        st.setLegendPosition(Styler.LegendPosition.InsideNW);
        // XChart puts a tick every 5 steps, where three-digit labels run together: label fewer of them
        double last = step.isEmpty() ? 0 : step.getLast();
        int every = last > 60 ? 25 : last > 12 ? 5 : 1;
        st.setxAxisTickLabelsFormattingFunction(x -> Math.abs(x - Math.rint(x)) < 1e-9 && Math.rint(x) % every == 0 ? String.valueOf((long) Math.rint(x)) : "");
        var points = chart.addSeries("mean reward of the step's batch", step, reward);
        points.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        points.setMarker(SeriesMarkers.CIRCLE);
        points.setMarkerColor(new Color(158, 202, 225));
        var avg = chart.addSeries("mean reward, moving average of " + WINDOW + " steps", step, average);
        avg.setMarker(SeriesMarkers.NONE);
        avg.setLineColor(new Color(33, 113, 181));
        var b = chart.addSeries("baseline b (moving average of past rewards)", step, baseline);
        b.setMarker(SeriesMarkers.NONE);
        b.setLineColor(new Color(203, 24, 29));
        byte[] bytes = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        AtomicFiles.write(png, ch -> {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) ch.write(buf);
        });
    }

    private static int column(Path file, List<String> header, String name) throws IOException {
        int i = header.indexOf(name);
        if (i < 0) throw new IOException(file + ": line 1: no column " + name + " (columns: " + String.join(", ", header) + ")");
        return i;
    }
}
