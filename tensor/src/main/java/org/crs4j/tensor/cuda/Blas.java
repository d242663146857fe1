package org.crs4j.tensor.cuda;

/**
 * The one GEMM entry point the backend needs, in cuBLAS's own terms: column-major
 * {@code C[i] = op(A[i]) op(B[i])} for i < batch, with op(A) m x k, op(B) k x n, C m x n, alpha 1 and beta 0
 * ({@code cublasGemmStridedBatchedEx}, or {@code cublasGemmEx} for one product). Two implementations: JCublas2
 * ({@link JCublasBlas}, needs {@code libcublas.so.12}) and a thin FFM binding to whichever {@code libcublas} is present
 * ({@link FfmCublas}); {@link BlasLibraries} picks the first that loads.
 */
interface Blas {
    /** cudaDataType_t values. */
    int R_32F = 0, R_64F = 1, R_16F = 2, R_16BF = 14;
    /** cublasComputeType_t values. */
    int COMPUTE_32F = 68, COMPUTE_32F_FAST_TF32 = 77, COMPUTE_64F = 70;
    /** cublasGemmAlgo_t: let cuBLAS choose. */
    int GEMM_DEFAULT = -1;

    /** What is loaded, e.g. "cuBLAS 13.0.0 (libcublas.so.13) through FFM". */
    String description();

    /**
     * @param computeType {@link #COMPUTE_32F}, {@link #COMPUTE_32F_FAST_TF32} or {@link #COMPUTE_64F} (then alpha and
     *                    beta are doubles)
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k, long a, int aType, int lda, long strideA, long b,
              int bType, int ldb, long strideB, long c, int cType, int ldc, long strideC, int batch, int computeType);
}
