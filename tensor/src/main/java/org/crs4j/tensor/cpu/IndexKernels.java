package org.crs4j.tensor.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;

/**
 * gather, index_select, scatter_add and index_add: the primitives of embedding lookup and graph aggregation.
 *
 * <p>Row-wise fast paths (dim 0 over contiguous F32 rows) cover embedding lookup and message passing; every other
 * case goes through a strided scalar loop. Additions into shared destinations are grouped by destination first, so
 * they run in parallel and still add in source order: results do not depend on the thread count.
 */
final class IndexKernels {
    private IndexKernels() {}

    private static final int L = VectorMath.F.length();

    /** Index values as a long[] (contiguous), checked against {@code size}. */
    private static long[] indices(Tensor index, int size, String op) {
        if (index.dtype() != DType.I64 && index.dtype() != DType.I32) {
            throw new IllegalArgumentException(op + ": index must be I32 or I64, got " + index.dtype());
        }
        long[] idx = index.toLongArray();
        for (int i = 0; i < idx.length; i++) {
            if (idx[i] < 0 || idx[i] >= size) {
                throw new IndexOutOfBoundsException(op + ": index " + idx[i] + " at position " + i
                        + " is out of range for a dimension of size " + size);
            }
        }
        return idx;
    }

    /** The dtype index ops produce: the data's own, except that half floats widen to F32. */
    private static DType valueType(DType t) {
        return t == DType.BF16 || t == DType.F16 || t == DType.Q8_0 ? DType.F32 : t;
    }

    // ------------------------------------------------------------------ index_select

    static Tensor indexSelect(Tensor x, int dim, Tensor index) {
        if (index.dim() > 1) throw new IllegalArgumentException("index_select: index must be 0-d or 1-d, got shape "
                + Arrays.toString(index.shape()));
        long[] idx = indices(index, x.size(dim), "index_select");
        int[] outShape = x.shape();
        outShape[dim] = idx.length;
        DType vt = valueType(x.dtype());
        Tensor out = CpuBackend.INSTANCE.zeros(vt, outShape);
        CpuStorage in = (CpuStorage) x.storage();
        if (dim == 0 && x.isContiguous() && idx.length > 0) {
            int row = x.numel() / Math.max(x.size(0), 1);
            long base = x.offset();
            if (in.dtype() == vt) {
                long bytes = (long) row * vt.byteSize();
                CpuStorage o = (CpuStorage) out.storage();
                Parallel.forRange(idx.length, Parallel.grain(row), (s, e) -> {
                    for (int j = s; j < e; j++) {
                        java.lang.foreign.MemorySegment.copy(in.segment(), (base + idx[j] * row) * vt.byteSize(),
                                o.segment(), (long) j * bytes, bytes);
                    }
                });
                return out;
            }
            if (vt == DType.F32) {
                // BF16, F16, Q8_0 rows (an embedding table in its storage dtype): widened row by row
                float[] y = Operands.floats(out);
                Parallel.forRange(idx.length, Parallel.grain(row), (s, e) -> {
                    for (int j = s; j < e; j++) FloatRuns.read(in, base + idx[j] * row, y, j * row, row);
                });
                return out;
            }
        }
        for (int j = 0; j < idx.length; j++) out.select(dim, j).copyFrom(x.select(dim, (int) idx[j]));
        return out;
    }

    // ------------------------------------------------------------------ index_add

    static Tensor indexAdd(Tensor self, int dim, Tensor index, Tensor src) {
        if (index.dim() > 1) throw new IllegalArgumentException("index_add: index must be 0-d or 1-d, got shape "
                + Arrays.toString(index.shape()));
        long[] idx = indices(index, self.size(dim), "index_add");
        int[] expected = self.shape();
        expected[dim] = idx.length;
        if (!Arrays.equals(expected, src.shape())) {
            throw new IllegalArgumentException("index_add: source has shape " + Arrays.toString(src.shape())
                    + ", expected " + Arrays.toString(expected));
        }
        DType domain = Elementwise.domain(DType.promote(self.dtype(), src.dtype()));
        Tensor out = Operands.heap(self, domain).copy();
        if (domain == DType.F32 && dim == 0) {
            int row = out.numel() / Math.max(out.size(0), 1);
            Tensor s = Operands.contiguousHeap(src, DType.F32);
            addRowsF32(Operands.floats(s), s.offset(), idx, Operands.floats(out), row);
            return out;
        }
        for (int j = 0; j < idx.length; j++) {
            Tensor dst = out.select(dim, (int) idx[j]);
            dst.copyFrom(dst.add(src.select(dim, j)));
        }
        return out;
    }

    /** y[idx[j]] += x[j] for rows of length {@code row}, grouped by destination so that rows add in source order. */
    private static void addRowsF32(float[] x, int xo, long[] idx, float[] y, int row) {
        int rows = y.length / Math.max(row, 1);
        int e = idx.length;
        // counting sort of sources by destination (stable)
        int[] start = new int[rows + 1];
        for (long d : idx) start[(int) d + 1]++;
        for (int r = 0; r < rows; r++) start[r + 1] += start[r];
        int[] order = new int[e];
        int[] fill = Arrays.copyOf(start, rows);
        for (int j = 0; j < e; j++) order[fill[(int) idx[j]]++] = j;
        int grain = Parallel.grain((long) row * Math.max(1, e / Math.max(rows, 1)));
        Parallel.forRange(rows, grain, (s, t) -> {
            for (int r = s; r < t; r++) {
                int yo = r * row;
                for (int p = start[r]; p < start[r + 1]; p++) addRow(x, xo + order[p] * row, y, yo, row);
            }
        });
    }

    static void addRow(float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int bound = n - L + 1; i < bound; i += L) {
            FloatVector.fromArray(VectorMath.F, y, yo + i).add(FloatVector.fromArray(VectorMath.F, x, xo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] += x[xo + i];
    }

    // ------------------------------------------------------------------ gather and scatter_add (torch semantics)

    private static void checkGatherShapes(String op, Tensor data, int dim, Tensor index) {
        if (index.dim() != data.dim()) {
            throw new IllegalArgumentException(op + ": index has rank " + index.dim() + ", data has rank " + data.dim());
        }
        for (int d = 0; d < data.dim(); d++) {
            if (d != dim && index.size(d) > data.size(d)) {
                throw new IllegalArgumentException(op + ": index shape " + Arrays.toString(index.shape())
                        + " exceeds data shape " + Arrays.toString(data.shape()) + " at dim " + d);
            }
        }
    }

    /** A view of {@code t} with the index's shape and stride 0 along {@code dim}: the base offset of each position. */
    private static Tensor baseView(Tensor t, int dim, int[] shape) {
        int[] strides = t.strides();
        strides[dim] = 0;
        return new Tensor(t.storage(), shape, strides, t.offset());
    }

    static Tensor gather(Tensor x, int dim, Tensor index) {
        checkGatherShapes("gather", x, dim, index);
        DType domain = Elementwise.domain(x.dtype());
        Tensor data = Operands.heap(x, domain);
        Tensor idx = Operands.heap(index.to(DType.I64), DType.I64);
        int size = x.size(dim), dimStride = data.stride(dim);
        int[] shape = index.shape();
        Tensor out = CpuBackend.INSTANCE.zeros(domain, shape);
        long[] ix = Operands.longs(idx);
        Strided it = new Strided(shape, out, baseView(data, dim, shape), idx);
        switch (domain) {
            case F32 -> {
                float[] a = Operands.floats(data), y = Operands.floats(out);
                it.forEachRow((o, s, n) -> {
                    for (int j = 0; j < n; j++) {
                        long i = checked(ix[o[2] + j * s[2]], size, "gather");
                        y[o[0] + j * s[0]] = a[(int) (o[1] + j * s[1] + i * dimStride)];
                    }
                });
            }
            case F64 -> {
                double[] a = Operands.doubles(data), y = Operands.doubles(out);
                it.forEachRow((o, s, n) -> {
                    for (int j = 0; j < n; j++) {
                        long i = checked(ix[o[2] + j * s[2]], size, "gather");
                        y[o[0] + j * s[0]] = a[(int) (o[1] + j * s[1] + i * dimStride)];
                    }
                });
            }
            default -> {
                long[] a = Operands.longs(data), y = Operands.longs(out);
                it.forEachRow((o, s, n) -> {
                    for (int j = 0; j < n; j++) {
                        long i = checked(ix[o[2] + j * s[2]], size, "gather");
                        y[o[0] + j * s[0]] = a[(int) (o[1] + j * s[1] + i * dimStride)];
                    }
                });
            }
        }
        DType vt = valueType(x.dtype());
        return vt == domain ? out : out.to(vt);
    }

    private static long checked(long i, int size, String op) {
        if (i < 0 || i >= size) throw new IndexOutOfBoundsException(op + ": index " + i + " is out of range for size " + size);
        return i;
    }

    static Tensor scatterAdd(Tensor self, int dim, Tensor index, Tensor src) {
        checkGatherShapes("scatter_add", self, dim, index);
        for (int d = 0; d < index.dim(); d++) {
            if (index.size(d) > src.size(d)) {
                throw new IllegalArgumentException("scatter_add: index shape " + Arrays.toString(index.shape())
                        + " exceeds source shape " + Arrays.toString(src.shape()) + " at dim " + d);
            }
        }
        // The message-passing pattern: a 1-d index expanded along the other dim is index_add of whole rows.
        if (index.dim() == 2 && dim == 0 && index.stride(1) == 0 && index.size(1) == self.size(1)) {
            return indexAdd(self, 0, index.select(1, 0), src.narrow(1, 0, index.size(1)).narrow(0, 0, index.size(0)));
        }
        DType domain = Elementwise.domain(DType.promote(self.dtype(), src.dtype()));
        Tensor out = Operands.heap(self, domain).copy();
        int[] shape = index.shape();
        Tensor s = Operands.heap(src, domain);
        Tensor srcView = new Tensor(s.storage(), shape, s.strides(), s.offset());
        Tensor idx = Operands.heap(index.to(DType.I64), DType.I64);
        long[] ix = Operands.longs(idx);
        int size = self.size(dim), dimStride = out.stride(dim);
        Strided it = new Strided(shape, baseView(out, dim, shape), srcView, idx);
        // sequential: different positions may add into the same destination
        switch (domain) {
            case F32 -> {
                float[] y = Operands.floats(out), a = Operands.floats(s);
                it.runRows(0, it.rows(), (o, st, n) -> {
                    for (int j = 0; j < n; j++) {
                        long i = checked(ix[o[2] + j * st[2]], size, "scatter_add");
                        y[(int) (o[0] + j * st[0] + i * dimStride)] += a[o[1] + j * st[1]];
                    }
                });
            }
            case F64 -> {
                double[] y = Operands.doubles(out), a = Operands.doubles(s);
                it.runRows(0, it.rows(), (o, st, n) -> {
                    for (int j = 0; j < n; j++) {
                        long i = checked(ix[o[2] + j * st[2]], size, "scatter_add");
                        y[(int) (o[0] + j * st[0] + i * dimStride)] += a[o[1] + j * st[1]];
                    }
                });
            }
            default -> {
                long[] y = Operands.longs(out), a = Operands.longs(s);
                it.runRows(0, it.rows(), (o, st, n) -> {
                    for (int j = 0; j < n; j++) {
                        long i = checked(ix[o[2] + j * st[2]], size, "scatter_add");
                        y[(int) (o[0] + j * st[0] + i * dimStride)] += a[o[1] + j * st[1]];
                    }
                });
            }
        }
        return out;
    }
}
