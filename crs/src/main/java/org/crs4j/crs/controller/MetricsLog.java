package org.crs4j.crs.controller;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.crs4j.tensor.io.AtomicFiles;

/**
 * A training run's per-step figures as CSV ({@code metrics.csv} beside the checkpoint), rewritten atomically with
 * each checkpoint so that file and checkpoint agree: a resumed run keeps the rows up to the step it resumes from and
 * continues them. The first column is the step.
 */
public final class MetricsLog {
    private final Path file;
    private final String header;
    private final List<String> rows = new ArrayList<>();

    /** @param columns the column names, the first being "step" */
    public MetricsLog(Path file, String... columns) {
        if (columns.length == 0 || !columns[0].equals("step")) throw new IllegalArgumentException("the first column must be step");
        this.file = file;
        this.header = String.join(",", columns);
    }

    /** Keeps the existing file's rows of steps below {@code step} (a resumed run); a file with other columns is an error. */
    public void resumeAt(long step) throws IOException {
        rows.clear();
        if (!Files.isRegularFile(file)) return;
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(header)) {
            throw new IOException(file + ": line 1: columns are not " + header + " (a log of another kind of run?)");
        }
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            int comma = line.indexOf(',');
            try {
                if (Long.parseLong(line.substring(0, Math.max(comma, 0))) < step) rows.add(line);
            } catch (NumberFormatException e) {
                throw new IOException(file + ": line " + (i + 1) + ": no step number at the start");
            }
        }
    }

    public void add(long step, Object... values) {
        StringBuilder sb = new StringBuilder().append(step);
        for (Object v : values) sb.append(',').append(v instanceof Double d ? format(d) : String.valueOf(v));
        rows.add(sb.toString());
    }

    private static String format(double d) {
        return Double.isFinite(d) ? String.format("%.6g", d) : String.valueOf(d);
    }

    public void write() throws IOException {
        StringBuilder sb = new StringBuilder(header).append('\n');
        for (String r : rows) sb.append(r).append('\n');
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, ch -> {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) ch.write(b);
        });
    }

    public List<String> rows() {
        return List.copyOf(rows);
    }
}
