package org.crs4j.tensor.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.ReduceOp;
import org.crs4j.tensor.Tensor;

/**
 * Sum, max and min over chosen dims, and argmax/argmin.
 *
 * <p>The input is seen as [outer, reduced, inner]. When the reduced dims are adjacent in a contiguous tensor this
 * needs no copy: rows (inner = 1) reduce with SIMD accumulators, columns (inner > 1) accumulate whole SIMD rows.
 * Otherwise the reduced dims are permuted last and made contiguous. Long rows are cut into fixed chunks whose
 * partial results are combined in order, so the result never depends on the thread count.
 */
final class Reductions {
    private Reductions() {}

    private static final int L = VectorMath.F.length();
    private static final int CHUNK = 1 << 15;

    static Tensor reduce(ReduceOp op, Tensor x, int[] dims, boolean keepdim) {
        int[] shape = x.shape();
        DType domain = Elementwise.domain(x.dtype());
        DType resultType = op == ReduceOp.SUM ? domain : (x.dtype().isFloating() ? domain : x.dtype());
        int[] outShape = outShape(shape, dims, keepdim);
        if (dims.length == 0) return Operands.heap(x, domain).copy().to(resultType);

        Tensor xc = Operands.heap(x, domain);
        int outer = 1, reduced = 1, inner = 1;
        boolean adjacent = dims[dims.length - 1] - dims[0] + 1 == dims.length;
        if (adjacent && xc.isContiguous()) {
            for (int d = 0; d < shape.length; d++) {
                if (d < dims[0]) outer *= shape[d];
                else if (d <= dims[dims.length - 1]) reduced *= shape[d];
                else inner *= shape[d];
            }
        } else {
            int[] perm = new int[shape.length];
            int k = 0;
            boolean[] isReduced = new boolean[shape.length];
            for (int d : dims) isReduced[d] = true;
            for (int d = 0; d < shape.length; d++) if (!isReduced[d]) { perm[k++] = d; outer *= shape[d]; }
            for (int d : dims) { perm[k++] = d; reduced *= shape[d]; }
            xc = Operands.contiguousHeap(xc.permute(perm), domain);
        }
        if (reduced == 0 && op != ReduceOp.SUM) {
            throw new IllegalArgumentException(op + " over an empty dimension of shape " + Arrays.toString(shape));
        }
        Tensor out = CpuBackend.INSTANCE.zeros(domain, outShape);
        int off = xc.offset();
        switch (domain) {
            case F32 -> reduceF32(op, Operands.floats(xc), off, Operands.floats(out), outer, reduced, inner);
            case F64 -> reduceF64(op, Operands.doubles(xc), off, Operands.doubles(out), outer, reduced, inner);
            default -> reduceI64(op, Operands.longs(xc), off, Operands.longs(out), outer, reduced, inner);
        }
        return out.to(resultType);
    }

    static int[] outShape(int[] shape, int[] dims, boolean keepdim) {
        boolean[] isReduced = new boolean[shape.length];
        for (int d : dims) isReduced[d] = true;
        int n = keepdim ? shape.length : shape.length - dims.length;
        int[] out = new int[n];
        for (int d = 0, k = 0; d < shape.length; d++) {
            if (!isReduced[d]) out[k++] = shape[d];
            else if (keepdim) out[k++] = 1;
        }
        return out;
    }

    // ------------------------------------------------------------------ F32

    private static void reduceF32(ReduceOp op, float[] x, int off, float[] y, int outer, int reduced, int inner) {
        if (inner == 1) {
            int chunks = Math.max(1, (reduced + CHUNK - 1) / CHUNK);
            if (chunks == 1) {
                Parallel.forRange(outer, Parallel.grain(reduced), (s, e) -> {
                    for (int o = s; o < e; o++) y[o] = rowF32(op, x, off + o * reduced, reduced);
                });
                return;
            }
            float[] partial = new float[outer * chunks];
            Parallel.forRange(outer * chunks, Parallel.grain(CHUNK), (s, e) -> {
                for (int t = s; t < e; t++) {
                    int o = t / chunks, c = t % chunks, start = c * CHUNK, len = Math.min(CHUNK, reduced - start);
                    partial[t] = rowF32(op, x, off + o * reduced + start, len);
                }
            });
            for (int o = 0; o < outer; o++) {
                float acc = partial[o * chunks];
                for (int c = 1; c < chunks; c++) acc = combine(op, acc, partial[o * chunks + c]);
                y[o] = acc;
            }
            return;
        }
        int blocks = (inner + CHUNK - 1) / CHUNK;
        Parallel.forRange(outer * blocks, Parallel.grain((long) reduced * Math.min(CHUNK, inner)), (s, e) -> {
            for (int t = s; t < e; t++) {
                int o = t / blocks, i0 = (t % blocks) * CHUNK, len = Math.min(CHUNK, inner - i0);
                columnsF32(op, x, off + o * reduced * inner + i0, inner, reduced, y, o * inner + i0, len);
            }
        });
    }

    /** Reduces x[from .. from + n). */
    static float rowF32(ReduceOp op, float[] x, int from, int n) {
        int j = 0;
        float acc;
        if (op == ReduceOp.SUM) {
            FloatVector a0 = FloatVector.zero(VectorMath.F), a1 = a0, a2 = a0, a3 = a0;
            for (int bound = n - 4 * L + 1; j < bound; j += 4 * L) {
                a0 = a0.add(FloatVector.fromArray(VectorMath.F, x, from + j));
                a1 = a1.add(FloatVector.fromArray(VectorMath.F, x, from + j + L));
                a2 = a2.add(FloatVector.fromArray(VectorMath.F, x, from + j + 2 * L));
                a3 = a3.add(FloatVector.fromArray(VectorMath.F, x, from + j + 3 * L));
            }
            for (int bound = n - L + 1; j < bound; j += L) a0 = a0.add(FloatVector.fromArray(VectorMath.F, x, from + j));
            a0 = a0.add(a1).add(a2.add(a3));
            for (VectorShuffle<Float> h : VectorMath.HALVES) a0 = a0.add(a0.rearrange(h));
            acc = a0.lane(0);
            for (; j < n; j++) acc += x[from + j];
            return acc;
        }
        boolean max = op == ReduceOp.MAX;
        acc = max ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
        if (n >= L) {
            FloatVector a = FloatVector.fromArray(VectorMath.F, x, from);
            for (j = L; j <= n - L; j += L) {
                FloatVector v = FloatVector.fromArray(VectorMath.F, x, from + j);
                a = max ? a.max(v) : a.min(v);
            }
            acc = a.reduceLanes(max ? VectorOperators.MAX : VectorOperators.MIN);
            if (a.test(VectorOperators.IS_NAN).anyTrue()) acc = Float.NaN;
        }
        for (; j < n; j++) acc = combine(op, acc, x[from + j]);
        return acc;
    }

    /** y[yo + i] = reduce over r of x[from + r * stride + i], for i < n. */
    private static void columnsF32(ReduceOp op, float[] x, int from, int stride, int reduced, float[] y, int yo, int n) {
        if (reduced == 0) return; // an empty SUM stays 0
        System.arraycopy(x, from, y, yo, n);
        for (int r = 1; r < reduced; r++) {
            int base = from + r * stride, i = 0;
            for (int bound = n - L + 1; i < bound; i += L) {
                FloatVector acc = FloatVector.fromArray(VectorMath.F, y, yo + i);
                FloatVector v = FloatVector.fromArray(VectorMath.F, x, base + i);
                (op == ReduceOp.SUM ? acc.add(v) : op == ReduceOp.MAX ? acc.max(v) : acc.min(v)).intoArray(y, yo + i);
            }
            for (; i < n; i++) y[yo + i] = combine(op, y[yo + i], x[base + i]);
        }
    }

    private static float combine(ReduceOp op, float a, float b) {
        return switch (op) {
            case SUM -> a + b;
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
        };
    }

    // ------------------------------------------------------------------ F64 and I64 (scalar; exactness over speed)

    private static void reduceF64(ReduceOp op, double[] x, int off, double[] y, int outer, int reduced, int inner) {
        Parallel.forRange(outer, Parallel.grain(4L * reduced * inner), (s, e) -> {
            for (int o = s; o < e; o++) {
                for (int i = 0; i < inner; i++) {
                    int base = off + o * reduced * inner + i;
                    double acc = op == ReduceOp.SUM ? 0 : op == ReduceOp.MAX ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
                    for (int r = 0; r < reduced; r++) {
                        double v = x[base + r * inner];
                        acc = switch (op) {
                            case SUM -> acc + v;
                            case MAX -> Math.max(acc, v);
                            case MIN -> Math.min(acc, v);
                        };
                    }
                    y[o * inner + i] = acc;
                }
            }
        });
    }

    private static void reduceI64(ReduceOp op, long[] x, int off, long[] y, int outer, int reduced, int inner) {
        Parallel.forRange(outer, Parallel.grain(4L * reduced * inner), (s, e) -> {
            for (int o = s; o < e; o++) {
                for (int i = 0; i < inner; i++) {
                    int base = off + o * reduced * inner + i;
                    long acc = op == ReduceOp.SUM ? 0 : op == ReduceOp.MAX ? Long.MIN_VALUE : Long.MAX_VALUE;
                    for (int r = 0; r < reduced; r++) {
                        long v = x[base + r * inner];
                        acc = switch (op) {
                            case SUM -> acc + v;
                            case MAX -> Math.max(acc, v);
                            case MIN -> Math.min(acc, v);
                        };
                    }
                    y[o * inner + i] = acc;
                }
            }
        });
    }

    // ------------------------------------------------------------------ argmax / argmin

    static Tensor argReduce(boolean max, Tensor x, int dim, boolean keepdim) {
        int[] shape = x.shape();
        if (shape.length == 0) return Tensor.scalar(0, DType.I64);
        int n = shape[dim];
        if (n == 0) throw new IllegalArgumentException("arg" + (max ? "max" : "min") + " over an empty dimension");
        DType domain = Elementwise.domain(x.dtype());
        Tensor rows = Operands.contiguousHeap(x.permute(moveToEnd(shape.length, dim)), domain);
        int outer = rows.numel() / n;
        long[] idx = new long[outer];
        int off = rows.offset();
        Parallel.forRange(outer, Parallel.grain(n), (s, e) -> {
            for (int o = s; o < e; o++) {
                int base = off + o * n, best = 0;
                switch (domain) {
                    case F32 -> {
                        float[] a = Operands.floats(rows);
                        for (int j = 1; j < n && !Float.isNaN(a[base + best]); j++) {
                            float v = a[base + j];
                            if (Float.isNaN(v) || (max ? v > a[base + best] : v < a[base + best])) best = j;
                        }
                    }
                    case F64 -> {
                        double[] a = Operands.doubles(rows);
                        for (int j = 1; j < n && !Double.isNaN(a[base + best]); j++) {
                            double v = a[base + j];
                            if (Double.isNaN(v) || (max ? v > a[base + best] : v < a[base + best])) best = j;
                        }
                    }
                    default -> {
                        long[] a = Operands.longs(rows);
                        for (int j = 1; j < n; j++) if (max ? a[base + j] > a[base + best] : a[base + j] < a[base + best]) best = j;
                    }
                }
                idx[o] = best;
            }
        });
        Tensor result = Tensor.of(idx, outShape(shape, new int[] {dim}, false));
        return keepdim ? result.unsqueeze(dim) : result;
    }

    /** The permutation that moves {@code dim} to the end, keeping the others in order. */
    static int[] moveToEnd(int rank, int dim) {
        int[] perm = new int[rank];
        for (int d = 0, k = 0; d < rank; d++) if (d != dim) perm[k++] = d;
        perm[rank - 1] = dim;
        return perm;
    }
}
