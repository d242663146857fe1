package org.crs4j.tensor.cpu;

import java.util.Arrays;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Shape;
import org.crs4j.tensor.Tensor;

/**
 * torch.matmul semantics on top of {@link Sgemm}: 1-d promotion, batch broadcasting, and the Linear-layer case
 * (a batch of rows times one weight matrix) folded into a single GEMM. Operands stay in their storage dtype
 * (F32, BF16, F16, heap or memory-mapped); the GEMM converts while packing.
 */
final class MatMul {
    private MatMul() {}

    static Tensor matmul(Tensor a, Tensor b) {
        if (a.dim() == 0 || b.dim() == 0) throw new IllegalArgumentException("matmul needs at least 1-d operands, got "
                + Arrays.toString(a.shape()) + " and " + Arrays.toString(b.shape()));
        boolean vecA = a.dim() == 1, vecB = b.dim() == 1;
        Tensor a2 = vecA ? a.unsqueeze(0) : a, b2 = vecB ? b.unsqueeze(1) : b;
        int m = a2.size(-2), k = a2.size(-1), n = b2.size(-1);
        if (b2.size(-2) != k) {
            throw new IllegalArgumentException("matmul shapes " + Arrays.toString(a.shape()) + " and "
                    + Arrays.toString(b.shape()) + " do not match: " + k + " != " + b2.size(-2));
        }
        int[] batchA = Arrays.copyOf(a2.shape(), a2.dim() - 2), batchB = Arrays.copyOf(b2.shape(), b2.dim() - 2);
        int[] batch = Shape.broadcast(batchA, batchB);
        int[] outShape = Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = m;
        outShape[batch.length + 1] = n;
        Tensor out;
        if (a.dtype() == DType.F64 || b.dtype() == DType.F64) {
            out = matmulF64(a2, b2, batch, m, k, n, outShape);
        } else {
            out = matmulF32(a2, b2, batch, m, k, n, outShape);
        }
        if (vecA) out = out.squeeze(-2);
        if (vecB) out = out.squeeze(-1);
        return out;
    }

    private static Tensor matmulF32(Tensor a, Tensor b, int[] batch, int m, int k, int n, int[] outShape) {
        a = gemmReady(a);
        b = gemmReady(b);
        Tensor out = CpuBackend.INSTANCE.zeros(DType.F32, outShape);
        float[] c = Operands.floats(out);
        // Linear layer: [..., m, k] x [k, n] is one [(...*m), k] x [k, n] GEMM when the rows of a can be flattened.
        if (b.dim() == 2 && a.dim() > 2) {
            Tensor flat = tryFlatten(a);
            if (flat != null) {
                Sgemm.sgemm(operand(flat), operand(b), c, 0, n, false);
                return out;
            }
        }
        int count = Shape.numel(batch);
        int[] aShape = Arrays.copyOf(batch, batch.length + 2), bShape = Arrays.copyOf(batch, batch.length + 2);
        aShape[batch.length] = m; aShape[batch.length + 1] = k;
        bShape[batch.length] = k; bShape[batch.length + 1] = n;
        Tensor ae = a.expand(aShape), be = b.expand(bShape);
        Tensor af = viewBatches(ae, count, m, k), bf = viewBatches(be, count, k, n);
        // Small products, or at least two per thread (attention: one per batch and head): whole products per task,
        // each on one thread (several per task when tiny), so nothing is packed twice and the pool is joined once, not
        // once per product. Few large ones: the GEMM parallelises inside. The result is the same either way (see Sgemm).
        long each = (long) m * n * k;
        boolean perTask = each < Parallel.MIN_CHUNK_WORK || count >= 2 * Parallel.THREADS;
        Parallel.forRange(count, perTask ? Parallel.grain(each) : count, (s, e) -> {
            for (int i = s; i < e; i++) {
                Sgemm.sgemm(operand(af.select(0, i)), operand(bf.select(0, i)), c, i * m * n, n, false,
                        perTask ? 1 : Parallel.THREADS);
            }
        });
        return out;
    }

    /**
     * Rows offsets[g] .. offsets[g+1] of x times w[g], each group one GEMM written straight into its rows of the
     * result (each GEMM parallel inside). F64 operands go through the general matmul.
     */
    static Tensor segmentMatmul(Tensor x, int[] offsets, Tensor w) {
        int groups = w.size(0), n = w.size(2);
        if (x.dtype() == DType.F64 || w.dtype() == DType.F64) {
            Tensor out = CpuBackend.INSTANCE.zeros(DType.F64, x.size(0), n);
            for (int g = 0; g < groups; g++) {
                int len = offsets[g + 1] - offsets[g];
                if (len > 0) out.narrow(0, offsets[g], len).copyFrom(matmul(x.narrow(0, offsets[g], len), w.select(0, g)));
            }
            return out;
        }
        Tensor xr = gemmReady(x), wr = w;
        Tensor out = CpuBackend.INSTANCE.zeros(DType.F32, x.size(0), n);
        float[] c = Operands.floats(out);
        for (int g = 0; g < groups; g++) {
            int len = offsets[g + 1] - offsets[g];
            if (len == 0) continue;
            Sgemm.sgemm(operand(xr.narrow(0, offsets[g], len)), operand(gemmReady(wr.select(0, g))), c,
                    offsets[g] * n, n, false);
        }
        return out;
    }

    /** out[g] = x_g^T · y_g, each group one GEMM written straight into its slice of the result. */
    static Tensor segmentTransposeMatmul(Tensor x, int[] offsets, Tensor y) {
        int groups = offsets.length - 1, k = x.size(1), n = y.size(1);
        if (x.dtype() == DType.F64 || y.dtype() == DType.F64) {
            Tensor out = CpuBackend.INSTANCE.zeros(DType.F64, groups, k, n);
            for (int g = 0; g < groups; g++) {
                int len = offsets[g + 1] - offsets[g];
                if (len > 0) {
                    out.select(0, g).copyFrom(matmul(x.narrow(0, offsets[g], len).mT(), y.narrow(0, offsets[g], len)));
                }
            }
            return out;
        }
        Tensor xr = gemmReady(x), yr = gemmReady(y);
        Tensor out = CpuBackend.INSTANCE.zeros(DType.F32, groups, k, n);
        float[] c = Operands.floats(out);
        for (int g = 0; g < groups; g++) {
            int len = offsets[g + 1] - offsets[g];
            if (len == 0) continue;
            Sgemm.sgemm(operand(xr.narrow(0, offsets[g], len).mT()), operand(yr.narrow(0, offsets[g], len)), c,
                    g * k * n, n, false);
        }
        return out;
    }

    /** [batch..., r, c] as [count, r, c] without copying (batch dims of a broadcast view collapse into strides). */
    private static Tensor viewBatches(Tensor t, int count, int r, int c) {
        if (t.dim() == 2) return t.unsqueeze(0);
        Tensor v = tryView(t, count, r, c);
        return v != null ? v : t.contiguous().view(count, r, c);
    }

    private static Tensor tryView(Tensor t, int... shape) {
        try {
            return t.view(shape);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Tensor tryFlatten(Tensor a) {
        return tryView(a, a.numel() / a.size(-1), a.size(-1));
    }

    /** F32/BF16/F16/Q8_0 storage with one unit stride in the last two dims; anything else is copied to F32. */
    private static Tensor gemmReady(Tensor t) {
        DType dt = t.dtype();
        if (dt != DType.F32 && dt != DType.BF16 && dt != DType.F16 && dt != DType.Q8_0) t = t.to(DType.F32);
        int r = t.size(-2), c = t.size(-1);
        boolean rowMajor = c == 1 || t.stride(-1) == 1, colMajor = r == 1 || t.stride(-2) == 1;
        return rowMajor || colMajor ? t : t.contiguous();
    }

    /** The matrix operand of a 2-d view; size-1 dims get a stride that keeps exactly one unit stride. */
    static MatrixOperand operand(Tensor t) {
        int rows = t.size(0), cols = t.size(1), rs = t.stride(0), cs = t.stride(1);
        if (cols == 1 && rows == 1) { rs = 1; cs = 1; }
        else if (cols == 1) { if (rs == 1) cs = rows; else cs = 1; }
        else if (rows == 1) { if (cs == 1) rs = cols; else rs = 1; }
        return new MatrixOperand((CpuStorage) t.storage(), t.offset(), rows, cols, rs, cs);
    }

    private static Tensor matmulF64(Tensor a, Tensor b, int[] batch, int m, int k, int n, int[] outShape) {
        int count = Shape.numel(batch);
        int[] aShape = Arrays.copyOf(batch, batch.length + 2), bShape = Arrays.copyOf(batch, batch.length + 2);
        aShape[batch.length] = m; aShape[batch.length + 1] = k;
        bShape[batch.length] = k; bShape[batch.length + 1] = n;
        Tensor af = Operands.contiguousHeap(a.expand(aShape), DType.F64).reshape(count, m, k);
        Tensor bf = Operands.contiguousHeap(b.expand(bShape), DType.F64).reshape(count, k, n);
        Tensor out = CpuBackend.INSTANCE.zeros(DType.F64, outShape);
        double[] x = Operands.doubles(af), y = Operands.doubles(bf), z = Operands.doubles(out);
        int xo = af.offset(), yo = bf.offset();
        Parallel.forRange(count * m, Parallel.grain((long) k * n), (s, e) -> {
            for (int row = s; row < e; row++) {
                int bi = row / m, i = row % m;
                for (int p = 0; p < k; p++) {
                    double av = x[xo + bi * m * k + i * k + p];
                    int yb = yo + bi * k * n + p * n, zb = bi * m * n + i * n;
                    for (int j = 0; j < n; j++) z[zb + j] += av * y[yb + j];
                }
            }
        });
        return out;
    }
}
