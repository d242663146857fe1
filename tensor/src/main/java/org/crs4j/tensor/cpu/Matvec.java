package org.crs4j.tensor.cpu;

import static jdk.incubator.vector.VectorOperators.B2F;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static org.crs4j.tensor.cpu.FloatRuns.F;
import static org.crs4j.tensor.cpu.FloatRuns.I;
import static org.crs4j.tensor.cpu.FloatRuns.LE;
import static org.crs4j.tensor.cpu.VectorMath.HALVES;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorShuffle;
import org.crs4j.tensor.DType;

/**
 * Matrix-vector products {@code y (+)= W·x}, tuned apart from GEMM because they dominate LLM token generation: there
 * each weight is read once per token, so the kernel's job is to stream W at memory bandwidth: no packing, BF16
 * widened and Q8_0 dequantized in registers.
 *
 * <ul>
 *   <li>W row-major (a Linear weight [out, in], the common case): each output is a contiguous dot product, streamed
 *       one row after the other. A few vectors x at once ({@link #matvecs}: a short prompt, a batch of rows, beams)
 *       are dotted with each row while it is in L1, so W still comes from memory once.</li>
 *   <li>W column-major (x^T·B with B row-major [in, out]): y accumulates {@code x[p]·W[:, p]} column by column
 *       (axpy), over chunks of y small enough to stay in L1.</li>
 * </ul>
 * Threads take contiguous ranges of rows (of y), and only for products big enough to repay the hand-off.
 *
 * <p>Every y element is summed in an order fixed by its row of W alone (dot: four vector accumulators over k, merged
 * and their lanes added in a fixed order, then the scalar rest; axpy: one fused multiply-add chain over k), so the
 * result is bit-identical whichever thread, chunk, batch or number of vectors it is computed in: a row of a batch
 * gets exactly the bits it gets alone.
 */
public final class Matvec {
    private Matvec() {}

    private static final int L = F.length();
    /** Rows of y per axpy chunk: 4 KiB of accumulators stay in L1 while columns of W stream past. */
    private static final int AXPY_CHUNK = 1024;
    /** Most vectors {@link Sgemm} hands to {@link #matvecs} rather than packing: beyond, GEMM's register blocking wins. */
    public static final int MAX_VECTORS = 8;

    /** {@code y[i] = sum_p w(i, p)·x[p]} for i < w.rows() (or {@code y[i] += ...} when {@code accumulate}). */
    public static void matvec(MatrixOperand w, float[] x, float[] y, boolean accumulate) {
        matvecs(w, 1, x, 0, 0, y, 0, 0, 1, accumulate, Parallel.THREADS);
    }

    /**
     * {@code y[yOffset + i*yStride] (+)= sum_p w(i, p)·x[xOffset + p]}: W is rows x cols, x has cols elements, y rows.
     */
    public static void matvec(MatrixOperand w, float[] x, int xOffset, float[] y, int yOffset, int yStride,
                              boolean accumulate) {
        matvecs(w, 1, x, xOffset, 0, y, yOffset, 0, yStride, accumulate, Parallel.THREADS);
    }

    /**
     * {@code m} products at once, {@code y_j = W·x_j} for j < m: x_j starts at {@code x[xOffset + j*ldx]}, and element i
     * of y_j is {@code y[yOffset + j*ldy + i*yStride]} (a GEMM C = X·W^T has ldy = its ldc and yStride 1). W is read
     * from memory once; each y_j gets exactly the bits {@link #matvec} would give it.
     */
    public static void matvecs(MatrixOperand w, int m, float[] x, int xOffset, int ldx, float[] y, int yOffset, int ldy,
                               int yStride, boolean accumulate) {
        matvecs(w, m, x, xOffset, ldx, y, yOffset, ldy, yStride, accumulate, Parallel.THREADS);
    }

    static void matvec(MatrixOperand w, float[] x, int xOffset, float[] y, int yOffset, int yStride,
                       boolean accumulate, int threads) {
        matvecs(w, 1, x, xOffset, 0, y, yOffset, 0, yStride, accumulate, threads);
    }

    static void matvecs(MatrixOperand w, int m, float[] x, int xOffset, int ldx, float[] y, int yOffset, int ldy,
                        int yStride, boolean accumulate, int threads) {
        int n = w.rows(), k = w.cols();
        if (m < 0 || (m > 1 && ldx < k)) throw new IllegalArgumentException("matvec: " + m + " vectors " + ldx + " apart need " + k + " elements each");
        if (m == 0) return;
        if (xOffset < 0 || xOffset + (long) (m - 1) * ldx + k > x.length) {
            throw new IllegalArgumentException("matvec: x needs " + (m == 1 ? "" : m + " x ") + k + " elements from offset "
                    + xOffset + " but has " + x.length);
        }
        if (n > 0 && (yOffset < 0 || yStride < 1 || yOffset + (long) (m - 1) * ldy + (long) (n - 1) * yStride >= y.length)) {
            throw new IllegalArgumentException("matvec: y needs " + (m == 1 ? "" : m + " x ") + n + " elements from offset " + yOffset
                    + " with stride " + yStride + " but has " + y.length);
        }
        if (n == 0) return;
        if (k == 0) {
            if (!accumulate) for (int j = 0; j < m; j++) for (int i = 0; i < n; i++) y[yOffset + j * ldy + i * yStride] = 0f;
            return;
        }
        // One task per MiB of W (times the vectors), at most one per thread: handing a task to a parked pool thread
        // costs 10-15 µs (see Parallel), the time one thread streams 300-500 KB, so smaller products stay on the
        // calling thread. (Work in Parallel's units: F32 elements, 4 bytes.)
        long work = w.dtype().storageBytes((long) n * k) * m / 4;
        int s = Parallel.chunks(work, Math.max(1, Math.min(threads, n / 16)));
        // Both strides 1 happens only for a single row (dot) or a single column (either works).
        boolean rowMajor = w.colStride() == 1 && (w.rowStride() != 1 || n == 1);
        if (!rowMajor) {
            Parallel.forEachTask(s, t -> {
                int i0 = (int) ((long) n * t / s), i1 = (int) ((long) n * (t + 1) / s);
                for (int j = 0; j < m; j++) axpyRows(w, x, xOffset + j * ldx, y, yOffset + j * ldy, yStride, accumulate, i0, i1);
            });
            return;
        }
        Rows rows = new Rows(w, m, x, xOffset, ldx);
        Parallel.forEachTask(s, t -> {
            int i0 = (int) ((long) n * t / s), i1 = (int) ((long) n * (t + 1) / s);
            rows.dot(y, yOffset, ldy, yStride, accumulate, i0, i1);
        });
    }

    // Structure, for C2's sake: the drivers loop over rows (or column groups) and call a small kernel per row, so that
    // kernels are invoked thousands of times per product and get a regular C2 compilation within the first call; a
    // long loop entered once would run in an on-stack-replacement compilation, where C2 keeps the accumulators boxed.
    // Kernels take and return arrays only: a vector passed to a call C2 does not inline is boxed.

    // ------------------------------------------------------------------ row-major W: dot products

    private enum Kind { HEAP_F32, NATIVE_F32, NATIVE_BF16, Q8, WIDEN }

    /**
     * One row-major product: W, the kind of kernel its storage takes, and the vectors x as that kernel reads them.
     *
     * <p>BF16 and Q8_0 rows are streamed one at a time, each by a kernel with independent accumulators over two
     * vector loads per step. Measured on the 1.1B-parameter model's BF16 weights (rows of 2048 and 5632), one thread,
     * medians of 25 passes: 22.3 GB/s, against 18.7 for eight rows side by side (the previous kernel) and 24.8 for a
     * plain read of the same bytes; on 4096x4096 BF16, 21.4 against 18.3. F32 rows go the other way (4096x4096, one
     * thread: 26-28 GB/s four rows side by side, 17-22 one long row), so F32 keeps four rows per group: one load of x
     * then serves four rows. The grouping never changes a row's sum (one accumulator chain per row).
     */
    private static final class Rows {
        final MatrixOperand w;
        final CpuStorage s;
        final Kind kind;
        final int m, k, kv;     // vectors, row length, length of the vector part of a row
        final float[] x;        // the caller's vectors: x_j at xOffset + j*ldx
        final int xOffset, ldx;
        final float[] xk;       // the vectors as the kernel reads them: x itself, or regrouped (BF16)
        final int xkOffset, ldxk;

        Rows(MatrixOperand w, int m, float[] x, int xOffset, int ldx) {
            this.w = w;
            this.m = m;
            this.k = w.cols();
            this.x = x;
            this.xOffset = xOffset;
            this.ldx = ldx;
            s = w.storage();
            MemorySegment seg = s.segment();
            if (s.floats() != null) kind = Kind.HEAP_F32;
            else if (s.dtype() == DType.F32 && seg.isNative()) kind = Kind.NATIVE_F32;
            else if (s.dtype() == DType.BF16 && seg.isNative()) kind = Kind.NATIVE_BF16;
            else if (s.dtype() == DType.Q8_0) kind = Kind.Q8;
            else kind = Kind.WIDEN;
            if (kind == Kind.NATIVE_BF16) {
                kv = k - k % (2 * L);
                xk = new float[m * kv];
                for (int j = 0; j < m; j++) evenOdd(x, xOffset + j * ldx, kv, xk, j * kv);
                xkOffset = 0;
                ldxk = kv;
            } else {
                kv = k - k % L;
                xk = x;
                xkOffset = xOffset;
                ldxk = ldx;
            }
        }

        /** y_j[i] (+)= row i of W · x_j, for rows [i0, i1) and every j. */
        void dot(float[] y, int yo, int ldy, int ys, boolean acc, int i0, int i1) {
            boolean f32 = kind == Kind.HEAP_F32 || kind == Kind.NATIVE_F32;
            Scratch scratch = SCRATCH.get();
            float[] sums = scratch.sums;
            float[] buf = scratch.floats(kind == Kind.WIDEN ? k : 4 * 2 * L); // a widened row, or the rests of rows
            short[] bits = scratch.bits;
            MemorySegment seg = s.segment();
            float[] arr = s.floats(), scales = s.scales();
            long ld = w.rowStride();
            int rest = k - kv;
            for (int i = i0; i < i1; ) {
                // F32 rows go four at a time (one load of x serves four rows: measured faster than one long stream
                // for F32, slower for BF16), everything else one at a time; a row's sum is the same either way.
                int rows = f32 && i + 4 <= i1 ? 4 : 1;
                long r = w.offset() + i * ld; // first element of the row
                switch (kind) {
                    case WIDEN -> FloatRuns.read(s, r, buf, 0, k);
                    case NATIVE_F32 -> {
                        if (rest > 0) for (int q = 0; q < rows; q++) MemorySegment.copy(seg, FloatRuns.F32, 4 * (r + q * ld + kv), buf, q * L, rest);
                    }
                    case NATIVE_BF16 -> {
                        if (rest > 0) {
                            MemorySegment.copy(seg, FloatRuns.I16, 2 * (r + kv), bits, 0, rest);
                            for (int p = 0; p < rest; p++) buf[p] = Half.bf16ToFloat(bits[p]);
                        }
                    }
                    default -> {}
                }
                for (int j = 0; j < m; j++) {
                    int xj = xOffset + j * ldx, xkj = xkOffset + j * ldxk;
                    if (kv == 0 && kind != Kind.Q8) {
                        // rows shorter than a vector (attention over 8-dim heads): the scalar rest is everything
                        for (int q = 0; q < rows; q++) {
                            long o = r + q * ld;
                            float sum = 0f;
                            for (int p = 0; p < k; p++) sum = Math.fma(element(arr, seg, bits, o + p), x[xj + p], sum);
                            int yi = yo + j * ldy + (i + q) * ys;
                            y[yi] = acc ? y[yi] + sum : sum;
                        }
                        continue;
                    }
                    switch (kind) {
                        case HEAP_F32 -> {
                            if (rows == 4) dot4(arr, (int) r, (int) ld, x, xj, kv, sums);
                            else sums[0] = dot1(arr, (int) r, x, xj, kv);
                        }
                        case NATIVE_F32 -> {
                            if (rows == 4) dot4(seg, 4 * r, 4 * ld, x, xj, kv, sums);
                            else sums[0] = dot1(seg, 4 * r, x, xj, kv);
                        }
                        case WIDEN -> sums[0] = dotF32(buf, 0, x, xj, kv);
                        case NATIVE_BF16 -> sums[0] = dotBf16(seg, 2 * r, xk, xkj, kv);
                        default -> sums[0] = dotQ8Row(seg, scales, r, x, xj);
                    }
                    for (int q = 0; q < rows; q++) {
                        float sum = sums[q];
                        switch (kind) {
                            case HEAP_F32 -> {
                                int o = (int) (r + q * ld);
                                for (int p = kv; p < k; p++) sum = Math.fma(arr[o + p], x[xj + p], sum);
                            }
                            case NATIVE_F32 -> {
                                for (int p = kv; p < k; p++) sum = Math.fma(buf[q * L + p - kv], x[xj + p], sum);
                            }
                            case WIDEN -> {
                                for (int p = kv; p < k; p++) sum = Math.fma(buf[p], x[xj + p], sum);
                            }
                            case NATIVE_BF16 -> {
                                for (int p = kv; p < k; p++) sum = Math.fma(buf[p - kv], x[xj + p], sum);
                            }
                            default -> {}
                        }
                        int yi = yo + j * ldy + (i + q) * ys;
                        y[yi] = acc ? y[yi] + sum : sum;
                    }
                }
                i += rows;
            }
        }

        /** Element e of W as F32, for rows shorter than a vector (WIDEN rows are already widened into buf). */
        private float element(float[] arr, MemorySegment seg, short[] bits, long e) {
            return switch (kind) {
                case HEAP_F32 -> arr[(int) e];
                default -> s.getFloat(e);
            };
        }

        /**
         * One Q8_0 row from element r: whole blocks by the vector kernel, then the elements before the first block
         * boundary and after the last (rows whose length or start is not a multiple of 32) one by one.
         */
        private float dotQ8Row(MemorySegment q, float[] scales, long r, float[] x, int xj) {
            int head = (int) Math.min(k, (Q8.BLOCK - r % Q8.BLOCK) % Q8.BLOCK);
            int blocks = (k - head) / Q8.BLOCK, tail0 = head + blocks * Q8.BLOCK;
            float sum = blocks > 0 ? dotQ8(q, r + head, scales, (int) ((r + head) / Q8.BLOCK), x, xj + head, blocks) : 0f;
            for (int p = 0; p < head; p++) sum = Math.fma(q8(q, scales, r + p), x[xj + p], sum);
            for (int p = tail0; p < k; p++) sum = Math.fma(q8(q, scales, r + p), x[xj + p], sum);
            return sum;
        }
    }

    /** Per-thread buffers of the row loop (decoding calls it thousands of times per token: no allocation there). */
    private static final class Scratch {
        final float[] sums = new float[4];
        final short[] bits = new short[2 * L];
        private float[] floats = new float[8 * L];

        float[] floats(int n) {
            if (floats.length < n) floats = new float[n];
            return floats;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static float q8(MemorySegment q, float[] scales, long e) {
        return q.get(ValueLayout.JAVA_BYTE, e) * scales[(int) (e / Q8.BLOCK)];
    }

    /**
     * x[xo .. xo+len) regrouped for {@link #dotBf16} into dst[d ..]: in each block of 2L elements, the L even-indexed
     * ones, then the L odd-indexed ones.
     */
    private static void evenOdd(float[] x, int xo, int len, float[] dst, int d) {
        for (int b = 0; b < len; b += 2 * L) {
            for (int j = 0; j < L; j++) {
                dst[d + b + j] = x[xo + b + 2 * j];
                dst[d + b + L + j] = x[xo + b + 2 * j + 1];
            }
        }
    }


    /**
     * The sum of w[o + p]·x[xo + p] over p < len (a multiple of L): four accumulators over unrolled steps of 4L, the
     * rest into the first, merged as (a0 + a1) + (a2 + a3), then the lanes pairwise ({@link VectorMath#HALVES}). For rows widened from F16 and
     * heap 16-bit storage, one at a time.
     */
    private static float dotF32(float[] w, int o, float[] x, int xo, int len) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        int p = 0;
        for (; p + 4 * L <= len; p += 4 * L) {
            a0 = FloatVector.fromArray(F, w, o + p).fma(FloatVector.fromArray(F, x, xo + p), a0);
            a1 = FloatVector.fromArray(F, w, o + p + L).fma(FloatVector.fromArray(F, x, xo + p + L), a1);
            a2 = FloatVector.fromArray(F, w, o + p + 2 * L).fma(FloatVector.fromArray(F, x, xo + p + 2 * L), a2);
            a3 = FloatVector.fromArray(F, w, o + p + 3 * L).fma(FloatVector.fromArray(F, x, xo + p + 3 * L), a3);
        }
        for (; p < len; p += L) a0 = FloatVector.fromArray(F, w, o + p).fma(FloatVector.fromArray(F, x, xo + p), a0);
        a0 = a0.add(a1).add(a2.add(a3));
        for (VectorShuffle<Float> h : HALVES) a0 = a0.add(a0.rearrange(h));
        return a0.lane(0);
    }

    /**
     * sums[q] = row q = 0..3 of w (at o, o+ld, o+2ld, o+3ld) dotted with x[xo ..] over len elements (a multiple of L):
     * one FMA chain per row, then its lanes pairwise, so every row is summed in the same order as by {@link #dot1}.
     */
    private static void dot4(float[] w, int o, int ld, float[] x, int xo, int len, float[] sums) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        int o1 = o + ld, o2 = o1 + ld, o3 = o2 + ld;
        for (int p = 0; p < len; p += L) {
            FloatVector xv = FloatVector.fromArray(F, x, xo + p);
            a0 = FloatVector.fromArray(F, w, o + p).fma(xv, a0);
            a1 = FloatVector.fromArray(F, w, o1 + p).fma(xv, a1);
            a2 = FloatVector.fromArray(F, w, o2 + p).fma(xv, a2);
            a3 = FloatVector.fromArray(F, w, o3 + p).fma(xv, a3);
        }
        for (VectorShuffle<Float> h : HALVES) { // the four rows' lane sums, interleaved so that the chains overlap
            a0 = a0.add(a0.rearrange(h));
            a1 = a1.add(a1.rearrange(h));
            a2 = a2.add(a2.rearrange(h));
            a3 = a3.add(a3.rearrange(h));
        }
        sums[0] = a0.lane(0);
        sums[1] = a1.lane(0);
        sums[2] = a2.lane(0);
        sums[3] = a3.lane(0);
    }

    private static float dot1(float[] w, int o, float[] x, int xo, int len) {
        FloatVector a0 = FloatVector.zero(F);
        for (int p = 0; p < len; p += L) a0 = FloatVector.fromArray(F, w, o + p).fma(FloatVector.fromArray(F, x, xo + p), a0);
        for (VectorShuffle<Float> h : HALVES) a0 = a0.add(a0.rearrange(h));
        return a0.lane(0);
    }

    /** {@link #dot4} over F32 rows in a native segment (byte offset b, rows rowBytes apart), read in place. */
    private static void dot4(MemorySegment seg, long b, long rowBytes, float[] x, int xo, int len, float[] sums) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        long b1 = b + rowBytes, b2 = b1 + rowBytes, b3 = b2 + rowBytes;
        for (int p = 0; p < len; p += L) {
            FloatVector xv = FloatVector.fromArray(F, x, xo + p);
            a0 = FloatVector.fromMemorySegment(F, seg, b + 4L * p, LE).fma(xv, a0);
            a1 = FloatVector.fromMemorySegment(F, seg, b1 + 4L * p, LE).fma(xv, a1);
            a2 = FloatVector.fromMemorySegment(F, seg, b2 + 4L * p, LE).fma(xv, a2);
            a3 = FloatVector.fromMemorySegment(F, seg, b3 + 4L * p, LE).fma(xv, a3);
        }
        for (VectorShuffle<Float> h : HALVES) { // the four rows' lane sums, interleaved so that the chains overlap
            a0 = a0.add(a0.rearrange(h));
            a1 = a1.add(a1.rearrange(h));
            a2 = a2.add(a2.rearrange(h));
            a3 = a3.add(a3.rearrange(h));
        }
        sums[0] = a0.lane(0);
        sums[1] = a1.lane(0);
        sums[2] = a2.lane(0);
        sums[3] = a3.lane(0);
    }

    private static float dot1(MemorySegment seg, long b, float[] x, int xo, int len) {
        FloatVector a0 = FloatVector.zero(F);
        for (int p = 0; p < len; p += L) {
            a0 = FloatVector.fromMemorySegment(F, seg, b + 4L * p, LE).fma(FloatVector.fromArray(F, x, xo + p), a0);
        }
        for (VectorShuffle<Float> h : HALVES) a0 = a0.add(a0.rearrange(h));
        return a0.lane(0);
    }

    /**
     * BF16 weights of a native segment from byte offset b against x regrouped by {@link #evenOdd}, over len elements
     * (a multiple of 2L). Each 32-bit lane of a load holds two BF16 values: the low one (even index) shifted left by 16
     * and the high one (odd index) with the low half cleared are exact F32s, so one full-width load, a shift, an AND
     * and two FMAs cover 2L weights, fewer instructions per byte than widening half-width loads. Two loads per step
     * feed four accumulators (even and odd halves of each).
     */
    private static float dotBf16(MemorySegment seg, long b, float[] xp, int xo, int len) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        int p = 0;
        for (; p + 4 * L <= len; p += 4 * L) {
            long o = b + 2L * p;
            IntVector v0 = IntVector.fromMemorySegment(I, seg, o, LE);
            IntVector v1 = IntVector.fromMemorySegment(I, seg, o + 4 * L, LE);
            a0 = v0.lanewise(LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, xp, xo + p), a0);
            a1 = v0.and(HIGH_HALF).reinterpretAsFloats().fma(FloatVector.fromArray(F, xp, xo + p + L), a1);
            a2 = v1.lanewise(LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, xp, xo + p + 2 * L), a2);
            a3 = v1.and(HIGH_HALF).reinterpretAsFloats().fma(FloatVector.fromArray(F, xp, xo + p + 3 * L), a3);
        }
        if (p < len) {
            IntVector v0 = IntVector.fromMemorySegment(I, seg, b + 2L * p, LE);
            a0 = v0.lanewise(LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, xp, xo + p), a0);
            a1 = v0.and(HIGH_HALF).reinterpretAsFloats().fma(FloatVector.fromArray(F, xp, xo + p + L), a1);
        }
        a0 = a0.add(a1).add(a2.add(a3));
        for (VectorShuffle<Float> h : HALVES) a0 = a0.add(a0.rearrange(h));
        return a0.lane(0);
    }

    private static final int HIGH_HALF = 0xFFFF0000;

    /**
     * Q8_0 weights: {@code blocks} whole blocks from element e (a block boundary) of the quants, scales from index sb,
     * against x[xo ..]. Per block, the int8 quants widen to F32 (sign extension and conversion: exact), their products
     * with x are summed in a block accumulator, and that is multiplied by the block's scale into the running sum: one
     * multiply per 32 weights instead of 32. Two blocks per step feed two accumulators. The widening is written out
     * at each load rather than in a helper: a vector returned by a call C2 does not inline is boxed.
     */
    private static float dotQ8(MemorySegment q, long e, float[] scales, int sb, float[] x, int xo, int blocks) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        int c = 0;
        for (; c + 2 <= blocks; c += 2) {
            long o = e + (long) c * Q8.BLOCK;
            int xp = xo + c * Q8.BLOCK;
            FloatVector t0 = ((FloatVector) ByteVector.fromMemorySegment(Q8.B, q, o, LE).convertShape(B2F, F, 0))
                    .mul(FloatVector.fromArray(F, x, xp));
            FloatVector t1 = ((FloatVector) ByteVector.fromMemorySegment(Q8.B, q, o + Q8.BLOCK, LE).convertShape(B2F, F, 0))
                    .mul(FloatVector.fromArray(F, x, xp + Q8.BLOCK));
            for (int v = 1; v < Q8.VPB; v++) {
                t0 = ((FloatVector) ByteVector.fromMemorySegment(Q8.B, q, o + v * L, LE).convertShape(B2F, F, 0))
                        .fma(FloatVector.fromArray(F, x, xp + v * L), t0);
                t1 = ((FloatVector) ByteVector.fromMemorySegment(Q8.B, q, o + Q8.BLOCK + v * L, LE).convertShape(B2F, F, 0))
                        .fma(FloatVector.fromArray(F, x, xp + Q8.BLOCK + v * L), t1);
            }
            a0 = t0.fma(FloatVector.broadcast(F, scales[sb + c]), a0);
            a1 = t1.fma(FloatVector.broadcast(F, scales[sb + c + 1]), a1);
        }
        if (c < blocks) {
            long o = e + (long) c * Q8.BLOCK;
            int xp = xo + c * Q8.BLOCK;
            FloatVector t0 = ((FloatVector) ByteVector.fromMemorySegment(Q8.B, q, o, LE).convertShape(B2F, F, 0))
                    .mul(FloatVector.fromArray(F, x, xp));
            for (int v = 1; v < Q8.VPB; v++) {
                t0 = ((FloatVector) ByteVector.fromMemorySegment(Q8.B, q, o + v * L, LE).convertShape(B2F, F, 0))
                        .fma(FloatVector.fromArray(F, x, xp + v * L), t0);
            }
            a0 = t0.fma(FloatVector.broadcast(F, scales[sb + c]), a0);
        }
        a0 = a0.add(a1);
        for (VectorShuffle<Float> h : HALVES) a0 = a0.add(a0.rearrange(h));
        return a0.lane(0);
    }

    // ------------------------------------------------------------------ column-major W: axpy over columns

    /** Elements per widened column run: storage other than heap F32 is widened into a per-thread float[4 x BLOCK]. */
    private static final int BLOCK = 1024;

    private static final ThreadLocal<float[]> WIDE = ThreadLocal.withInitial(() -> new float[4 * BLOCK]);

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
