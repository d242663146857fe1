package org.crs4j.tensor.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import jcuda.nvptxcompiler.JNvPTXCompiler;
import jcuda.nvptxcompiler.nvPTXCompilerHandle;

/**
 * crs4j's PTX kernels, shipped as resources next to this class, and JCuda's in-process PTX compiler (nvPTXCompiler,
 * self-contained: no CUDA toolkit, driver or GPU needed), which turns them into a cubin for a named GPU. The compiler
 * checks every kernel in the tests on any machine; on a GPU the driver may also JIT the PTX itself.
 *
 * <p>Only crs4j's own kernels go through it: JCuda 12.6's binding crashed the JVM (SIGSEGV inside
 * {@code nvPTXCompilerCompile}) when given text that is not PTX, so arbitrary input is not accepted here.
 */
public final class PtxCompiler {
    private PtxCompiler() {}

    /** The text of the PTX resource {@code name} (e.g. {@code "smoke.ptx"}). */
    public static String kernel(String name) {
        try (InputStream in = PtxCompiler.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalArgumentException("no PTX resource " + name + " beside " + PtxCompiler.class.getName());
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalStateException("reading PTX resource " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Compiles the kernel resource {@code name} for {@code gpuName} ({@code "sm_80"}, {@code "sm_90"}, ...) and
     * returns the cubin.
     *
     * @throws IllegalArgumentException with the compiler's error log when the PTX does not compile for that GPU
     */
    public static byte[] cubin(String name, String gpuName) {
        return compile(kernel(name), gpuName);
    }

    private static byte[] compile(String ptx, String gpuName) {
        JNvPTXCompiler.setExceptionsEnabled(false); // results are checked here, with the error log
        nvPTXCompilerHandle handle = new nvPTXCompilerHandle();
        // NUL-terminated: JCuda's binding reads the code as a C string (without the NUL, invalid PTX crashed the JVM)
        byte[] text = ptx.getBytes(StandardCharsets.US_ASCII), source = java.util.Arrays.copyOf(text, text.length + 1);
        check(JNvPTXCompiler.nvPTXCompilerCreate(handle, text.length, source), handle, "create");
        try {
            int status = JNvPTXCompiler.nvPTXCompilerCompile(handle, 1, new String[] {"--gpu-name=" + gpuName});
            if (status != 0) throw new IllegalArgumentException("PTX does not compile for " + gpuName + " (status " + status + "): " + log(handle));
            long[] size = new long[1];
            check(JNvPTXCompiler.nvPTXCompilerGetCompiledProgramSize(handle, size), handle, "program size");
            byte[] cubin = new byte[(int) size[0]];
            check(JNvPTXCompiler.nvPTXCompilerGetCompiledProgram(handle, cubin), handle, "program");
            return cubin;
        } finally {
            JNvPTXCompiler.nvPTXCompilerDestroy(handle);
        }
    }

    /** The compiler's version, e.g. "12.6". */
    public static String version() {
        int[] major = new int[1], minor = new int[1];
        JNvPTXCompiler.nvPTXCompilerGetVersion(major, minor);
        return major[0] + "." + minor[0];
    }

    private static void check(int status, nvPTXCompilerHandle handle, String step) {
        if (status != 0) throw new IllegalStateException("nvPTXCompiler " + step + " failed (status " + status + ")");
    }

    private static String log(nvPTXCompilerHandle handle) {
        long[] size = new long[1];
        JNvPTXCompiler.nvPTXCompilerGetErrorLogSize(handle, size);
        if (size[0] <= 1) return "(no log)";
        byte[] text = new byte[(int) size[0]];
        JNvPTXCompiler.nvPTXCompilerGetErrorLog(handle, text);
        return new String(text, 0, text.length - 1, StandardCharsets.US_ASCII).trim();
    }
}
