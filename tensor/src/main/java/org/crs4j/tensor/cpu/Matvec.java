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
 * each weight is read once per token, so the kernel's job is to stream W at memory bandwidth: no packing, BF16
 * widened in registers. (F16 and heap 16-bit storage, rare in generation, are widened through an L1-sized buffer.)
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
        int s = (long) n * k < MIN_PARALLEL_WORK ? 1 : Math.max(1, Math.min(threads, n / 16));
        // Both strides 1 happens only for a single row (dot) or a single column (either works).
        boolean rowMajor = w.colStride() == 1 && (w.rowStride() != 1 || n == 1);
        Parallel.forEachTask(s, t -> {
            int i0 = (int) ((long) n * t / s), i1 = (int) ((long) n * (t + 1) / s);
            if (rowMajor) dotRows(w, x, xOffset, y, yOffset, yStride, accumulate, i0, i1);
            else axpyRows(w, x, xOffset, y, yOffset, yStride, accumulate, i0, i1);
        });
    }

    // Structure, for C2's sake: the drivers loop over row groups (or column groups) and call a small kernel per
    // group, so that kernels are invoked thousands of times per product and get a regular C2 compilation within the
    // first call; a long loop entered once would run in an on-stack-replacement compilation, where C2 keeps the
    // accumulators boxed. Kernels take and return arrays only: a vector passed to a call C2 does not inline is boxed.

    // ------------------------------------------------------------------ row-major W: dot products

    /**
     * Elements per widened block: storage read neither in place as a float[] nor by a dedicated kernel (F16, heap
     * BF16, F32 over a non-float array) is widened into a per-thread float[] of 4 x BLOCK (16 KiB, L1-resident).
     */
    private static final int BLOCK = 1024;

    private static final ThreadLocal<float[]> WIDE = ThreadLocal.withInitial(() -> new float[4 * BLOCK]);

    private static void dotRows(MatrixOperand w, float[] x, int xo, float[] y, int yo, int ys, boolean acc, int i0, int i1) {
        CpuStorage s = w.storage();
        MemorySegment seg = s.segment();
        float[] arr = s.floats(); // heap F32: read in place
        boolean nativeF32 = arr == null && s.dtype() == DType.F32 && seg.isNative();
        boolean nativeBf16 = s.dtype() == DType.BF16 && seg.isNative();
        float[] wide = arr == null && !nativeF32 && !nativeBf16 ? WIDE.get() : null;
        int k = w.cols();
        long ld = w.rowStride();
        // The vector part of each row (the rest is the scalar tail), and the rows per group.
        int kv = k - k % (nativeBf16 ? 2 * L : L), group = nativeBf16 ? 8 : 4;
        float[] xPairs = nativeBf16 ? evenOdd(x, xo, kv) : null;
        float[] lanes = new float[group * L]; // the accumulators of a row group, between kernel calls
        for (int i = i0; i < i1; ) {
            int rows = i + group <= i1 ? group : 1;
            long r0 = w.offset() + i * ld;
            java.util.Arrays.fill(lanes, 0f);
            if (arr != null) {
                if (rows == 4) dot4(arr, (int) r0, (int) ld, x, xo, kv, lanes);
                else dot1(arr, (int) r0, x, xo, kv, lanes);
            } else if (nativeF32) {
                if (rows == 4) dot4F32(seg, 4 * r0, 4 * ld, x, xo, kv, lanes);
                else dot1F32(seg, 4 * r0, x, xo, kv, lanes);
            } else if (nativeBf16) {
                if (rows == 8) dot8Bf16(seg, 2 * r0, 2 * ld, xPairs, kv, lanes);
                else dot1Bf16(seg, 2 * r0, xPairs, kv, lanes);
            } else {
                for (int p0 = 0; p0 < kv; p0 += BLOCK) {
                    int len = Math.min(BLOCK, kv - p0);
                    for (int r = 0; r < rows; r++) FloatRuns.read(s, r0 + r * ld + p0, wide, r * BLOCK, len);
                    if (rows == 4) dot4(wide, 0, BLOCK, x, xo + p0, len, lanes);
                    else dot1(wide, 0, x, xo + p0, len, lanes);
                }
            }
            for (int r = 0; r < rows; r++) {
                float sum = laneSum(lanes, r * L);
                long row = r0 + r * ld;
                for (int p = kv; p < k; p++) sum = Math.fma(s.getFloat(row + p), x[xo + p], sum);
                int yi = yo + (i + r) * ys;
                y[yi] = acc ? y[yi] + sum : sum;
            }
            i += rows;
        }
    }

    /**
     * x[xo .. xo+len) regrouped for {@link #dot8Bf16}: in each block of 2L elements, the L even-indexed ones, then the
     * L odd-indexed ones.
     */
    private static float[] evenOdd(float[] x, int xo, int len) {
        float[] pairs = new float[len];
        for (int b = 0; b < len; b += 2 * L) {
            for (int j = 0; j < L; j++) {
                pairs[b + j] = x[xo + b + 2 * j];
                pairs[b + L + j] = x[xo + b + 2 * j + 1];
            }
        }
        return pairs;
    }

    /** Pairwise sum of v[off .. off+L) (destroys it): a fixed order, and shorter chains than left to right. */
    private static float laneSum(float[] v, int off) {
        for (int n = L >> 1; n > 0; n >>= 1) {
            for (int j = 0; j < n; j++) v[off + j] = v[off + j] + v[off + j + n];
        }
        return v[off];
    }

    /**
     * lanes[r*L ..] += the lane-wise products of rows r = 0..3 of w (at o, o+ld, o+2ld, o+3ld) with x[xo ..], over
     * len elements (a multiple of L): one FMA chain per row, so every row is summed in the same order as by
     * {@link #dot1} and whatever the blocks.
     */
    private static void dot4(float[] w, int o, int ld, float[] x, int xo, int len, float[] lanes) {
        FloatVector a0 = FloatVector.fromArray(F, lanes, 0), a1 = FloatVector.fromArray(F, lanes, L);
        FloatVector a2 = FloatVector.fromArray(F, lanes, 2 * L), a3 = FloatVector.fromArray(F, lanes, 3 * L);
        int o1 = o + ld, o2 = o1 + ld, o3 = o2 + ld;
        for (int p = 0; p < len; p += L) {
            FloatVector xv = FloatVector.fromArray(F, x, xo + p);
            a0 = FloatVector.fromArray(F, w, o + p).fma(xv, a0);
            a1 = FloatVector.fromArray(F, w, o1 + p).fma(xv, a1);
            a2 = FloatVector.fromArray(F, w, o2 + p).fma(xv, a2);
            a3 = FloatVector.fromArray(F, w, o3 + p).fma(xv, a3);
        }
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, L);
        a2.intoArray(lanes, 2 * L);
        a3.intoArray(lanes, 3 * L);
    }

    private static void dot1(float[] w, int o, float[] x, int xo, int len, float[] lanes) {
        FloatVector a0 = FloatVector.fromArray(F, lanes, 0);
        for (int p = 0; p < len; p += L) a0 = FloatVector.fromArray(F, w, o + p).fma(FloatVector.fromArray(F, x, xo + p), a0);
        a0.intoArray(lanes, 0);
    }

    /** {@link #dot4} over F32 rows in a native segment (byte offset b, rows rowBytes apart), read in place. */
    private static void dot4F32(MemorySegment seg, long b, long rowBytes, float[] x, int xo, int len, float[] lanes) {
        FloatVector a0 = FloatVector.fromArray(F, lanes, 0), a1 = FloatVector.fromArray(F, lanes, L);
        FloatVector a2 = FloatVector.fromArray(F, lanes, 2 * L), a3 = FloatVector.fromArray(F, lanes, 3 * L);
        long b1 = b + rowBytes, b2 = b1 + rowBytes, b3 = b2 + rowBytes;
        for (int p = 0; p < len; p += L) {
            FloatVector xv = FloatVector.fromArray(F, x, xo + p);
            a0 = FloatVector.fromMemorySegment(F, seg, b + 4L * p, LE).fma(xv, a0);
            a1 = FloatVector.fromMemorySegment(F, seg, b1 + 4L * p, LE).fma(xv, a1);
            a2 = FloatVector.fromMemorySegment(F, seg, b2 + 4L * p, LE).fma(xv, a2);
            a3 = FloatVector.fromMemorySegment(F, seg, b3 + 4L * p, LE).fma(xv, a3);
        }
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, L);
        a2.intoArray(lanes, 2 * L);
        a3.intoArray(lanes, 3 * L);
    }

    private static void dot1F32(MemorySegment seg, long b, float[] x, int xo, int len, float[] lanes) {
        FloatVector a0 = FloatVector.fromArray(F, lanes, 0);
        for (int p = 0; p < len; p += L) {
            a0 = FloatVector.fromMemorySegment(F, seg, b + 4L * p, LE).fma(FloatVector.fromArray(F, x, xo + p), a0);
        }
        a0.intoArray(lanes, 0);
    }

    /**
     * Eight BF16 rows of a native segment (byte offset b, rows rowBytes apart) against x regrouped by
     * {@link #evenOdd}, over len elements (a multiple of 2L). Each 32-bit lane of a load holds two BF16 values: the
     * low one (even index) shifted left by 16 and the high one (odd index) with the low half cleared are exact F32s,
     * so one full-width load, a shift, an AND and two FMAs cover 2L weights. Measured against one half-width load
     * widened per L weights, four rows at a time: about 10-15% more GB/s from DRAM, since fewer instructions per byte
     * let the core keep more cache misses in flight.
     */
    private static void dot8Bf16(MemorySegment seg, long b, long rowBytes, float[] xPairs, int len, float[] lanes) {
        FloatVector a0 = FloatVector.fromArray(F, lanes, 0), a1 = FloatVector.fromArray(F, lanes, L);
        FloatVector a2 = FloatVector.fromArray(F, lanes, 2 * L), a3 = FloatVector.fromArray(F, lanes, 3 * L);
        FloatVector a4 = FloatVector.fromArray(F, lanes, 4 * L), a5 = FloatVector.fromArray(F, lanes, 5 * L);
        FloatVector a6 = FloatVector.fromArray(F, lanes, 6 * L), a7 = FloatVector.fromArray(F, lanes, 7 * L);
        long b1 = b + rowBytes, b2 = b1 + rowBytes, b3 = b2 + rowBytes;
        long b4 = b3 + rowBytes, b5 = b4 + rowBytes, b6 = b5 + rowBytes, b7 = b6 + rowBytes;
        for (int p = 0; p < len; p += 2 * L) {
            FloatVector xe = FloatVector.fromArray(F, xPairs, p), xd = FloatVector.fromArray(F, xPairs, p + L);
            long o = 2L * p;
            IntVector v0 = IntVector.fromMemorySegment(I, seg, b + o, LE);
            IntVector v1 = IntVector.fromMemorySegment(I, seg, b1 + o, LE);
            IntVector v2 = IntVector.fromMemorySegment(I, seg, b2 + o, LE);
            IntVector v3 = IntVector.fromMemorySegment(I, seg, b3 + o, LE);
            a0 = v0.lanewise(LSHL, 16).reinterpretAsFloats().fma(xe, a0);
            a1 = v1.lanewise(LSHL, 16).reinterpretAsFloats().fma(xe, a1);
            a2 = v2.lanewise(LSHL, 16).reinterpretAsFloats().fma(xe, a2);
            a3 = v3.lanewise(LSHL, 16).reinterpretAsFloats().fma(xe, a3);
            a0 = v0.and(HIGH_HALF).reinterpretAsFloats().fma(xd, a0);
            a1 = v1.and(HIGH_HALF).reinterpretAsFloats().fma(xd, a1);
            a2 = v2.and(HIGH_HALF).reinterpretAsFloats().fma(xd, a2);
            a3 = v3.and(HIGH_HALF).reinterpretAsFloats().fma(xd, a3);
            IntVector v4 = IntVector.fromMemorySegment(I, seg, b4 + o, LE);
            IntVector v5 = IntVector.fromMemorySegment(I, seg, b5 + o, LE);
            IntVector v6 = IntVector.fromMemorySegment(I, seg, b6 + o, LE);
            IntVector v7 = IntVector.fromMemorySegment(I, seg, b7 + o, LE);
            a4 = v4.lanewise(LSHL, 16).reinterpretAsFloats().fma(xe, a4);
            a5 = v5.lanewise(LSHL, 16).reinterpretAsFloats().fma(xe, a5);
            a6 = v6.lanewise(LSHL, 16).reinterpretAsFloats().fma(xe, a6);
            a7 = v7.lanewise(LSHL, 16).reinterpretAsFloats().fma(xe, a7);
            a4 = v4.and(HIGH_HALF).reinterpretAsFloats().fma(xd, a4);
            a5 = v5.and(HIGH_HALF).reinterpretAsFloats().fma(xd, a5);
            a6 = v6.and(HIGH_HALF).reinterpretAsFloats().fma(xd, a6);
            a7 = v7.and(HIGH_HALF).reinterpretAsFloats().fma(xd, a7);
        }
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, L);
        a2.intoArray(lanes, 2 * L);
        a3.intoArray(lanes, 3 * L);
        a4.intoArray(lanes, 4 * L);
        a5.intoArray(lanes, 5 * L);
        a6.intoArray(lanes, 6 * L);
        a7.intoArray(lanes, 7 * L);
    }

    private static final int HIGH_HALF = 0xFFFF0000;

    /** One row of {@link #dot8Bf16}, summed the same way. */
    private static void dot1Bf16(MemorySegment seg, long b, float[] xPairs, int len, float[] lanes) {
        FloatVector a0 = FloatVector.fromArray(F, lanes, 0);
        for (int p = 0; p < len; p += 2 * L) {
            IntVector v0 = IntVector.fromMemorySegment(I, seg, b + 2L * p, LE);
            a0 = v0.lanewise(LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, xPairs, p), a0);
            a0 = v0.and(HIGH_HALF).reinterpretAsFloats().fma(FloatVector.fromArray(F, xPairs, p + L), a0);
        }
        a0.intoArray(lanes, 0);
    }

    // ------------------------------------------------------------------ column-major W: axpy over columns

    private static void axpyRows(MatrixOperand w, float[] x, int xo, float[] y, int yo, int ys, boolean acc, int i0, int i1) {
        CpuStorage s = w.storage();
        float[] arr = s.floats(); // heap F32: read in place; anything else is widened into `wide`
        float[] wide = arr == null ? WIDE.get() : null;
        int k = w.cols();
        long ld = w.colStride();
        float[] t = new float[Math.min(AXPY_CHUNK, i1 - i0)];
        for (int c0 = i0; c0 < i1; c0 += AXPY_CHUNK) {
            int len = Math.min(AXPY_CHUNK, i1 - c0);
            java.util.Arrays.fill(t, 0, len, 0f);
            long base = w.offset() + c0;
            for (int p = 0; p < k; ) {
                int cols = p + 4 <= k ? 4 : 1;
                float[] src = arr;
                int o = (int) (base + p * ld), step = (int) ld;
                if (arr == null) {
                    for (int q = 0; q < cols; q++) FloatRuns.read(s, base + (p + q) * ld, wide, q * BLOCK, len);
                    src = wide;
                    o = 0;
                    step = BLOCK;
                }
                if (cols == 4) axpy4(src, o, step, x, xo + p, t, len);
                else axpy1(src, o, x[xo + p], t, len);
                p += cols;
            }
            for (int i = 0; i < len; i++) {
                int yi = yo + (c0 + i) * ys;
                y[yi] = acc ? y[yi] + t[i] : t[i];
            }
        }
    }

    /**
     * t[i] = fma(w[o+3·step+i], x3, fma(w[o+2·step+i], x2, fma(w[o+step+i], x1, fma(w[o+i], x0, t[i])))) for i < len:
     * four columns per pass, one load and store of t per four FMAs, the same chain per element as four {@link #axpy1}.
     */
    private static void axpy4(float[] w, int o, int step, float[] x, int xo, float[] t, int len) {
        float x0 = x[xo], x1 = x[xo + 1], x2 = x[xo + 2], x3 = x[xo + 3];
        FloatVector v0 = FloatVector.broadcast(F, x0), v1 = FloatVector.broadcast(F, x1);
        FloatVector v2 = FloatVector.broadcast(F, x2), v3 = FloatVector.broadcast(F, x3);
        int o1 = o + step, o2 = o1 + step, o3 = o2 + step;
        int i = 0;
        for (int bound = len - len % L; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(F, t, i);
            v = FloatVector.fromArray(F, w, o + i).fma(v0, v);
            v = FloatVector.fromArray(F, w, o1 + i).fma(v1, v);
            v = FloatVector.fromArray(F, w, o2 + i).fma(v2, v);
            v = FloatVector.fromArray(F, w, o3 + i).fma(v3, v);
            v.intoArray(t, i);
        }
        for (; i < len; i++) {
            t[i] = Math.fma(w[o3 + i], x3, Math.fma(w[o2 + i], x2, Math.fma(w[o1 + i], x1, Math.fma(w[o + i], x0, t[i]))));
        }
    }

    private static void axpy1(float[] w, int o, float x0, float[] t, int len) {
        FloatVector v0 = FloatVector.broadcast(F, x0);
        int i = 0;
        for (int bound = len - len % L; i < bound; i += L) {
            FloatVector.fromArray(F, w, o + i).fma(v0, FloatVector.fromArray(F, t, i)).intoArray(t, i);
        }
        for (; i < len; i++) t[i] = Math.fma(w[o + i], x0, t[i]);
    }
}
