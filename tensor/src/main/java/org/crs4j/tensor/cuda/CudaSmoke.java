package org.crs4j.tensor.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;

/**
 * The JCuda smoke test: what works on this machine's GPU, step by step, each checked against a double-precision
 * reference on random inputs. Driver API initialisation and the device; crs4j's PTX kernel ({@code smoke.ptx})
 * loaded twice — JIT-compiled by the driver from PTX, and as a cubin from JCuda's in-process PTX compiler — and run on
 * an odd-sized vector; and whether JCublas 12.6 loads against the cuBLAS present (it needs {@code libcublas.so.12})
 * and multiplies correctly. A failed step is reported with its reason and the remaining steps still run.
 *
 * <p>Run it with {@code crs4j info --cuda-smoke}, or {@code ./mvnw -pl tensor test -Dtest=CudaSmokeTest}; without a
 * usable GPU it only says why.
 */
public final class CudaSmoke {
    private CudaSmoke() {}

    /**
     * One step: its name, its outcome, and what was seen (figures, or the reason it failed or could not run).
     * UNAVAILABLE is a library this machine lacks (JCublas without {@code libcublas.so.12}), not a wrong result.
     */
    public record Step(String name, Outcome outcome, String detail) {
        Step(String name, boolean passed, String detail) {
            this(name, passed ? Outcome.PASSED : Outcome.FAILED, detail);
        }

        @Override
        public String toString() {
            return String.format("%-12s %s: %s", outcome, name, detail);
        }
    }

    public enum Outcome { PASSED, FAILED, UNAVAILABLE }

    /** The steps, in order; empty with {@code skipped} set when CUDA is not usable here. */
    public record Report(List<Step> steps, String skipped) {
        /** Ran, and no step failed (a step whose library is missing is reported, not failed). */
        public boolean passed() {
            return skipped == null && steps.stream().noneMatch(s -> s.outcome() == Outcome.FAILED);
        }
    }

    /** Element count of the saxpy check: odd, and not a multiple of the block size, so the bounds check matters. */
    static final int N = (1 << 20) + 3;
    private static final int BLOCK = 256;

    public static Report run(long seed) {
        CudaProbe.Result probe = CudaProbe.probe();
        if (!probe.usable()) return new Report(List.of(), "CUDA not usable: " + probe.reason());
        List<Step> steps = new ArrayList<>();
        steps.add(new Step("driver", true, "version " + probe.driverVersion() + ", " + String.join("; ", probe.devices())));
        CUdevice device = new CUdevice();
        CUcontext context = new CUcontext();
        try {
            JCudaDriver.setExceptionsEnabled(true);
            cuDeviceGet(device, 0);
            cuDevicePrimaryCtxRetain(context, device);
            cuCtxSetCurrent(context);
        } catch (Throwable t) {
            steps.add(new Step("context", false, CudaProbe.explain(t)));
            return new Report(steps, null);
        }
        try {
            String arch = "sm_" + attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR)
                    + attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
            steps.add(new Step("context", true, "primary context on cuda:0, " + arch));
            byte[] ptx = (PtxCompiler.kernel("smoke.ptx") + "\0").getBytes(StandardCharsets.US_ASCII);
            steps.add(saxpy("saxpy, PTX JIT-compiled by the driver", ptx, seed));
            byte[] cubin;
            try {
                cubin = PtxCompiler.cubin("smoke.ptx", arch);
            } catch (Throwable t) {
                cubin = null;
                steps.add(new Step("saxpy, cubin from JCuda's PTX compiler " + PtxCompiler.version(), false, CudaProbe.explain(t)));
            }
            if (cubin != null) steps.add(saxpy("saxpy, cubin from JCuda's PTX compiler (" + arch + ")", cubin, seed + 1));
            steps.add(sgemm(seed + 2));
            steps.addAll(backend(seed + 3));
        } finally {
            try {
                cuDevicePrimaryCtxRelease(device);
            } catch (Throwable ignored) {
                // the process is about to report; a failed release changes nothing it says
            }
        }
        return new Report(steps, null);
    }

    private static int attribute(CUdevice device, int attribute) {
        int[] value = new int[1];
        cuDeviceGetAttribute(value, attribute, device);
        return value[0];
    }

    /** y = a·x + y on N elements with the module's kernel, against a double-precision reference. */
    private static Step saxpy(String name, byte[] image, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float a = (float) random.nextDouble(-2, 2);
        float[] x = new float[N], y = new float[N];
        for (int i = 0; i < N; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
            y[i] = (float) random.nextDouble(-1, 1);
        }
        CUmodule module = new CUmodule();
        CUdeviceptr dx = new CUdeviceptr(), dy = new CUdeviceptr();
        boolean loaded = false, allocated = false;
        try {
            cuModuleLoadData(module, image);
            loaded = true;
            CUfunction function = new CUfunction();
            cuModuleGetFunction(function, module, "saxpy");
            long bytes = (long) N * Sizeof.FLOAT;
            cuMemAlloc(dx, bytes);
            cuMemAlloc(dy, bytes);
            allocated = true;
            cuMemcpyHtoD(dx, Pointer.to(x), bytes);
            cuMemcpyHtoD(dy, Pointer.to(y), bytes);
            Pointer params = Pointer.to(Pointer.to(new int[] {N}), Pointer.to(new float[] {a}), Pointer.to(dx), Pointer.to(dy));
            long t0 = System.nanoTime();
            cuLaunchKernel(function, (N + BLOCK - 1) / BLOCK, 1, 1, BLOCK, 1, 1, 0, null, params, null);
            cuCtxSynchronize();
            long t1 = System.nanoTime();
            float[] out = new float[N];
            cuMemcpyDtoH(Pointer.to(out), dy, bytes);
            double worst = 0;
            for (int i = 0; i < N; i++) {
                double ref = (double) a * x[i] + y[i];
                worst = Math.max(worst, Math.abs(out[i] - ref) / Math.max(1e-30, Math.abs(ref) + 1e-6));
            }
            boolean ok = worst <= 1e-6;
            return new Step(name, ok, String.format("%,d elements, worst relative error %.2e against double (limit 1e-6), "
                    + "launch and sync %.3f ms (first launch)", N, worst, (t1 - t0) / 1e6));
        } catch (Throwable t) {
            return new Step(name, false, CudaProbe.explain(t));
        } finally {
            if (allocated) {
                cuMemFree(dx);
                cuMemFree(dy);
            }
            if (loaded) cuModuleUnload(module);
        }
    }

    /** C = A·B through JCublas2 (column-major, odd sizes), against a double-precision reference. */
    private static Step sgemm(long seed) {
        String name = "JCublas2 sgemm";
        int m = 257, n = 129, k = 65;
        SplittableRandom random = new SplittableRandom(seed);
        float[] a = new float[m * k], b = new float[k * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) random.nextDouble(-1, 1);
        for (int i = 0; i < b.length; i++) b[i] = (float) random.nextDouble(-1, 1);
        cublasHandle handle = new cublasHandle();
        CUdeviceptr da = new CUdeviceptr(), db = new CUdeviceptr(), dc = new CUdeviceptr();
        boolean created = false;
        List<CUdeviceptr> allocated = new ArrayList<>();
        try {
            JCublas2.setExceptionsEnabled(true);
            JCublas2.cublasCreate(handle);
            created = true;
            for (CUdeviceptr p : new CUdeviceptr[] {da, db, dc}) {
                long bytes = (long) Sizeof.FLOAT * (p == da ? a.length : p == db ? b.length : m * n);
                cuMemAlloc(p, bytes);
                allocated.add(p);
            }
            cuMemcpyHtoD(da, Pointer.to(a), (long) a.length * Sizeof.FLOAT);
            cuMemcpyHtoD(db, Pointer.to(b), (long) b.length * Sizeof.FLOAT);
            JCublas2.cublasSgemm(handle, cublasOperation.CUBLAS_OP_N, cublasOperation.CUBLAS_OP_N, m, n, k,
                    Pointer.to(new float[] {1f}), da, m, db, k, Pointer.to(new float[] {0f}), dc, m);
            cuCtxSynchronize();
            float[] c = new float[m * n];
            cuMemcpyDtoH(Pointer.to(c), dc, (long) c.length * Sizeof.FLOAT);
            double worst = 0;
            for (int j = 0; j < n; j++) {
                for (int i = 0; i < m; i++) {
                    double ref = 0, mag = 0;
                    for (int p = 0; p < k; p++) {
                        ref += (double) a[i + p * m] * b[p + j * k];
                        mag += Math.abs((double) a[i + p * m] * b[p + j * k]);
                    }
                    worst = Math.max(worst, Math.abs(c[i + j * m] - ref) / Math.max(mag, 1e-30));
                }
            }
            // TF32 tensor cores are off by default for cuBLAS SGEMM; FP32 sums of 65 products stay well within 1e-5
            boolean ok = worst <= 1e-5;
            return new Step(name, ok, String.format("%dx%dx%d, worst error %.2e of the sum of |products| (limit 1e-5)",
                    m, n, k, worst));
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            return new Step(name, Outcome.UNAVAILABLE, CudaProbe.explain(e));
        } catch (Throwable t) {
            return new Step(name, false, CudaProbe.explain(t));
        } finally {
            for (CUdeviceptr p : allocated) cuMemFree(p);
            if (created) JCublas2.cublasDestroy(handle);
        }
    }

    /**
     * The backend's side: it opens, says which GEMM library it chose, and each cuBLAS binding multiplies correctly (the
     * FFM binding to every libcublas present, and JCublas2 through the same interface), then a product and a
     * BF16 matrix-vector product through the backend against the CPU's.
     */
    private static List<Step> backend(long seed) {
        List<Step> steps = new ArrayList<>();
        CudaBackend b;
        try {
            b = (CudaBackend) org.crs4j.tensor.Backends.get(org.crs4j.tensor.Device.cuda(0));
            steps.add(new Step("backend", true, "crs4j's CUDA backend on " + b.device() + "; GEMM: " + b.cudaDevice().blasDescription()));
        } catch (Throwable t) {
            steps.add(new Step("backend", false, CudaProbe.explain(t)));
            return steps;
        }
        for (String lib : BlasLibraries.ffmLibraries()) {
            String name = "cuBLAS through FFM, " + lib;
            try {
                steps.add(gemmCheck(name, new FfmCublas(lib, b.cuda.driver().streamHandle()), b, seed));
            } catch (IllegalArgumentException e) {
                steps.add(new Step(name, Outcome.UNAVAILABLE, e.getMessage()));
            } catch (Throwable t) {
                steps.add(new Step(name, false, CudaProbe.explain(t)));
            }
        }
        try {
            steps.add(gemmCheck("cuBLAS through JCublas2", new JCublasBlas(((DriverApi) b.cuda.driver()).jcudaStream()), b, seed));
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            steps.add(new Step("cuBLAS through JCublas2", Outcome.UNAVAILABLE, CudaProbe.explain(e)));
        } catch (Throwable t) {
            steps.add(new Step("cuBLAS through JCublas2", false, CudaProbe.explain(t)));
        }
        try {
            org.crs4j.tensor.Tensor x = org.crs4j.tensor.Tensor.randn(new org.crs4j.tensor.Generator(seed), 3, 4096);
            org.crs4j.tensor.Tensor w = org.crs4j.tensor.Tensor.randn(new org.crs4j.tensor.Generator(seed + 1), 1000, 4096)
                    .to(org.crs4j.tensor.DType.BF16);
            double e1 = relativeError(x.matmul(w.mT()), b.upload(x).matmul(b.upload(w).mT()));
            org.crs4j.tensor.Tensor a = org.crs4j.tensor.Tensor.randn(new org.crs4j.tensor.Generator(seed + 2), 300, 257);
            org.crs4j.tensor.Tensor bt = org.crs4j.tensor.Tensor.randn(new org.crs4j.tensor.Generator(seed + 3), 130, 257);
            double e2 = relativeError(a.matmul(bt.mT()), b.upload(a).matmul(b.upload(bt).mT()));
            steps.add(new Step("backend matmul", e1 <= 1e-5 && e2 <= 1e-5, String.format(
                    "BF16 weight 1000x4096 times 3 rows (matvec kernel): %.2e; 300x257x130 (GEMM): %.2e of the CPU's largest |value| (limit 1e-5)", e1, e2)));
        } catch (Throwable t) {
            steps.add(new Step("backend matmul", false, CudaProbe.explain(t)));
        }
        return steps;
    }

    private static double relativeError(org.crs4j.tensor.Tensor cpu, org.crs4j.tensor.Tensor gpu) {
        float[] e = cpu.toFloatArray(), a = gpu.toFloatArray();
        double worst = 0, scale = 0;
        for (int i = 0; i < e.length; i++) {
            worst = Math.max(worst, Math.abs(e[i] - a[i]));
            scale = Math.max(scale, Math.abs(e[i]));
        }
        return worst / Math.max(scale, 1e-30);
    }

    /** C = A B (257 x 65 times 65 x 129) through one Blas, against a double reference. */
    private static Step gemmCheck(String name, Blas blas, CudaBackend b, long seed) {
        int m = 257, k = 65, n = 129;
        SplittableRandom random = new SplittableRandom(seed);
        float[] a = new float[m * k], bb = new float[k * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) random.nextDouble(-1, 1);
        for (int i = 0; i < bb.length; i++) bb[i] = (float) random.nextDouble(-1, 1);
        org.crs4j.tensor.Tensor da = b.upload(org.crs4j.tensor.Tensor.of(a, m, k)), db = b.upload(org.crs4j.tensor.Tensor.of(bb, k, n));
        org.crs4j.tensor.Tensor dc = b.zeros(org.crs4j.tensor.DType.F32, m, n);
        // row-major C = A B is column-major C^T = B^T A^T
        blas.gemm(false, false, n, m, k, CudaTensors.address(db), Blas.R_32F, n, 0, CudaTensors.address(da), Blas.R_32F, k, 0,
                CudaTensors.address(dc), Blas.R_32F, n, 0, 1, Blas.COMPUTE_32F);
        float[] c = b.download(dc).toFloatArray();
        double worst = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double ref = 0, mag = 0;
                for (int p = 0; p < k; p++) {
                    ref += (double) a[i * k + p] * bb[p * n + j];
                    mag += Math.abs((double) a[i * k + p] * bb[p * n + j]);
                }
                worst = Math.max(worst, Math.abs(c[i * n + j] - ref) / Math.max(mag, 1e-30));
            }
        }
        return new Step(name, worst <= 1e-5, String.format("%s: %dx%dx%d, worst error %.2e of the sum of |products| (limit 1e-5)",
                blas.description(), m, k, n, worst));
    }

    /** The report as printed by {@code crs4j info --cuda-smoke}. */
    public static String describe(Report report) {
        if (report.skipped() != null) return "cuda smoke   skipped: " + report.skipped();
        StringBuilder s = new StringBuilder("cuda smoke   " + (report.passed() ? "passed" : "FAILED"));
        for (Step step : report.steps()) s.append("\n  ").append(step);
        return s.toString();
    }
}
