package org.crs4j.tensor.cuda;

import org.crs4j.tensor.Tensor;

/**
 * {@link Blas} without cuBLAS: the column-major product computed by crs4j's own tiled kernel ({@code segment_matmul}
 * with one group: 64 x 64 tiles, F32 accumulation), one launch per batch entry. Correct for F32, BF16 and F16
 * operands, several times slower than cuBLAS; F64 products need cuBLAS. Used only when no cuBLAS library loads, and
 * says so in its description.
 */
final class KernelGemm implements Blas {
    private final CudaDevice device;
    private final String why;

    KernelGemm(CudaDevice device, String why) {
        this.device = device;
        this.why = why;
    }

    @Override
    public String description() {
        return why;
    }

    private static int bytes(int blasType) {
        return switch (blasType) {
            case R_32F -> 4;
            case R_64F -> 8;
            default -> 2;
        };
    }

    private static int dtypeCode(int blasType) {
        return switch (blasType) {
            case R_32F -> 0;
            case R_16BF -> 2;
            case R_16F -> 3;
            default -> throw new IllegalArgumentException("F64 matrix products on CUDA need cuBLAS, which did not load");
        };
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, long a, int aType, int lda, long strideA, long b,
                     int bType, int ldb, long strideB, long c, int cType, int ldc, long strideC, int batch, int computeType) {
        if (cType != R_32F || ldc != m) throw new IllegalArgumentException("KernelGemm writes contiguous F32 results only");
        // column-major C (m x n) is row-major C^T (n x m) = op(B)^T (n x k) . op(A)^T (k x m)
        long xRs = transB ? 1 : ldb, xCs = transB ? ldb : 1;
        long wRs = transA ? 1 : lda, wCs = transA ? lda : 1;
        int[] tiles = CudaMatMul.rowTiles(new int[] {0, n});
        if (tiles.length == 0 || m == 0) return;
        CudaTensors tensors = new CudaTensors(device);
        Tensor t = tensors.upload(Tensor.of(tiles, tiles.length));
        for (int i = 0; i < batch; i++) {
            device.launch("index", "segment_matmul", tiles.length / 3, (m + 63) / 64, 1, 256, 0, CudaTensors.address(t),
                    b + i * strideB * bytes(bType), dtypeCode(bType), xRs, xCs, a + i * strideA * bytes(aType),
                    dtypeCode(aType), 0L, wRs, wCs, k, m, c + i * strideC * 4);
        }
    }
}
