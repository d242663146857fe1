package org.crs4j.tensor.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Chooses the GEMM library at start-up by what loads. {@code -Dcrs4j.cublas=} (or {@code CRS4J_CUBLAS}) {@code auto}
 * (default) tries JCublas2 (needs {@code libcublas.so.12}) and then the FFM binding to {@code libcublas.so.13},
 * {@code .so.12}, {@code .so}; {@code jcublas} or {@code ffm} allow only that one; {@code none} none. Without any,
 * the backend multiplies with its own tiled kernel (correct, slower) and says so in {@link #describe}.
 */
final class BlasLibraries {
    private BlasLibraries() {}

    /** A library to try: its name in reports, and how to load it (throws with the reason when it cannot). */
    record Candidate(String name, Supplier<Blas> loader) {}

    /** The libcublas names the FFM binding tries, newest first. */
    static final List<String> FFM_LIBRARIES = List.of("libcublas.so.13", "libcublas.so.12", "libcublas.so");

    static String setting() {
        String s = System.getProperty("crs4j.cublas", System.getenv().getOrDefault("CRS4J_CUBLAS", "auto"));
        return s.trim().toLowerCase(Locale.ROOT);
    }

    static List<Candidate> candidates(String setting, Driver driver) {
        List<Candidate> list = new ArrayList<>();
        if (!List.of("auto", "jcublas", "ffm", "none").contains(setting)) {
            throw new IllegalArgumentException("crs4j.cublas must be auto, jcublas, ffm or none, got '" + setting + "'");
        }
        if (setting.equals("auto") || setting.equals("jcublas")) {
            list.add(new Candidate("JCublas2", () -> new JCublasBlas(driver instanceof DriverApi d ? d.jcudaStream() : null)));
        }
        if (setting.equals("auto") || setting.equals("ffm")) {
            for (String lib : ffmLibraries()) list.add(new Candidate("FFM " + lib, () -> new FfmCublas(lib, driver.streamHandle())));
        }
        return list;
    }

    /**
     * The libraries the FFM binding tries: {@code CRS4J_CUBLAS_LIBRARY} when set (a path), the names the dynamic linker
     * resolves, then the same names in the CUDA toolkit's library folders ({@code $CUDA_HOME/lib64},
     * {@code /usr/local/cuda/lib64}), which are often not on the linker's path.
     */
    static List<String> ffmLibraries() {
        List<String> out = new ArrayList<>();
        String explicit = System.getenv("CRS4J_CUBLAS_LIBRARY");
        if (explicit != null && !explicit.isBlank()) out.add(explicit);
        out.addAll(FFM_LIBRARIES);
        List<String> dirs = new ArrayList<>();
        String home = System.getenv("CUDA_HOME");
        if (home != null) dirs.add(home + "/lib64");
        dirs.add("/usr/local/cuda/lib64");
        for (String dir : dirs) {
            for (String lib : FFM_LIBRARIES) {
                java.nio.file.Path p = java.nio.file.Path.of(dir, lib);
                if (java.nio.file.Files.exists(p) && !out.contains(p.toString())) out.add(p.toString());
            }
        }
        return out;
    }

    /** The outcome of trying the candidates: the library chosen (null when none loads) and why each other failed. */
    record Choice(Blas blas, List<String> refusals) {
        String describe() {
            return blas != null ? blas.description() : "no cuBLAS (" + String.join("; ", refusals) + "): crs4j's own GEMM kernel";
        }
    }

    /** Tries the candidates in order; the first that loads wins. Never throws for a library that does not load. */
    static Choice choose(List<Candidate> candidates) {
        List<String> refusals = new ArrayList<>();
        for (Candidate c : candidates) {
            try {
                return new Choice(c.loader().get(), List.copyOf(refusals));
            } catch (RuntimeException | LinkageError e) {
                refusals.add(c.name() + ": " + CudaProbe.explain(e));
            }
        }
        if (candidates.isEmpty()) refusals.add("disabled by crs4j.cublas=none");
        return new Choice(null, List.copyOf(refusals));
    }

    /** The device's choice, as CudaDevice loads it on first use. */
    static Blas open(CudaDevice device) {
        Choice choice = choose(candidates(setting(), device.driver()));
        return choice.blas() != null ? choice.blas() : new KernelGemm(device, choice.describe());
    }
}
