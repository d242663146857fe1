package org.crs4j.crs.rec;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.crs4j.tensor.io.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;

/** The PNGs of seed 003's Figure 4 from a {@link CausalDiagnostics.Result}, drawn with XChart. */
public final class CausalDiagnosticCharts {
    public static final String HEAT_MAP = "delta-rank-heatmap.png", KL = "kl-by-rank.png";

    private CausalDiagnosticCharts() {}

    /** Figure 4(a/b): samples per (original rank, Δrank) cell, colour bar in samples. */
    public static void heatMap(CausalDiagnostics.Result r, String title, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int[][] h = r.heat();
        int[] x = new int[h.length], y = new int[h[0].length];
        List<String> xs = new ArrayList<>(), ys = new ArrayList<>();
        for (int i = 0; i < x.length; i++) xs.add((i * CausalDiagnostics.RANK_BIN + 1) + "-" + (i + 1) * CausalDiagnostics.RANK_BIN);
        for (int j = 0; j < y.length; j++) {
            int d0 = CausalDiagnostics.deltaFrom(j);
            ys.add(d0 + " to " + (d0 + CausalDiagnostics.RANK_BIN - 1));
        }
        List<Number[]> cells = new ArrayList<>();
        int max = 1;
        for (int i = 0; i < h.length; i++) {
            for (int j = 0; j < h[i].length; j++) {
                if (h[i][j] > 0) cells.add(new Number[] {i, j, h[i][j]});   // empty cells stay white, without a "0"
                max = Math.max(max, h[i][j]);
            }
        }
        HeatMapChart chart = new HeatMapChartBuilder().width(900).height(760).title(title)
                .xAxisTitle("original rank of the ground truth (without intervention)")
                .yAxisTitle("Δrank = rank without - rank with intervention (> 0: ranked higher)").build();
        var st = chart.getStyler();
        st.setShowValue(true).setMin(0).setMax(max).setPiecewise(false)
                .setRangeColors(new Color[] {new Color(255, 255, 255), new Color(158, 202, 225), new Color(33, 113, 181), new Color(8, 29, 88)});
        st.setValueFont(new Font(Font.SANS_SERIF, Font.PLAIN, 9));
        st.setHeatMapValueDecimalPattern("#");
        st.setLegendPosition(Styler.LegendPosition.OutsideE);
        st.setChartBackgroundColor(Color.WHITE);
        st.setXAxisLabelRotation(45);
        chart.addSeries("samples", xs, ys, cells);
        save(chart, file);
    }

    /** Figure 4(c): mean KL(p-bar || p) per original-rank bucket, for samples the intervention moved up and down. */
    public static void klByRank(CausalDiagnostics.Result r, String title, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        double[][][] k = r.klByBucket();
        List<String> buckets = new ArrayList<>();
        for (int b = 0; b < k[0].length; b++) {
            buckets.add((b * CausalDiagnostics.KL_BUCKET + 1) + "-" + (b + 1) * CausalDiagnostics.KL_BUCKET
                    + " (n = " + (int) k[0][b][0] + " / " + (int) k[1][b][0] + ")");
        }
        CategoryChart chart = new CategoryChartBuilder().width(900).height(560).title(title)
                .xAxisTitle("original rank of the ground truth (without intervention); n = samples Rank + / Rank -")
                .yAxisTitle("mean KL(p̄ || p)").build();
        var st = chart.getStyler();
        st.setChartBackgroundColor(Color.WHITE);
        st.setLegendPosition(Styler.LegendPosition.InsideNW);
        st.setSeriesColors(new Color[] {new Color(33, 113, 181), new Color(203, 24, 29)});
        st.setLabelsVisible(false);
        String[] names = {"Rank + (ranked higher with intervention)", "Rank - (ranked lower)"};
        for (int g = 0; g < 2; g++) {
            List<Double> means = new ArrayList<>();
            int n = 0;
            for (double[] cell : k[g]) {
                means.add(cell[1]);
                n += (int) cell[0];
            }
            chart.addSeries(names[g] + ", n = " + n, buckets, means);
        }
        save(chart, file);
    }

    private static void save(Chart<?, ?> chart, Path file) throws IOException {
        byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        AtomicFiles.write(file, ch -> {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(png);
            while (b.hasRemaining()) ch.write(b);
        });
    }
}
