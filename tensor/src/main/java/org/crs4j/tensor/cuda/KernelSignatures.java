package org.crs4j.tensor.cuda;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parameter lists of a PTX module's kernels, read from its {@code .entry} declarations, so that every launch is
 * checked against the kernel it calls before anything reaches the device: a Java {@code int} where the kernel takes a
 * 64-bit value would otherwise be read as garbage, silently. The check runs on every launch, with a GPU or without.
 */
final class KernelSignatures {
    /** One parameter: its PTX type ("u32", "u64", "f32", "f64", "b8" for structs) and size in bytes. */
    record Param(String type, int bytes) {}

    private static final Pattern ENTRY = Pattern.compile("\\.entry\\s+(\\w+)\\s*\\(([^)]*)\\)");
    private static final Pattern PARAM = Pattern.compile("\\.param\\s+(?:\\.align\\s+\\d+\\s+)?\\.(\\w+)\\s+\\w+(?:\\[(\\d+)\\])?");

    private final Map<String, List<Param>> kernels;

    private KernelSignatures(Map<String, List<Param>> kernels) {
        this.kernels = kernels;
    }

    static KernelSignatures parse(String ptx) {
        Map<String, List<Param>> kernels = new HashMap<>();
        Matcher e = ENTRY.matcher(ptx);
        while (e.find()) {
            List<Param> params = new ArrayList<>();
            Matcher p = PARAM.matcher(e.group(2));
            while (p.find()) {
                String type = p.group(1);
                int bytes = p.group(2) != null ? Integer.parseInt(p.group(2)) : switch (type) {
                    case "u8", "s8", "b8" -> 1;
                    case "u16", "s16", "b16", "f16" -> 2;
                    case "u32", "s32", "b32", "f32" -> 4;
                    case "u64", "s64", "b64", "f64" -> 8;
                    default -> throw new IllegalArgumentException("unknown PTX parameter type ." + type + " in " + e.group(1));
                };
                params.add(new Param(type, bytes));
            }
            kernels.put(e.group(1), List.copyOf(params));
        }
        return new KernelSignatures(kernels);
    }

    java.util.Set<String> names() {
        return kernels.keySet();
    }

    List<Param> params(String kernel) {
        return kernels.get(kernel);
    }

    /** Checks that {@code args} fit {@code kernel}'s parameters one by one (count, size, float vs integer). */
    void check(String module, String kernel, Object[] args) {
        List<Param> params = kernels.get(kernel);
        if (params == null) throw new IllegalArgumentException("CUDA module " + module + " has no kernel " + kernel);
        if (params.size() != args.length) {
            throw new IllegalArgumentException("kernel " + kernel + " takes " + params.size() + " arguments, got " + args.length);
        }
        for (int i = 0; i < args.length; i++) {
            Param p = params.get(i);
            Object a = args[i];
            int bytes;
            boolean floating;
            switch (a) {
                case Integer x -> { bytes = 4; floating = false; }
                case Long x -> { bytes = 8; floating = false; }
                case Float x -> { bytes = 4; floating = true; }
                case Double x -> { bytes = 8; floating = true; }
                case int[] x -> { bytes = 4 * x.length; floating = false; }
                case long[] x -> { bytes = 8 * x.length; floating = false; }
                case null -> throw new IllegalArgumentException("kernel " + kernel + " argument " + i + " is null");
                default -> throw new IllegalArgumentException("kernel " + kernel + " argument " + i + " has unsupported type "
                        + a.getClass().getSimpleName());
            }
            boolean ptxFloating = p.type().startsWith("f");
            boolean struct = a instanceof int[] || a instanceof long[];
            if (bytes != p.bytes() || (!struct && floating != ptxFloating) || (struct && !p.type().equals("b8"))) {
                throw new IllegalArgumentException("kernel " + kernel + " argument " + i + ": a " + bytes + "-byte "
                        + (struct ? "struct" : floating ? "float" : "integer") + " for a ." + p.type() + " parameter of "
                        + p.bytes() + " bytes");
            }
        }
    }
}
