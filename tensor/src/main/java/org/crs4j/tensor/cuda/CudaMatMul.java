package org.crs4j.tensor.cuda;

import static org.crs4j.tensor.cuda.CudaTensors.address;
import static org.crs4j.tensor.cuda.CudaTensors.code;

import java.util.Arrays;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Shape;
import org.crs4j.tensor.Tensor;

/**
 * torch.matmul semantics on the GPU (1-d promotion, batch broadcasting, a batch of rows times one weight folded into
 * one GEMM), and the grouped products of relational graph layers.
 *
 * <ul>
 *   <li>A few rows (at most {@value #MATVEC_ROWS}: token-by-token decoding) times a 2-d weight: crs4j's matrix-vector
 *       kernels, which stream the weight once in its stored dtype (BF16 weights are not widened first; cuBLAS has no
 *       F32 x BF16 product).</li>
 *   <li>Everything else: one cuBLAS GemmEx (or strided-batched) call, F32 accumulation; operands stay in place when
 *       they have a unit stride in one of their last two dims and a uniform batch stride (broadcast batches have
 *       stride 0), else are copied. Two 16-bit operands of one dtype go to cuBLAS as they are; a 16-bit operand next
 *       to an F32 one is widened (exactly) to F32, as the CPU backend widens while packing. F64 computes in F64.
 *       TF32 tensor cores only with {@code -Dcrs4j.cuda.tf32=true} (torch's default is off too).</li>
 * </ul>
 */
final class CudaMatMul {
    static final int MATVEC_ROWS = 8;
    private static final boolean TF32 = Boolean.getBoolean("crs4j.cuda.tf32");

    private final CudaBackend backend;
    private final CudaTensors tensors;
    private final CudaDevice cuda;

    CudaMatMul(CudaBackend backend) {
        this.backend = backend;
        this.tensors = backend.tensors;
        this.cuda = backend.cuda;
    }

    Tensor matmul(Tensor a, Tensor b) {
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
        boolean f64 = a.dtype() == DType.F64 || b.dtype() == DType.F64;
        Tensor out = product(a2, b2, batch, m, k, n, outShape, f64 ? DType.F64 : DType.F32);
        if (vecA) out = out.squeeze(-2);
        if (vecB) out = out.squeeze(-1);
        return out;
    }

    private Tensor product(Tensor a, Tensor b, int[] batch, int m, int k, int n, int[] outShape, DType outType) {
        if (Shape.numel(outShape) == 0) return tensors.empty(outType, outShape);
        if (k == 0) return tensors.zeros(outType, outShape);
        // a batch of rows times one weight: one GEMM over all rows
        if (b.dim() == 2 && a.dim() > 2) {
            Tensor flat = tryView(a, a.numel() / k, k);
            if (flat != null) return product(flat, b, new int[0], flat.size(0), k, n, new int[] {flat.size(0), n}, outType).view(outShape);
        }
        int count = Shape.numel(batch);
        if (outType == DType.F32 && count == 1 && m <= MATVEC_ROWS && b.dim() == 2 && isWeightType(b.dtype())) {
            return matvec(a.dim() == 2 ? a : a.reshape(m, k), b, m, k, n).view(outShape);
        }
        int[] aShape = Arrays.copyOf(batch, batch.length + 2), bShape = Arrays.copyOf(batch, batch.length + 2);
        aShape[batch.length] = m;
        aShape[batch.length + 1] = k;
        bShape[batch.length] = k;
        bShape[batch.length + 1] = n;
        Tensor[] ops = operandTypes(a, b, outType);
        Tensor af = batched(ops[0].expand(aShape), count, m, k), bf = batched(ops[1].expand(bShape), count, k, n);
        Tensor out = tensors.empty(outType, outShape);
        gemm(af, bf, out, count, m, k, n, outType);
        return out;
    }

    private static boolean isWeightType(DType t) {
        return t == DType.F32 || t == DType.BF16 || t == DType.F16;
    }

    /** The operands in dtypes cuBLAS can multiply together: both F64, both of one 16-bit type, else both F32. */
    private Tensor[] operandTypes(Tensor a, Tensor b, DType outType) {
        if (outType == DType.F64) return new Tensor[] {a.to(DType.F64), b.to(DType.F64)};
        boolean half = (a.dtype() == DType.BF16 || a.dtype() == DType.F16) && a.dtype() == b.dtype();
        if (half) return new Tensor[] {a, b};
        return new Tensor[] {a.dtype() == DType.F32 ? a : a.to(DType.F32), b.dtype() == DType.F32 ? b : b.to(DType.F32)};
    }

    /** [batch..., r, c] as [count, r, c] with a uniform batch stride and a unit stride in the matrix, copying if needed. */
    private Tensor batched(Tensor t, int count, int r, int c) {
        Tensor v = t.dim() == 2 ? t.unsqueeze(0) : tryView(t, count, r, c);
        if (v == null || !unitStride(v)) v = tensors.contiguous(t).view(count, r, c);
        return v;
    }

    private static boolean unitStride(Tensor t) {
        int r = t.size(-2), c = t.size(-1);
        return c == 1 || r == 1 || t.stride(-1) == 1 || t.stride(-2) == 1;
    }

    private static Tensor tryView(Tensor t, int... shape) {
        try {
            return t.view(shape);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * A [.., r, c] matrix as cuBLAS sees it: {@code transposed} when it is stored row-major (cuBLAS is column-major) and
     * the leading dimension. Size-1 dims get the smallest valid leading dimension.
     */
    record Operand(boolean rowMajor, int ld) {
        static Operand of(Tensor t) {
            int r = t.size(-2), c = t.size(-1), rs = t.stride(-2), cs = t.stride(-1);
            if (c == 1 || cs == 1) return new Operand(true, r == 1 ? Math.max(c, 1) : Math.max(rs, Math.max(c, 1)));
            return new Operand(false, c == 1 ? Math.max(r, 1) : Math.max(cs, Math.max(r, 1)));
        }
    }

    private static int blasType(DType t) {
        return switch (t) {
            case F32 -> Blas.R_32F;
            case F64 -> Blas.R_64F;
            case BF16 -> Blas.R_16BF;
            case F16 -> Blas.R_16F;
            default -> throw new IllegalArgumentException("cuBLAS does not multiply " + t);
        };
    }

    /**
     * Row-major C[i] = A[i] B[i] (C contiguous) as cuBLAS's column-major C^T = B^T A^T: cuBLAS's "A" is our B and its
     * "B" our A; a row-major operand is, to cuBLAS, the transpose it needs (no op), a column-major one needs op T.
     */
    private void gemm(Tensor a, Tensor b, Tensor c, int count, int m, int k, int n, DType outType) {
        Operand oa = Operand.of(a), ob = Operand.of(b);
        long strideA = a.size(0) == 1 ? 0 : a.stride(0), strideB = b.size(0) == 1 ? 0 : b.stride(0);
        int compute = outType == DType.F64 ? Blas.COMPUTE_64F : TF32 ? Blas.COMPUTE_32F_FAST_TF32 : Blas.COMPUTE_32F;
        cuda.blas().gemm(!ob.rowMajor(), !oa.rowMajor(), n, m, k, address(b), blasType(b.dtype()), ob.ld(), strideB,
                address(a), blasType(a.dtype()), oa.ld(), strideA, address(c), blasType(outType), n, (long) m * n, count, compute);
    }

    /** y [m, n] = x [m, k] b [k, n] for m <= MATVEC_ROWS, b F32/BF16/F16 stored either way. */
    private Tensor matvec(Tensor x, Tensor b, int m, int k, int n) {
        Tensor xs = tensors.contiguous(x, DType.F32);
        Tensor y = tensors.empty(DType.F32, m, n);
        Operand ob = Operand.of(b);
        if (!ob.rowMajor()) {
            // b = W^T with W [n, k] row-major (a Linear weight): a warp per output reads W's row
            int warps = 8;
            cuda.launch("misc", "matvec_rows", (n + warps - 1) / warps, 1, 1, 32 * warps, 0, address(b), code(b.dtype()),
                    (long) ob.ld(), address(xs), m, k, n, address(y), n);
        } else {
            cuda.launch1d("misc", "matvec_cols", n, address(b), code(b.dtype()), (long) ob.ld(), address(xs), m, k, n, address(y), n);
        }
        return y;
    }

    // ------------------------------------------------------------------ grouped products (relational graph layers)

    Tensor segmentMatmul(Tensor x, int[] offsets, Tensor w) {
        int groups = w.size(0), k = x.size(1), n = w.size(2), rows = x.size(0);
        if (x.dtype() == DType.F64 || w.dtype() == DType.F64) {
            Tensor out = tensors.zeros(DType.F64, rows, n);
            for (int g = 0; g < groups; g++) {
                int len = offsets[g + 1] - offsets[g];
                if (len > 0) out.narrow(0, offsets[g], len).copyFrom(matmul(x.narrow(0, offsets[g], len), w.select(0, g)));
            }
            return out;
        }
        x = floatOperand(x);
        w = floatOperand(w);
        Tensor out = tensors.zeros(DType.F32, rows, n);
        int[] tiles = rowTiles(offsets);
        if (tiles.length == 0 || n == 0) return out;
        Tensor t = backend.on(Tensor.of(tiles, tiles.length));
        cuda.launch("index", "segment_matmul", tiles.length / 3, (n + 63) / 64, 1, 256, 0, address(t), address(x),
                code(x.dtype()), (long) x.stride(0), (long) x.stride(1), address(w), code(w.dtype()), (long) w.stride(0),
                (long) w.stride(1), (long) w.stride(2), k, n, address(out));
        return out;
    }

    /** (group, first row, rows <= 64) for every 64-row tile of every non-empty group. */
    static int[] rowTiles(int[] offsets) {
        int count = 0;
        for (int g = 0; g + 1 < offsets.length; g++) count += (offsets[g + 1] - offsets[g] + 63) / 64;
        int[] tiles = new int[3 * count];
        int t = 0;
        for (int g = 0; g + 1 < offsets.length; g++) {
            for (int r = offsets[g]; r < offsets[g + 1]; r += 64) {
                tiles[t++] = g;
                tiles[t++] = r;
                tiles[t++] = Math.min(64, offsets[g + 1] - r);
            }
        }
        return tiles;
    }

    Tensor segmentTransposeMatmul(Tensor x, int[] offsets, Tensor y) {
        int groups = offsets.length - 1, k = x.size(1), n = y.size(1);
        if (x.dtype() == DType.F64 || y.dtype() == DType.F64) {
            Tensor out = tensors.zeros(DType.F64, groups, k, n);
            for (int g = 0; g < groups; g++) {
                int len = offsets[g + 1] - offsets[g];
                if (len > 0) out.select(0, g).copyFrom(matmul(x.narrow(0, offsets[g], len).mT(), y.narrow(0, offsets[g], len)));
            }
            return out;
        }
        x = floatOperand(x);
        y = floatOperand(y);
        Tensor out = tensors.zeros(DType.F32, groups, k, n);
        if (groups == 0 || k == 0 || n == 0) return out;
        Tensor o = backend.on(Tensor.of(offsets.clone(), offsets.length));
        cuda.launch("index", "segment_transpose_matmul", groups * ((k + 63) / 64), (n + 63) / 64, 1, 256, 0, address(o), groups,
                address(x), code(x.dtype()), (long) x.stride(0), (long) x.stride(1), address(y), code(y.dtype()),
                (long) y.stride(0), (long) y.stride(1), k, n, address(out));
        return out;
    }

    /** F32/BF16/F16 operands are read in place; other dtypes converted to F32. */
    private Tensor floatOperand(Tensor t) {
        return isWeightType(t.dtype()) ? t : t.to(DType.F32);
    }
}
