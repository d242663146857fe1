package org.crs4j.tensor.cpu;

import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;

/** Inclusive prefix sums along a dim (torch.cumsum): F32, F64, or I64 for integers and masks. */
final class Scan {
    private Scan() {}

    static Tensor cumsum(Tensor x, int dim) {
        int rank = x.dim();
        if (rank == 0) return Operands.heap(x, Elementwise.domain(x.dtype())).copy();
        DType domain = Elementwise.domain(x.dtype());
        boolean last = dim == rank - 1;
        int[] perm = Reductions.moveToEnd(rank, dim);
        Tensor rows = Operands.contiguousHeap(last ? x : x.permute(perm), domain);
        Tensor out = CpuBackend.INSTANCE.zeros(domain, rows.shape());
        int n = rows.size(-1), count = n == 0 ? 0 : rows.numel() / n, off = rows.offset();
        Parallel.forRange(count, Parallel.grain(n), (s, e) -> {
            for (int r = s; r < e; r++) {
                int xo = off + r * n, yo = r * n;
                switch (domain) {
                    case F32 -> {
                        float[] a = Operands.floats(rows), y = Operands.floats(out);
                        float acc = 0;
                        for (int j = 0; j < n; j++) y[yo + j] = acc += a[xo + j];
                    }
                    case F64 -> {
                        double[] a = Operands.doubles(rows), y = Operands.doubles(out);
                        double acc = 0;
                        for (int j = 0; j < n; j++) y[yo + j] = acc += a[xo + j];
                    }
                    default -> {
                        long[] a = Operands.longs(rows), y = Operands.longs(out);
                        long acc = 0;
                        for (int j = 0; j < n; j++) y[yo + j] = acc += a[xo + j];
                    }
                }
            }
        });
        if (last) return out;
        int[] inverse = new int[rank];
        for (int i = 0; i < rank; i++) inverse[perm[i]] = i;
        return out.permute(inverse).contiguous();
    }
}
