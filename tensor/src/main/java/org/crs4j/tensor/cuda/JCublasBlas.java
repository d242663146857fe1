package org.crs4j.tensor.cuda;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;
import jcuda.runtime.cudaStream_t;

/** {@link Blas} through JCublas2 12.6, which links against {@code libcublas.so.12} (CUDA 12's cuBLAS). */
final class JCublasBlas implements Blas {
    private final cublasHandle handle = new cublasHandle();
    private final String version;

    /** Creates a handle on the device's stream; throws (UnsatisfiedLinkError, CudaException) when cuBLAS 12 is absent. */
    JCublasBlas(Object stream) {
        JCublas2.setExceptionsEnabled(true);
        JCublas2.cublasCreate(handle);
        if (stream instanceof CUstream s) JCublas2.cublasSetStream(handle, new cudaStream_t(s));
        int[] v = new int[1];
        JCublas2.cublasGetVersion(handle, v);
        version = (v[0] / 10000) + "." + (v[0] / 100 % 100) + "." + (v[0] % 100);
    }

    @Override
    public String description() {
        return "cuBLAS " + version + " through JCublas2 12.6";
    }

    private static Pointer at(long address) {
        return new CUdeviceptr().withByteOffset(address);
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, long a, int aType, int lda, long strideA, long b,
                     int bType, int ldb, long strideB, long c, int cType, int ldc, long strideC, int batch, int computeType) {
        boolean f64 = computeType == COMPUTE_64F;
        Pointer one = f64 ? Pointer.to(new double[] {1}) : Pointer.to(new float[] {1});
        Pointer zero = f64 ? Pointer.to(new double[] {0}) : Pointer.to(new float[] {0});
        int ta = transA ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
        int tb = transB ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
        if (batch == 1) {
            JCublas2.cublasGemmEx(handle, ta, tb, m, n, k, one, at(a), aType, lda, at(b), bType, ldb, zero, at(c), cType, ldc,
                    computeType, GEMM_DEFAULT);
        } else {
            JCublas2.cublasGemmStridedBatchedEx(handle, ta, tb, m, n, k, one, at(a), aType, lda, strideA, at(b), bType, ldb,
                    strideB, zero, at(c), cType, ldc, strideC, batch, computeType, GEMM_DEFAULT);
        }
    }
}
