package org.crs4j.tensor.cuda;

import java.util.ArrayList;
import java.util.List;
import jcuda.driver.CUdevice;
import jcuda.driver.JCudaDriver;

/**
 * Finds out whether CUDA is usable here, and if not, why not, without ever throwing: the CPU path must work on
 * machines with no NVIDIA driver at all. Results are computed once.
 */
public final class CudaProbe {
    private CudaProbe() {}

    /** What the probe found. {@code reason} explains a false {@code usable}. */
    public record Result(boolean usable, String reason, List<String> devices, int driverVersion, String cublas) {}

    private static volatile Result result;

    public static Result probe() {
        Result r = result;
        if (r == null) {
            synchronized (CudaProbe.class) {
                if (result == null) result = run();
                r = result;
            }
        }
        return r;
    }

    public static boolean available() {
        return probe().usable();
    }

    private static Result run() {
        try {
            JCudaDriver.setExceptionsEnabled(true);
            JCudaDriver.cuInit(0);
            int[] count = new int[1];
            JCudaDriver.cuDeviceGetCount(count);
            int[] version = new int[1];
            JCudaDriver.cuDriverGetVersion(version);
            if (count[0] == 0) return new Result(false, "the CUDA driver reports no devices", List.of(), version[0], "not probed");
            List<String> devices = new ArrayList<>();
            for (int i = 0; i < count[0]; i++) {
                CUdevice dev = new CUdevice();
                JCudaDriver.cuDeviceGet(dev, i);
                byte[] name = new byte[256];
                JCudaDriver.cuDeviceGetName(name, name.length, dev);
                long[] mem = new long[1];
                JCudaDriver.cuDeviceTotalMem(mem, dev);
                String n = new String(name, java.nio.charset.StandardCharsets.US_ASCII).trim().replace("\0", "");
                devices.add("cuda:" + i + " " + n + " (" + (mem[0] >> 20) + " MiB)");
            }
            return new Result(true, "", devices, version[0], probeCublas());
        } catch (Throwable t) {
            return new Result(false, explain(t), List.of(), 0, "not probed");
        }
    }

    private static String probeCublas() {
        try {
            jcuda.jcublas.JCublas2.setExceptionsEnabled(true);
            jcuda.jcublas.cublasHandle handle = new jcuda.jcublas.cublasHandle();
            jcuda.jcublas.JCublas2.cublasCreate(handle);
            jcuda.jcublas.JCublas2.cublasDestroy(handle);
            return "JCublas2 loaded";
        } catch (Throwable t) {
            return "JCublas2 unusable: " + explain(t);
        }
    }

    /** One line saying why, from the chain of causes (JCuda's loader errors are long). */
    static String explain(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) all.append(' ').append(c.getMessage());
        String text = all.toString();
        if (text.contains("libcuda.so")) return "the NVIDIA driver library libcuda.so.1 is not installed";
        if (text.contains("libcublas.so.12: cannot open")) return "libcublas.so.12 (CUDA 12 cuBLAS) is not installed";
        if (text.contains("CUDA_ERROR_NO_DEVICE")) return "no CUDA device is present";
        if (text.contains("CUDA_ERROR_INSUFFICIENT_DRIVER")) return "the NVIDIA driver is too old";
        String first = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        first = first.lines().findFirst().orElse(first);
        return t.getClass().getSimpleName() + ": " + (first.length() > 200 ? first.substring(0, 200) + "..." : first);
    }
}
