package org.crs4j.tensor.cpu;

import java.util.Arrays;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;

/**
 * Stable sort and top-k along a dim. NaN sorts above +inf and -0.0 equals 0.0, as in torch; ties keep index order.
 *
 * <p>F32 rows use a packed key — an order-preserving int of the value in the high half, the index in the low
 * half — so a primitive long sort is stable by construction, and top-k with small k is a bounded heap of keys.
 */
final class Sorting {
    private Sorting() {}

    static Tensor[] sort(Tensor x, int dim, boolean descending, int k) {
        int rank = x.dim();
        if (rank == 0) return new Tensor[] {x.to(x.dtype()).copy(), Tensor.scalar(0, DType.I64)};
        DType domain = Elementwise.domain(x.dtype());
        boolean last = dim == rank - 1;
        int[] perm = Reductions.moveToEnd(rank, dim);
        Tensor rows = Operands.contiguousHeap(last ? x : x.permute(perm), domain);
        int n = rows.size(-1), count = n == 0 ? 0 : rows.numel() / n;
        int[] outShape = rows.shape();
        outShape[rank - 1] = k;
        Tensor values = CpuBackend.INSTANCE.zeros(domain, outShape);
        Tensor indices = CpuBackend.INSTANCE.zeros(DType.I64, outShape);
        long[] ix = Operands.longs(indices);
        int off = rows.offset();
        Parallel.forRange(count, Parallel.grain(8L * n), (s, e) -> {
            int[] order = new int[n];
            for (int r = s; r < e; r++) {
                int base = off + r * n;
                switch (domain) {
                    case F32 -> sortF32(Operands.floats(rows), base, n, descending, k, order);
                    case F64 -> {
                        double[] a = Operands.doubles(rows);
                        mergeSort(n, order, (i, j) -> compare(a[base + i], a[base + j], descending));
                    }
                    default -> {
                        long[] a = Operands.longs(rows);
                        mergeSort(n, order, (i, j) -> descending ? Long.compare(a[base + j], a[base + i]) : Long.compare(a[base + i], a[base + j]));
                    }
                }
                for (int j = 0; j < k; j++) ix[r * k + j] = order[j];
            }
        });
        Tensor vals = rows.gather(rank - 1, indices);
        if (!last) {
            int[] inverse = new int[rank];
            for (int i = 0; i < rank; i++) inverse[perm[i]] = i;
            vals = vals.permute(inverse).contiguous();
            indices = indices.permute(inverse).contiguous();
        }
        DType vt = x.dtype() == DType.I32 || x.dtype() == DType.BOOL ? x.dtype() : vals.dtype();
        return new Tensor[] {vals.to(vt), indices};
    }

    private static int compare(double a, double b, boolean descending) {
        // NaN is the largest value; -0.0 == 0.0
        int c = Double.isNaN(a) ? (Double.isNaN(b) ? 0 : 1) : Double.isNaN(b) ? -1 : Double.compare(a + 0.0, b + 0.0);
        return descending ? -c : c;
    }

    /** Maps a float to an int whose signed order is the float order (NaN largest, -0.0 == 0.0). */
    private static int orderedBits(float v) {
        if (Float.isNaN(v)) return Integer.MAX_VALUE;
        int bits = Float.floatToIntBits(v + 0.0f);
        return bits >= 0 ? bits : bits ^ 0x7FFFFFFF;
    }

    private static void sortF32(float[] a, int base, int n, boolean descending, int k, int[] order) {
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            int b = orderedBits(a[base + i]);
            if (descending) b = ~b;
            keys[i] = ((long) b << 32) | i;
        }
        if (k < n / 8) {
            long[] heap = smallest(keys, k);
            for (int j = 0; j < k; j++) order[j] = (int) heap[j];
            return;
        }
        Arrays.sort(keys);
        for (int j = 0; j < n; j++) order[j] = (int) keys[j];
    }

    /** The k smallest keys in ascending order, through a bounded max-heap. */
    private static long[] smallest(long[] keys, int k) {
        long[] heap = new long[k];
        int size = 0;
        for (long key : keys) {
            if (size < k) {
                int i = size++;
                heap[i] = key;
                while (i > 0 && heap[(i - 1) / 2] < heap[i]) { swap(heap, i, (i - 1) / 2); i = (i - 1) / 2; }
            } else if (k > 0 && key < heap[0]) {
                heap[0] = key;
                int i = 0;
                while (true) {
                    int l = 2 * i + 1, r = l + 1, m = i;
                    if (l < k && heap[l] > heap[m]) m = l;
                    if (r < k && heap[r] > heap[m]) m = r;
                    if (m == i) break;
                    swap(heap, i, m);
                    i = m;
                }
            }
        }
        Arrays.sort(heap, 0, size);
        return heap;
    }

    private static void swap(long[] h, int i, int j) {
        long t = h[i];
        h[i] = h[j];
        h[j] = t;
    }

    @FunctionalInterface
    private interface IndexOrder {
        int compare(int i, int j);
    }

    /** Stable merge sort of 0..n-1 by {@code cmp} into {@code order}. */
    private static void mergeSort(int n, int[] order, IndexOrder cmp) {
        for (int i = 0; i < n; i++) order[i] = i;
        int[] buf = new int[n];
        for (int width = 1; width < n; width *= 2) {
            for (int lo = 0; lo < n - width; lo += 2 * width) {
                int mid = lo + width, hi = Math.min(lo + 2 * width, n);
                int i = lo, j = mid, t = lo;
                while (i < mid && j < hi) buf[t++] = cmp.compare(order[j], order[i]) < 0 ? order[j++] : order[i++];
                while (i < mid) buf[t++] = order[i++];
                while (j < hi) buf[t++] = order[j++];
                System.arraycopy(buf, lo, order, lo, hi - lo);
            }
        }
    }
}
