package org.crs4j.tensor.cuda;

import static org.crs4j.tensor.cuda.CudaTensors.address;
import static org.crs4j.tensor.cuda.CudaTensors.code;
import static org.crs4j.tensor.cuda.CudaTensors.domain;

import java.util.Arrays;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;

/**
 * Stable sort and top-k along a dim on the GPU: each row's elements become (order-preserving 64-bit key, index) pairs,
 * all distinct, so any correct sorting network yields exactly the stable order (NaN largest, -0.0 == 0.0, ties in index
 * order: the CPU's). A bitonic network over rows padded to a power of two: in shared memory, one block per row, up to
 * {@value #SHARED_MAX} elements; beyond, one launch per stage over all rows.
 */
final class CudaSort {
    static final int SHARED_MAX = 2048;

    private final CudaBackend backend;
    private final CudaTensors tensors;
    private final CudaDevice cuda;

    CudaSort(CudaBackend backend) {
        this.backend = backend;
        this.tensors = backend.tensors;
        this.cuda = backend.cuda;
    }

    Tensor[] sort(Tensor x, int dim, boolean descending, int k) {
        DType vt = x.dtype() == DType.I32 || x.dtype() == DType.BOOL ? x.dtype() : domain(x.dtype());
        if (x.dim() == 0) {
            Tensor v = tensors.empty(vt);
            tensors.copy(x, v);
            return new Tensor[] {v, tensors.zeros(DType.I64)};
        }
        Tensor rows = backend.rows(x, dim, null);
        int n = rows.size(-1), count = n == 0 ? 0 : rows.numel() / n;
        int[] outShape = rows.shape();
        outShape[outShape.length - 1] = k;
        Tensor values = tensors.empty(vt, outShape), indices = tensors.empty(DType.I64, outShape);
        if (count > 0 && k > 0) {
            int p = Integer.highestOneBit(Math.max(n, 1));
            if (p < n) p <<= 1;
            long total = (long) count * p;
            Tensor keys = tensors.empty(DType.I64, (int) total), idx = tensors.empty(DType.I32, (int) total);
            cuda.launch1d("misc", "sort_keys", total, address(rows), code(rows.dtype()), count, n, p, descending ? 1 : 0,
                    address(keys), address(idx));
            if (p <= SHARED_MAX) {
                cuda.launch("misc", "bitonic_sort_shared", count, 1, 1, Math.min(1024, p), 12 * p, address(keys), address(idx), p);
            } else {
                for (int kk = 2; kk <= p; kk <<= 1) {
                    for (int j = kk >> 1; j > 0; j >>= 1) {
                        cuda.launch1d("misc", "bitonic_step", total, address(keys), address(idx), count, p, j, kk);
                    }
                }
            }
            cuda.launch1d("misc", "sort_output", (long) count * k, address(rows), code(rows.dtype()), count, n, p, k, address(idx),
                    address(values), code(vt), address(indices));
        }
        if (dim == x.dim() - 1) return new Tensor[] {values, indices};
        return new Tensor[] {backend.unrows(values, x.dim(), dim), backend.unrows(indices, x.dim(), dim)};
    }

    static String describe(int[] shape) {
        return Arrays.toString(shape);
    }
}
