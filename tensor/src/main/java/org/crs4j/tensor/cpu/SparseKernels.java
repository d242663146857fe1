package org.crs4j.tensor.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import org.crs4j.tensor.CsrMatrix;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;

/**
 * Sparse (CSR) times dense. Each output row is owned by one thread and summed in entry order: no atomics, and the
 * result is the same for any thread count. Work is split into chunks of equal entry counts, not equal row counts,
 * since graph rows are heavy-tailed (a film with 40 actors next to one with 2).
 */
final class SparseKernels {
    private SparseKernels() {}

    private static final int L = VectorMath.F.length();
    /** Chunks per thread: enough to even out rows of uneven cost. */
    private static final int CHUNKS_PER_THREAD = 8;

    static Tensor spmm(CsrMatrix a, Tensor x) {
        boolean vector = x.dim() == 1;
        Tensor x2 = vector ? x.unsqueeze(1) : x;
        if (x2.dim() != 2 || x2.size(0) != a.cols()) {
            throw new IllegalArgumentException("spmm: " + a + " cannot multiply a dense operand of shape "
                    + Arrays.toString(x.shape()));
        }
        int d = x2.size(1);
        DType domain = Elementwise.domain(x.dtype()) == DType.F64 ? DType.F64 : DType.F32;
        Tensor xs = Operands.contiguousHeap(x2, domain);
        Tensor out = CpuBackend.INSTANCE.zeros(domain, a.rows(), d);
        int[] bounds = balancedChunks(a.rowPtr(), Parallel.THREADS * CHUNKS_PER_THREAD);
        int chunks = bounds.length - 1;
        // one chunk (the calling thread) unless the product is worth a second thread
        int grain = Parallel.worthSplitting((long) a.rowPtr()[a.rows()] * d) ? 1 : Math.max(1, chunks);
        if (domain == DType.F32) {
            float[] xv = Operands.floats(xs), y = Operands.floats(out);
            int xo = xs.offset();
            Parallel.forRange(chunks, grain, (s, e) -> {
                for (int c = s; c < e; c++) rowsF32(a, bounds[c], bounds[c + 1], xv, xo, y, d);
            });
        } else {
            double[] xv = Operands.doubles(xs), y = Operands.doubles(out);
            int xo = xs.offset();
            int[] ptr = a.rowPtr(), col = a.colIdx();
            float[] val = a.values();
            Parallel.forRange(chunks, grain, (s, e) -> {
                for (int r = bounds[s]; r < bounds[e]; r++) {
                    for (int p = ptr[r]; p < ptr[r + 1]; p++) {
                        double w = val == null ? 1 : val[p];
                        int src = xo + col[p] * d, dst = r * d;
                        for (int j = 0; j < d; j++) y[dst + j] += w * xv[src + j];
                    }
                }
            });
        }
        return vector ? out.squeeze(1) : out;
    }

    private static void rowsF32(CsrMatrix a, int r0, int r1, float[] x, int xo, float[] y, int d) {
        int[] ptr = a.rowPtr(), col = a.colIdx();
        float[] val = a.values();
        for (int r = r0; r < r1; r++) {
            int yo = r * d;
            for (int p = ptr[r]; p < ptr[r + 1]; p++) {
                int so = xo + col[p] * d;
                if (val == null) IndexKernels.addRow(x, so, y, yo, d);
                else axpy(val[p], x, so, y, yo, d);
            }
        }
    }

    /** y[yo..] += w * x[xo..] over n elements. */
    private static void axpy(float w, float[] x, int xo, float[] y, int yo, int n) {
        FloatVector wv = FloatVector.broadcast(VectorMath.F, w);
        int i = 0;
        for (int bound = n - L + 1; i < bound; i += L) {
            FloatVector.fromArray(VectorMath.F, x, xo + i).fma(wv, FloatVector.fromArray(VectorMath.F, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] = Math.fma(w, x[xo + i], y[yo + i]);
    }

    /** Row boundaries of up to {@code chunks} chunks holding about equal numbers of entries (and at least one row). */
    static int[] balancedChunks(int[] rowPtr, int chunks) {
        int rows = rowPtr.length - 1;
        int n = Math.max(1, Math.min(chunks, rows));
        int[] bounds = new int[n + 1];
        long nnz = rowPtr[rows];
        int k = 1;
        for (int c = 1; c < n; c++) {
            long target = nnz * c / n + (long) rows * c / n; // entries plus rows: empty rows cost something too
            int lo = bounds[c - 1] + 1, hi = rows - (n - c);
            // first row r with rowPtr[r] + r >= target
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if ((long) rowPtr[mid] + mid < target) lo = mid + 1;
                else hi = mid;
            }
            bounds[k++] = lo;
        }
        bounds[n] = rows;
        return bounds;
    }
}
