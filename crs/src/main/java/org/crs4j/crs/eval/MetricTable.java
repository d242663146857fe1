package org.crs4j.crs.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Plain-text tables for the terminal and the README: one row per metric, one column per system, each cell
 * {@code mean [95% CI]}; columns padded to line up.
 */
public final class MetricTable {
    private final List<String> header = new ArrayList<>();
    private final List<List<String>> rows = new ArrayList<>();

    public MetricTable(String... header) {
        this.header.addAll(List.of(header));
    }

    public MetricTable row(String... cells) {
        rows.add(List.of(cells));
        return this;
    }

    /** Rows of metrics by columns of systems (each map from metric label to estimate, in the same order). */
    public static MetricTable of(List<String> systems, List<Map<String, Estimate>> results) {
        List<String> h = new ArrayList<>();
        h.add("metric");
        h.addAll(systems);
        MetricTable t = new MetricTable(h.toArray(String[]::new));
        for (String metric : results.getFirst().keySet()) {
            List<String> r = new ArrayList<>();
            r.add(metric);
            for (Map<String, Estimate> m : results) r.add(m.get(metric).format());
            t.row(r.toArray(String[]::new));
        }
        return t;
    }

    /** This table with one more column, each row's cell computed from its first cell (the row's label). */
    public MetricTable withColumn(String name, java.util.function.Function<String, String> cell) {
        MetricTable t = new MetricTable(header.toArray(String[]::new));
        t.header.add(name);
        for (List<String> r : rows) {
            List<String> copy = new ArrayList<>(r);
            copy.add(cell.apply(r.getFirst()));
            t.rows.add(copy);
        }
        return t;
    }

    @Override
    public String toString() {
        int cols = header.size();
        int[] width = new int[cols];
        for (int c = 0; c < cols; c++) width[c] = header.get(c).length();
        for (List<String> r : rows) for (int c = 0; c < cols && c < r.size(); c++) width[c] = Math.max(width[c], r.get(c).length());
        StringBuilder sb = new StringBuilder();
        line(sb, header, width);
        for (int c = 0; c < cols; c++) sb.append(c == 0 ? "" : "  ").append("-".repeat(width[c]));
        sb.append('\n');
        for (List<String> r : rows) line(sb, r, width);
        return sb.toString();
    }

    private static void line(StringBuilder sb, List<String> cells, int[] width) {
        for (int c = 0; c < width.length; c++) {
            String cell = c < cells.size() ? cells.get(c) : "";
            if (c > 0) sb.append("  ");
            sb.append(cell).append(" ".repeat(width[c] - cell.length()));
        }
        int end = sb.length();
        while (end > 0 && sb.charAt(end - 1) == ' ') end--;
        sb.setLength(end);
        sb.append('\n');
    }
}
