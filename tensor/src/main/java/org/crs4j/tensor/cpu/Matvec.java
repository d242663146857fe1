package org.crs4j.tensor.cpu;

import static org.crs4j.tensor.cpu.FloatRuns.F;
import static org.crs4j.tensor.cpu.FloatRuns.LE;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Matrix-vector products {@code y (+)= W·x}, tuned apart from GEMM because they dominate LLM token generation: there
 * each weight is read once per token, so the kernel's job is to stream W at memory bandwidth, widening BF16/F16 in
 * registers, with no packing and no copy.
 *
 * <ul>
 *   <li>W row-major (a Linear weight [out, in], the common case): each output is a contiguous dot product. Four rows
 *       go together so every load of x serves four rows; threads take contiguous row ranges.</li>
 *   <li>W column-major (x^T·B with B row-major [in, out]): y accumulates {@code x[p]·W[:, p]} column by column
 *       (axpy), over chunks of y small enough to stay in L1; threads take contiguous ranges of y.</li>
 * </ul>
 *
 * <p>Every y element is summed in an order fixed by k alone (dot: one vector accumulator over k, its lanes added in
 * a fixed order, then the scalar tail; axpy: one fused multiply-add chain over k), so the result is bit-identical
 * whichever row group, chunk or thread it falls in.
 */
public final class Matvec {
    private Matvec() {}

    private static final int L = F.length();
    /** Rows of y per axpy chunk: 4 KiB of accumulators stay in L1 while columns of W stream past. */
    private static final int AXPY_CHUNK = 1024;
    /** Below this many weights one thread streams W faster than waking another. */
    private static final long MIN_PARALLEL_WORK = 1L << 15;

    /** {@code y[i] = sum_p w(i, p)·x[p]} for i < w.rows() (or {@code y[i] += ...} when {@code accumulate}). */
    public static void matvec(MatrixOperand w, float[] x, float[] y, boolean accumulate) {
        matvec(w, x, 0, y, 0, 1, accumulate, Parallel.THREADS);
    }

    /**
     * {@code y[yOffset + i*yStride] (+)= sum_p w(i, p)·x[xOffset + p]}: W is rows x cols, x has cols elements, y rows.
     */
    public static void matvec(MatrixOperand w, float[] x, int xOffset, float[] y, int yOffset, int yStride,
                              boolean accumulate) {
        matvec(w, x, xOffset, y, yOffset, yStride, accumulate, Parallel.THREADS);
    }

    static void matvec(MatrixOperand w, float[] x, int xOffset, float[] y, int yOffset, int yStride,
                       boolean accumulate, int threads) {
        int n = w.rows(), k = w.cols();
        if (xOffset < 0 || xOffset + (long) k > x.length) {
            throw new IllegalArgumentException("matvec: x needs " + k + " elements from offset " + xOffset
                    + " but has " + x.length);
        }
        if (n > 0 && (yOffset < 0 || yStride < 1 || yOffset + (long) (n - 1) * yStride >= y.length)) {
            throw new IllegalArgumentException("matvec: y needs " + n + " elements from offset " + yOffset
                    + " with stride " + yStride + " but has " + y.length);
        }
        if (n == 0) return;
        if (k == 0) {
            if (!accumulate) for (int i = 0; i < n; i++) y[yOffset + i * yStride] = 0f;
            return;
        }
        int stripes = (long) n * k < MIN_PARALLEL_WORK ? 1 : Math.max(1, Math.min(threads, n / 16));
        int s = stripes;
        // Both strides 1 happens only for a single row (dot) or a single column (either works).
        boolean rowMajor = w.colStride() == 1 && (w.rowStride() != 1 || n == 1);
        Parallel.forEachTask(s, t -> {
            int i0 = (int) ((long) n * t / s), i1 = (int) ((long) n * (t + 1) / s);
            if (rowMajor) dotRows(w, x, xOffset, y, yOffset, yStride, accumulate, i0, i1);
            else axpyRows(w, x, xOffset, y, yOffset, yStride, accumulate, i0, i1);
        });
    }

    // ------------------------------------------------------------------ row-major W: dot products

    private static final int ARRAY = 0, SEG_F32 = 1, SEG_BF16 = 2, SEG_F16 = 3;

    private static int kind(CpuStorage s) {
        return switch (s.dtype()) {
            case F32 -> s.floats() != null ? ARRAY : SEG_F32;
            case BF16 -> SEG_BF16;
            case F16 -> SEG_F16;
            default -> throw new IllegalArgumentException("matvec: unsupported dtype " + s.dtype());
        };
    }

    /** L consecutive weights from element index {@code e}, as floats. */
    private static FloatVector load(int kind, float[] arr, MemorySegment seg, long e) {
        return switch (kind) {
            case ARRAY -> FloatVector.fromArray(F, arr, (int) e);
            case SEG_F32 -> FloatVector.fromMemorySegment(F, seg, e * 4, LE);
            case SEG_BF16 -> FloatRuns.bf16(seg, e * 2);
            default -> FloatRuns.f16(seg, e * 2);
        };
    }

    private static float loadScalar(CpuStorage s, long e) {
        float[] arr = s.floats();
        return arr != null ? arr[(int) e] : s.getFloat(e);
    }

    /*
     * One loop per storage kind. A single loop with a switch on the kind in its body gets one type profile for all
     * kinds: once a process has run an F32 heap product (attention scores at the first decoding step), the BF16
     * loop of every later weight product is compiled against that polluted profile and runs 5-7x slower (measured:
     * 28 GB/s for 2048x5632 BF16 on two threads when BF16 is all the loop has seen, 4-5 GB/s after F32 heap calls).
     * Separate methods keep every loop monomorphic. Each sums in the same order as before.
     */
    private static void dotRows(MatrixOperand w, float[] x, int xo, float[] y, int yo, int ys, boolean acc, int i0, int i1) {
        switch (kind(w.storage())) {
            case ARRAY -> dotRowsArray(w, x, xo, y, yo, ys, acc, i0, i1);
            case SEG_F32 -> dotRowsF32(w, x, xo, y, yo, ys, acc, i0, i1);
            case SEG_BF16 -> dotRowsBf16(w, x, xo, y, yo, ys, acc, i0, i1);
            default -> dotRowsF16(w, x, xo, y, yo, ys, acc, i0, i1);
        }
    }

    private static void dotRowsArray(MatrixOperand w, float[] x, int xo, float[] y, int yo, int ys, boolean acc, int i0, int i1) {
        CpuStorage s = w.storage();
        float[] arr = s.floats();
        int k = w.cols(), kv = k - k % L;
        long ld = w.rowStride();
        float[] lanes = new float[L];
        int i = i0;
        for (; i + 4 <= i1; i += 4) {
            int r0 = (int) (w.offset() + i * ld), r1 = (int) (r0 + ld), r2 = (int) (r1 + ld), r3 = (int) (r2 + ld);
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int p = 0; p < kv; p += L) {
                FloatVector xv = FloatVector.fromArray(F, x, xo + p);
                a0 = FloatVector.fromArray(F, arr, r0 + p).fma(xv, a0);
                a1 = FloatVector.fromArray(F, arr, r1 + p).fma(xv, a1);
                a2 = FloatVector.fromArray(F, arr, r2 + p).fma(xv, a2);
                a3 = FloatVector.fromArray(F, arr, r3 + p).fma(xv, a3);
            }
            finishArray(a0, lanes, s, r0, x, xo, kv, k, y, yo + i * ys, acc);
            finishArray(a1, lanes, s, r1, x, xo, kv, k, y, yo + (i + 1) * ys, acc);
            finishArray(a2, lanes, s, r2, x, xo, kv, k, y, yo + (i + 2) * ys, acc);
            finishArray(a3, lanes, s, r3, x, xo, kv, k, y, yo + (i + 3) * ys, acc);
        }
        for (; i < i1; i++) {
            int r0 = (int) (w.offset() + i * ld);
            FloatVector a0 = FloatVector.zero(F);
            for (int p = 0; p < kv; p += L) a0 = FloatVector.fromArray(F, arr, r0 + p).fma(FloatVector.fromArray(F, x, xo + p), a0);
            finishArray(a0, lanes, s, r0, x, xo, kv, k, y, yo + i * ys, acc);
        }
    }

    private static void dotRowsF32(MatrixOperand w, float[] x, int xo, float[] y, int yo, int ys, boolean acc, int i0, int i1) {
        CpuStorage s = w.storage();
        MemorySegment seg = s.segment();
        int k = w.cols(), kv = k - k % L;
        long ld = w.rowStride();
        float[] lanes = new float[L];
        int i = i0;
        for (; i + 4 <= i1; i += 4) {
            long r0 = w.offset() + i * ld, r1 = r0 + ld, r2 = r1 + ld, r3 = r2 + ld;
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int p = 0; p < kv; p += L) {
                FloatVector xv = FloatVector.fromArray(F, x, xo + p);
                a0 = FloatVector.fromMemorySegment(F, seg, (r0 + p) * 4, LE).fma(xv, a0);
                a1 = FloatVector.fromMemorySegment(F, seg, (r1 + p) * 4, LE).fma(xv, a1);
                a2 = FloatVector.fromMemorySegment(F, seg, (r2 + p) * 4, LE).fma(xv, a2);
                a3 = FloatVector.fromMemorySegment(F, seg, (r3 + p) * 4, LE).fma(xv, a3);
            }
            finishF32(a0, lanes, s, r0, x, xo, kv, k, y, yo + i * ys, acc);
            finishF32(a1, lanes, s, r1, x, xo, kv, k, y, yo + (i + 1) * ys, acc);
            finishF32(a2, lanes, s, r2, x, xo, kv, k, y, yo + (i + 2) * ys, acc);
            finishF32(a3, lanes, s, r3, x, xo, kv, k, y, yo + (i + 3) * ys, acc);
        }
        for (; i < i1; i++) {
            long r0 = w.offset() + i * ld;
            FloatVector a0 = FloatVector.zero(F);
            for (int p = 0; p < kv; p += L) {
                a0 = FloatVector.fromMemorySegment(F, seg, (r0 + p) * 4, LE).fma(FloatVector.fromArray(F, x, xo + p), a0);
            }
            finishF32(a0, lanes, s, r0, x, xo, kv, k, y, yo + i * ys, acc);
        }
    }

    /**
     * BF16 rows without a widening conversion: a 32-bit lane holding two BF16 values gives the even one as
     * {@code lane << 16} and the odd one as {@code lane & 0xFFFF0000}, both exact F32 bit patterns. So each load of 2L
     * weights feeds two FMAs against x split once into its even and odd elements; a plain shift and mask cost less
     * than the short-to-int lane conversion, which matters for a loop that should run at memory bandwidth.
     */
    private static void dotRowsBf16(MatrixOperand w, float[] x, int xo, float[] y, int yo, int ys, boolean acc, int i0, int i1) {
        CpuStorage s = w.storage();
        MemorySegment seg = s.segment();
        int k = w.cols(), kv = k - k % (2 * L), half = kv / 2;
        long ld = w.rowStride();
        float[] xe = new float[half], xd = new float[half];
        for (int j = 0; j < half; j++) {
            xe[j] = x[xo + 2 * j];
            xd[j] = x[xo + 2 * j + 1];
        }
        float[] lanes = new float[L];
        int i = i0;
        for (; i + 4 <= i1; i += 4) {
            long r0 = w.offset() + i * ld, r1 = r0 + ld, r2 = r1 + ld, r3 = r2 + ld;
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int p = 0; p < half; p += L) {
                FloatVector ve = FloatVector.fromArray(F, xe, p), vd = FloatVector.fromArray(F, xd, p);
                IntVector w0 = IntVector.fromMemorySegment(FloatRuns.I, seg, (r0 + 2L * p) * 2, LE);
                IntVector w1 = IntVector.fromMemorySegment(FloatRuns.I, seg, (r1 + 2L * p) * 2, LE);
                IntVector w2 = IntVector.fromMemorySegment(FloatRuns.I, seg, (r2 + 2L * p) * 2, LE);
                IntVector w3 = IntVector.fromMemorySegment(FloatRuns.I, seg, (r3 + 2L * p) * 2, LE);
                a0 = w0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(ve, a0);
                a1 = w1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(ve, a1);
                a2 = w2.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(ve, a2);
                a3 = w3.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(ve, a3);
                a0 = w0.and(0xFFFF0000).reinterpretAsFloats().fma(vd, a0);
                a1 = w1.and(0xFFFF0000).reinterpretAsFloats().fma(vd, a1);
                a2 = w2.and(0xFFFF0000).reinterpretAsFloats().fma(vd, a2);
                a3 = w3.and(0xFFFF0000).reinterpretAsFloats().fma(vd, a3);
            }
            finishBf16(a0, lanes, s, r0, x, xo, kv, k, y, yo + i * ys, acc);
            finishBf16(a1, lanes, s, r1, x, xo, kv, k, y, yo + (i + 1) * ys, acc);
            finishBf16(a2, lanes, s, r2, x, xo, kv, k, y, yo + (i + 2) * ys, acc);
            finishBf16(a3, lanes, s, r3, x, xo, kv, k, y, yo + (i + 3) * ys, acc);
        }
        for (; i < i1; i++) {
            long r0 = w.offset() + i * ld;
            FloatVector a0 = FloatVector.zero(F);
            for (int p = 0; p < half; p += L) {
                IntVector w0 = IntVector.fromMemorySegment(FloatRuns.I, seg, (r0 + 2L * p) * 2, LE);
                a0 = w0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, xe, p), a0);
                a0 = w0.and(0xFFFF0000).reinterpretAsFloats().fma(FloatVector.fromArray(F, xd, p), a0);
            }
            finishBf16(a0, lanes, s, r0, x, xo, kv, k, y, yo + i * ys, acc);
        }
    }

    private static void dotRowsF16(MatrixOperand w, float[] x, int xo, float[] y, int yo, int ys, boolean acc, int i0, int i1) {
        CpuStorage s = w.storage();
        MemorySegment seg = s.segment();
        int k = w.cols(), kv = k - k % L;
        long ld = w.rowStride();
        float[] lanes = new float[L];
        int i = i0;
        for (; i + 4 <= i1; i += 4) {
            long r0 = w.offset() + i * ld, r1 = r0 + ld, r2 = r1 + ld, r3 = r2 + ld;
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int p = 0; p < kv; p += L) {
                FloatVector xv = FloatVector.fromArray(F, x, xo + p);
                a0 = FloatRuns.f16(seg, (r0 + p) * 2).fma(xv, a0);
                a1 = FloatRuns.f16(seg, (r1 + p) * 2).fma(xv, a1);
                a2 = FloatRuns.f16(seg, (r2 + p) * 2).fma(xv, a2);
                a3 = FloatRuns.f16(seg, (r3 + p) * 2).fma(xv, a3);
            }
            finishF16(a0, lanes, s, r0, x, xo, kv, k, y, yo + i * ys, acc);
            finishF16(a1, lanes, s, r1, x, xo, kv, k, y, yo + (i + 1) * ys, acc);
            finishF16(a2, lanes, s, r2, x, xo, kv, k, y, yo + (i + 2) * ys, acc);
            finishF16(a3, lanes, s, r3, x, xo, kv, k, y, yo + (i + 3) * ys, acc);
        }
        for (; i < i1; i++) {
            long r0 = w.offset() + i * ld;
            FloatVector a0 = FloatVector.zero(F);
            for (int p = 0; p < kv; p += L) a0 = FloatRuns.f16(seg, (r0 + p) * 2).fma(FloatVector.fromArray(F, x, xo + p), a0);
            finishF16(a0, lanes, s, r0, x, xo, kv, k, y, yo + i * ys, acc);
        }
    }

    // Row tails (k not a multiple of the vector length), read with the storage kind's own accessor: the generic
    // CpuStorage.getFloat costs a dtype switch and a segment dispatch per element.

    private static void finishArray(FloatVector a, float[] lanes, CpuStorage s, long row, float[] x, int xo, int kv, int k,
                                    float[] y, int yi, boolean acc) {
        a.intoArray(lanes, 0);
        float sum = laneSum(lanes);
        float[] arr = s.floats();
        for (int p = kv; p < k; p++) sum = Math.fma(arr[(int) row + p], x[xo + p], sum);
        y[yi] = acc ? y[yi] + sum : sum;
    }

    private static void finishF32(FloatVector a, float[] lanes, CpuStorage s, long row, float[] x, int xo, int kv, int k,
                                  float[] y, int yi, boolean acc) {
        a.intoArray(lanes, 0);
        float sum = laneSum(lanes);
        MemorySegment seg = s.segment();
        for (int p = kv; p < k; p++) sum = Math.fma(seg.get(FloatRuns.F32, (row + p) * 4), x[xo + p], sum);
        y[yi] = acc ? y[yi] + sum : sum;
    }

    private static void finishBf16(FloatVector a, float[] lanes, CpuStorage s, long row, float[] x, int xo, int kv, int k,
                                   float[] y, int yi, boolean acc) {
        a.intoArray(lanes, 0);
        float sum = laneSum(lanes);
        MemorySegment seg = s.segment();
        for (int p = kv; p < k; p++) sum = Math.fma(Half.bf16ToFloat(seg.get(FloatRuns.I16, (row + p) * 2)), x[xo + p], sum);
        y[yi] = acc ? y[yi] + sum : sum;
    }

    private static void finishF16(FloatVector a, float[] lanes, CpuStorage s, long row, float[] x, int xo, int kv, int k,
                                  float[] y, int yi, boolean acc) {
        a.intoArray(lanes, 0);
        float sum = laneSum(lanes);
        MemorySegment seg = s.segment();
        for (int p = kv; p < k; p++) sum = Math.fma(Float.float16ToFloat(seg.get(FloatRuns.I16, (row + p) * 2)), x[xo + p], sum);
        y[yi] = acc ? y[yi] + sum : sum;
    }

    /** Adds the accumulator's lanes in a fixed order, then the scalar tail of the row, and writes y. */
    private static void finish(FloatVector a, float[] lanes, CpuStorage s, long row, float[] x, int xo, int kv, int k,
                               float[] y, int yi, boolean acc) {
        a.intoArray(lanes, 0);
        float sum = laneSum(lanes);
        for (int p = kv; p < k; p++) sum = Math.fma(loadScalar(s, row + p), x[xo + p], sum);
        y[yi] = acc ? y[yi] + sum : sum;
    }

    /** Pairwise sum of the lanes: fixed order, and shorter dependency chains than left to right. */
    private static float laneSum(float[] v) {
        int n = v.length;
        float[] t = v;
        while (n > 1) {
            n >>= 1;
            for (int j = 0; j < n; j++) t[j] = t[j] + t[j + n];
        }
        return t[0];
    }

    // ------------------------------------------------------------------ column-major W: axpy over columns

    private static void axpyRows(MatrixOperand w, float[] x, int xo, float[] y, int yo, int ys, boolean acc, int i0, int i1) {
        CpuStorage s = w.storage();
        int kind = kind(s);
        float[] arr = s.floats();
        MemorySegment seg = s.segment();
        int k = w.cols();
        long ld = w.colStride();
        float[] t = new float[Math.min(AXPY_CHUNK, i1 - i0)];
        for (int c0 = i0; c0 < i1; c0 += AXPY_CHUNK) {
            int len = Math.min(AXPY_CHUNK, i1 - c0);
            int lenV = len - len % L;
            java.util.Arrays.fill(t, 0, len, 0f);
            long base = w.offset() + c0;
            int p = 0;
            // Four columns per pass over the chunk: one load/store of t per four FMAs, the same FMA chain per element.
            for (; p + 4 <= k; p += 4) {
                long e0 = base + p * ld, e1 = e0 + ld, e2 = e1 + ld, e3 = e2 + ld;
                FloatVector x0 = FloatVector.broadcast(F, x[xo + p]), x1 = FloatVector.broadcast(F, x[xo + p + 1]);
                FloatVector x2 = FloatVector.broadcast(F, x[xo + p + 2]), x3 = FloatVector.broadcast(F, x[xo + p + 3]);
                for (int i = 0; i < lenV; i += L) {
                    FloatVector v = FloatVector.fromArray(F, t, i);
                    v = load(kind, arr, seg, e0 + i).fma(x0, v);
                    v = load(kind, arr, seg, e1 + i).fma(x1, v);
                    v = load(kind, arr, seg, e2 + i).fma(x2, v);
                    v = load(kind, arr, seg, e3 + i).fma(x3, v);
                    v.intoArray(t, i);
                }
                for (int i = lenV; i < len; i++) {
                    float v = t[i];
                    v = Math.fma(loadScalar(s, e0 + i), x[xo + p], v);
                    v = Math.fma(loadScalar(s, e1 + i), x[xo + p + 1], v);
                    v = Math.fma(loadScalar(s, e2 + i), x[xo + p + 2], v);
                    v = Math.fma(loadScalar(s, e3 + i), x[xo + p + 3], v);
                    t[i] = v;
                }
            }
            for (; p < k; p++) {
                long e0 = base + p * ld;
                FloatVector x0 = FloatVector.broadcast(F, x[xo + p]);
                for (int i = 0; i < lenV; i += L) {
                    load(kind, arr, seg, e0 + i).fma(x0, FloatVector.fromArray(F, t, i)).intoArray(t, i);
                }
                for (int i = lenV; i < len; i++) t[i] = Math.fma(loadScalar(s, e0 + i), x[xo + p], t[i]);
            }
            for (int i = 0; i < len; i++) {
                int yi = yo + (c0 + i) * ys;
                y[yi] = acc ? y[yi] + t[i] : t[i];
            }
        }
    }
}
