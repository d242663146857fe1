package org.crs4j.tensor.cpu;

import static jdk.incubator.vector.VectorOperators.LSHL;
import static org.crs4j.tensor.cpu.FloatRuns.F;
import static org.crs4j.tensor.cpu.FloatRuns.I;
import static org.crs4j.tensor.cpu.FloatRuns.LE;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import org.crs4j.tensor.DType;

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
    private static final int AXPY_CHUNK = 1024; // = BLOCK: a widened column run fits the same buffer
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
            if (!rowMajor) {
                axpyRows(w, x, xOffset, y, yOffset, yStride, accumulate, i0, i1);
            } else if (w.dtype() == DType.F32 && w.storage().segment().isNative()) {
                dotRowsF32Segment(w, x, xOffset, y, yOffset, yStride, accumulate, i0, i1);
            } else if (w.dtype() == DType.BF16 && w.storage().segment().isNative()) {
                dotRowsBf16(w, x, xOffset, y, yOffset, yStride, accumulate, i0, i1);
            } else {
                dotRows(w, x, xOffset, y, yOffset, yStride, accumulate, i0, i1);
            }
        });
    }

    // ------------------------------------------------------------------ row-major W: dot products

    /**
     * Elements of each row per block in {@link #dotRows}, the general kernel: a heap F32 weight is read in place, any
     * other storage not served by a dedicated kernel (F16, heap BF16) is widened block by block into a per-thread
     * float[] of 4 x BLOCK (16 KiB, L1-resident). Native F32 and BF16, the memory-mapped weights of generation, have
     * their own kernels that read in place.
     */
    private static final int BLOCK = 1024;

    private static final ThreadLocal<float[]> WIDE = ThreadLocal.withInitial(() -> new float[4 * BLOCK]);

    private static void dotRows(MatrixOperand w, float[] x, int xo, float[] y, int yo, int ys, boolean acc, int i0, int i1) {
        CpuStorage s = w.storage();
        float[] arr = s.floats(); // non-null only for heap F32: read in place
        float[] wide = arr == null ? WIDE.get() : null;
        int k = w.cols();
        long ld = w.rowStride();
        int kv = k - k % L; // the vector part of each row; the rest is the scalar tail
        float[] lanes = new float[L];
        int i = i0;
        for (; i + 4 <= i1; i += 4) {
            long r0 = w.offset() + i * ld, r1 = r0 + ld, r2 = r1 + ld, r3 = r2 + ld;
            FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
            for (int p0 = 0; p0 < kv; p0 += BLOCK) {
                int len = Math.min(BLOCK, kv - p0);
                float[] src;
                int o0, o1, o2, o3;
                if (arr != null) {
                    src = arr;
                    o0 = (int) (r0 + p0); o1 = (int) (r1 + p0); o2 = (int) (r2 + p0); o3 = (int) (r3 + p0);
                } else {
                    src = wide;
                    FloatRuns.read(s, r0 + p0, wide, o0 = 0, len);
                    FloatRuns.read(s, r1 + p0, wide, o1 = BLOCK, len);
                    FloatRuns.read(s, r2 + p0, wide, o2 = 2 * BLOCK, len);
                    FloatRuns.read(s, r3 + p0, wide, o3 = 3 * BLOCK, len);
                }
                for (int p = 0; p < len; p += L) {
                    FloatVector xv = FloatVector.fromArray(F, x, xo + p0 + p);
                    a0 = FloatVector.fromArray(F, src, o0 + p).fma(xv, a0);
                    a1 = FloatVector.fromArray(F, src, o1 + p).fma(xv, a1);
                    a2 = FloatVector.fromArray(F, src, o2 + p).fma(xv, a2);
                    a3 = FloatVector.fromArray(F, src, o3 + p).fma(xv, a3);
                }
            }
            // Vectors never go to a helper (a call C2 does not inline would box them): lanes go through an array.
            a0.intoArray(lanes, 0);
            finish(lanes, s, r0, x, xo, kv, k, y, yo + i * ys, acc);
            a1.intoArray(lanes, 0);
            finish(lanes, s, r1, x, xo, kv, k, y, yo + (i + 1) * ys, acc);
            a2.intoArray(lanes, 0);
            finish(lanes, s, r2, x, xo, kv, k, y, yo + (i + 2) * ys, acc);
            a3.intoArray(lanes, 0);
            finish(lanes, s, r3, x, xo, kv, k, y, yo + (i + 3) * ys, acc);
        }
        for (; i < i1; i++) { // the last rows, one at a time, summed exactly as above
            long r0 = w.offset() + i * ld;
            FloatVector a0 = FloatVector.zero(F);
            for (int p0 = 0; p0 < kv; p0 += BLOCK) {
                int len = Math.min(BLOCK, kv - p0);
                float[] src;
                int o0;
                if (arr != null) {
                    src = arr;
                    o0 = (int) (r0 + p0);
                } else {
                    src = wide;
                    FloatRuns.read(s, r0 + p0, wide, o0 = 0, len);
                }
                for (int p = 0; p < len; p += L) {
                    a0 = FloatVector.fromArray(F, src, o0 + p).fma(FloatVector.fromArray(F, x, xo + p0 + p), a0);
                }
            }
            a0.intoArray(lanes, 0);
            finish(lanes, s, r0, x, xo, kv, k, y, yo + i * ys, acc);
        }
    }

    /**
     * Row-major F32 W in a native segment (a memory-mapped checkpoint), read in place. Same summation as {@link #dotRows}:
     * one accumulator per row over the vector part, lanes summed by {@link #finish}, then the scalar tail.
     */
    private static void dotRowsF32Segment(MatrixOperand w, float[] x, int xo, float[] y, int yo, int ys, boolean acc,
                                          int i0, int i1) {
        CpuStorage s = w.storage();
        MemorySegment seg = s.segment();
        int k = w.cols();
        long ld = w.rowStride();
        int kv = k - k % L;
        float[] lanes = new float[L];
        int i = i0;
        for (; i + 4 <= i1; i += 4) {
            long r0 = w.offset() + i * ld, r1 = r0 + ld, r2 = r1 + ld, r3 = r2 + ld;
            long b0 = 4 * r0, b1 = 4 * r1, b2 = 4 * r2, b3 = 4 * r3; // byte offsets
            FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
            for (int p = 0; p < kv; p += L) {
                FloatVector xv = FloatVector.fromArray(F, x, xo + p);
                a0 = FloatVector.fromMemorySegment(F, seg, b0 + 4L * p, LE).fma(xv, a0);
                a1 = FloatVector.fromMemorySegment(F, seg, b1 + 4L * p, LE).fma(xv, a1);
                a2 = FloatVector.fromMemorySegment(F, seg, b2 + 4L * p, LE).fma(xv, a2);
                a3 = FloatVector.fromMemorySegment(F, seg, b3 + 4L * p, LE).fma(xv, a3);
            }
            a0.intoArray(lanes, 0);
            finish(lanes, s, r0, x, xo, kv, k, y, yo + i * ys, acc);
            a1.intoArray(lanes, 0);
            finish(lanes, s, r1, x, xo, kv, k, y, yo + (i + 1) * ys, acc);
            a2.intoArray(lanes, 0);
            finish(lanes, s, r2, x, xo, kv, k, y, yo + (i + 2) * ys, acc);
            a3.intoArray(lanes, 0);
            finish(lanes, s, r3, x, xo, kv, k, y, yo + (i + 3) * ys, acc);
        }
        for (; i < i1; i++) {
            long r0 = w.offset() + i * ld, b0 = 4 * r0;
            FloatVector a0 = FloatVector.zero(F);
            for (int p = 0; p < kv; p += L) {
                a0 = FloatVector.fromMemorySegment(F, seg, b0 + 4L * p, LE).fma(FloatVector.fromArray(F, x, xo + p), a0);
            }
            a0.intoArray(lanes, 0);
            finish(lanes, s, r0, x, xo, kv, k, y, yo + i * ys, acc);
        }
    }

    /**
     * Row-major BF16 W in a native segment (a memory-mapped checkpoint), widened in registers: 16-bit lanes extended
     * to 32 and shifted left by 16 are the F32 values. Same summation as {@link #dotRows}.
     */
    private static void dotRowsBf16(MatrixOperand w, float[] x, int xo, float[] y, int yo, int ys, boolean acc,
                                    int i0, int i1) {
        // A 32-bit lane holding two BF16 values gives the even one as lane << 16 and the odd one as lane & 0xFFFF0000,
        // both exact F32 bit patterns: each load of 2L weights feeds two FMAs against x split once into its even and
        // odd elements. A shift and a mask cost less than the short-to-int lane conversion (measured on one thread,
        // 2048 x 5632 BF16 rows: 21 GB/s against 16.5), which matters in a loop that should run at memory bandwidth.
        CpuStorage s = w.storage();
        MemorySegment seg = s.segment();
        int k = w.cols();
        long ld = w.rowStride();
        int kv = k - k % (2 * L), half = kv / 2;
        float[] xe = new float[half], xd = new float[half];
        for (int j = 0; j < half; j++) {
            xe[j] = x[xo + 2 * j];
            xd[j] = x[xo + 2 * j + 1];
        }
        float[] lanes = new float[L];
        int i = i0;
        for (; i + 4 <= i1; i += 4) {
            long r0 = w.offset() + i * ld, r1 = r0 + ld, r2 = r1 + ld, r3 = r2 + ld;
            long b0 = 2 * r0, b1 = 2 * r1, b2 = 2 * r2, b3 = 2 * r3; // byte offsets
            FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
            for (int p = 0; p < half; p += L) {
                FloatVector ve = FloatVector.fromArray(F, xe, p), vd = FloatVector.fromArray(F, xd, p);
                IntVector w0 = IntVector.fromMemorySegment(I, seg, b0 + 4L * p, LE);
                IntVector w1 = IntVector.fromMemorySegment(I, seg, b1 + 4L * p, LE);
                IntVector w2 = IntVector.fromMemorySegment(I, seg, b2 + 4L * p, LE);
                IntVector w3 = IntVector.fromMemorySegment(I, seg, b3 + 4L * p, LE);
                a0 = w0.lanewise(LSHL, 16).reinterpretAsFloats().fma(ve, a0);
                a1 = w1.lanewise(LSHL, 16).reinterpretAsFloats().fma(ve, a1);
                a2 = w2.lanewise(LSHL, 16).reinterpretAsFloats().fma(ve, a2);
                a3 = w3.lanewise(LSHL, 16).reinterpretAsFloats().fma(ve, a3);
                a0 = w0.and(0xFFFF0000).reinterpretAsFloats().fma(vd, a0);
                a1 = w1.and(0xFFFF0000).reinterpretAsFloats().fma(vd, a1);
                a2 = w2.and(0xFFFF0000).reinterpretAsFloats().fma(vd, a2);
                a3 = w3.and(0xFFFF0000).reinterpretAsFloats().fma(vd, a3);
            }
            a0.intoArray(lanes, 0);
            finish(lanes, s, r0, x, xo, kv, k, y, yo + i * ys, acc);
            a1.intoArray(lanes, 0);
            finish(lanes, s, r1, x, xo, kv, k, y, yo + (i + 1) * ys, acc);
            a2.intoArray(lanes, 0);
            finish(lanes, s, r2, x, xo, kv, k, y, yo + (i + 2) * ys, acc);
            a3.intoArray(lanes, 0);
            finish(lanes, s, r3, x, xo, kv, k, y, yo + (i + 3) * ys, acc);
        }
        for (; i < i1; i++) {
            long r0 = w.offset() + i * ld, b0 = 2 * r0;
            FloatVector a0 = FloatVector.zero(F);
            for (int p = 0; p < half; p += L) {
                IntVector w0 = IntVector.fromMemorySegment(I, seg, b0 + 4L * p, LE);
                a0 = w0.lanewise(LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, xe, p), a0);
                a0 = w0.and(0xFFFF0000).reinterpretAsFloats().fma(FloatVector.fromArray(F, xd, p), a0);
            }
            a0.intoArray(lanes, 0);
            finish(lanes, s, r0, x, xo, kv, k, y, yo + i * ys, acc);
        }
    }

    /** Adds the accumulator's lanes in a fixed order, then the scalar tail of the row, and writes y. */
    private static void finish(float[] lanes, CpuStorage s, long row, float[] x, int xo, int kv, int k,
                               float[] y, int yi, boolean acc) {
        float sum = laneSum(lanes);
        for (int p = kv; p < k; p++) sum = Math.fma(s.getFloat(row + p), x[xo + p], sum);
        y[yi] = acc ? y[yi] + sum : sum;
    }

    /** Pairwise sum of the lanes (destroys them): a fixed order, and shorter dependency chains than left to right. */
    private static float laneSum(float[] v) {
        for (int n = v.length >> 1; n > 0; n >>= 1) {
            for (int j = 0; j < n; j++) v[j] = v[j] + v[j + n];
        }
        return v[0];
    }

    // ------------------------------------------------------------------ column-major W: axpy over columns

    private static void axpyRows(MatrixOperand w, float[] x, int xo, float[] y, int yo, int ys, boolean acc, int i0, int i1) {
        CpuStorage s = w.storage();
        float[] arr = s.floats();
        float[] wide = arr == null ? WIDE.get() : null;
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
                float[] src;
                int o0, o1, o2, o3;
                if (arr != null) {
                    src = arr;
                    o0 = (int) (base + p * ld); o1 = (int) (o0 + ld); o2 = (int) (o1 + ld); o3 = (int) (o2 + ld);
                } else {
                    src = wide;
                    FloatRuns.read(s, base + p * ld, wide, o0 = 0, len);
                    FloatRuns.read(s, base + (p + 1) * ld, wide, o1 = BLOCK, len);
                    FloatRuns.read(s, base + (p + 2) * ld, wide, o2 = 2 * BLOCK, len);
                    FloatRuns.read(s, base + (p + 3) * ld, wide, o3 = 3 * BLOCK, len);
                }
                float x0 = x[xo + p], x1 = x[xo + p + 1], x2 = x[xo + p + 2], x3 = x[xo + p + 3];
                FloatVector v0 = FloatVector.broadcast(F, x0), v1 = FloatVector.broadcast(F, x1);
                FloatVector v2 = FloatVector.broadcast(F, x2), v3 = FloatVector.broadcast(F, x3);
                for (int i = 0; i < lenV; i += L) {
                    FloatVector v = FloatVector.fromArray(F, t, i);
                    v = FloatVector.fromArray(F, src, o0 + i).fma(v0, v);
                    v = FloatVector.fromArray(F, src, o1 + i).fma(v1, v);
                    v = FloatVector.fromArray(F, src, o2 + i).fma(v2, v);
                    v = FloatVector.fromArray(F, src, o3 + i).fma(v3, v);
                    v.intoArray(t, i);
                }
                for (int i = lenV; i < len; i++) {
                    float v = t[i];
                    v = Math.fma(src[o0 + i], x0, v);
                    v = Math.fma(src[o1 + i], x1, v);
                    v = Math.fma(src[o2 + i], x2, v);
                    t[i] = Math.fma(src[o3 + i], x3, v);
                }
            }
            for (; p < k; p++) {
                float[] src;
                int o0;
                if (arr != null) {
                    src = arr;
                    o0 = (int) (base + p * ld);
                } else {
                    src = wide;
                    FloatRuns.read(s, base + p * ld, wide, o0 = 0, len);
                }
                float x0 = x[xo + p];
                FloatVector v0 = FloatVector.broadcast(F, x0);
                for (int i = 0; i < lenV; i += L) {
                    FloatVector.fromArray(F, src, o0 + i).fma(v0, FloatVector.fromArray(F, t, i)).intoArray(t, i);
                }
                for (int i = lenV; i < len; i++) t[i] = Math.fma(src[o0 + i], x0, t[i]);
            }
            for (int i = 0; i < len; i++) {
                int yi = yo + (c0 + i) * ys;
                y[yi] = acc ? y[yi] + t[i] : t[i];
            }
        }
    }
}
