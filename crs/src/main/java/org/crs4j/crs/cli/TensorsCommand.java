package org.crs4j.crs.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.crs4j.tensor.io.Safetensors;
import org.crs4j.tensor.io.SafetensorsFile;
import org.crs4j.tensor.io.ShardedSafetensors;
import org.crs4j.tensor.io.TensorInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * `crs4j tensors FILE...`: lists the tensors of safetensors files or sharded indexes (name, dtype, shape, bytes),
 * their metadata and totals. Only headers are read (the files are mapped, no tensor data is touched). A malformed
 * file stops the command with one line naming the file and the problem (printed by {@link Main}).
 */
@Command(name = "tensors", description = "List the tensors (name, dtype, shape, bytes) and metadata of safetensors files, "
        + "sharded model.safetensors.index.json files, or model folders holding either.")
final class TensorsCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "*.safetensors, model.safetensors.index.json, or a model folder")
    List<Path> files;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        for (int i = 0; i < files.size(); i++) {
            if (i > 0) out.println();
            try (Safetensors s = Safetensors.open(files.get(i))) {
                print(out, s);
            } finally {
                out.flush();
            }
        }
        return 0;
    }

    private static void print(PrintWriter out, Safetensors s) {
        out.println(s.path());
        List<SafetensorsFile> shards = s instanceof ShardedSafetensors sharded ? sharded.shards() : List.of();
        if (s instanceof SafetensorsFile f) {
            out.println("  file      " + group(f.fileSize()) + " bytes, header " + group(f.headerLength()) + " bytes");
        }
        printMetadata(out, s instanceof ShardedSafetensors ? "index metadata" : "metadata", s.metadata());
        for (int i = 0; i < shards.size(); i++) {
            SafetensorsFile shard = shards.get(i);
            out.println("  shard " + (i + 1) + "   " + shard.path().getFileName() + ": " + shard.tensors().size() + " tensors, "
                    + group(shard.fileSize()) + " bytes" + (shard.metadata().isEmpty() ? "" : "; metadata " + inline(shard.metadata())));
        }

        List<String[]> rows = new ArrayList<>();
        rows.add(shards.isEmpty() ? new String[] {"name", "dtype", "shape", "bytes"}
                : new String[] {"name", "dtype", "shape", "bytes", "shard"});
        for (TensorInfo t : s.tensors()) {
            String shape = Arrays.toString(t.shape());
            String bytes = Long.toString(t.byteSize());
            rows.add(shards.isEmpty() ? new String[] {printable(t.name()), t.dtype().safetensorsName(), shape, bytes}
                    : new String[] {printable(t.name()), t.dtype().safetensorsName(), shape, bytes,
                            Integer.toString(shards.indexOf(((ShardedSafetensors) s).shardOf(t.name())) + 1)});
        }
        printTable(out, rows);
        out.println("  " + group(s.tensors().size()) + " tensors, " + group(s.parameterCount()) + " parameters, "
                + group(s.byteSize()) + " bytes (" + binary(s.byteSize()) + ")"
                + (shards.isEmpty() ? "" : " in " + shards.size() + " shards"));
    }

    private static void printMetadata(PrintWriter out, String label, Map<String, String> metadata) {
        if (metadata.isEmpty()) {
            out.println("  " + label + ": none");
            return;
        }
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            out.println("  " + label + ": " + printable(e.getKey()) + " = " + printable(e.getValue()));
        }
    }

    private static String inline(Map<String, String> metadata) {
        List<String> parts = new ArrayList<>();
        metadata.forEach((k, v) -> parts.add(printable(k) + "=" + printable(v)));
        return String.join(", ", parts);
    }

    /** Left-aligned text columns, right-aligned numbers (bytes). */
    private static void printTable(PrintWriter out, List<String[]> rows) {
        int[] width = new int[rows.getFirst().length];
        for (String[] r : rows) for (int c = 0; c < r.length; c++) width[c] = Math.max(width[c], r[c].length());
        for (String[] r : rows) {
            StringBuilder sb = new StringBuilder("  ");
            for (int c = 0; c < r.length; c++) {
                boolean number = c >= 3;
                String cell = number ? " ".repeat(width[c] - r[c].length()) + r[c] : r[c] + " ".repeat(width[c] - r[c].length());
                sb.append(cell).append(c + 1 < r.length ? "  " : "");
            }
            out.println(sb.toString().stripTrailing());
        }
    }

    /** Control characters escaped, so that every tensor and metadata entry stays on one line. */
    private static String printable(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n') sb.append("\\n");
            else if (c == '\t') sb.append("\\t");
            else if (c < 0x20 || c == 0x7f) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.toString();
    }

    private static String group(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String binary(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
