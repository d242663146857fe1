package org.crs4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision GEMM, {@code C (+)= A·B}, in the BLIS/GotoBLAS design.
 *
 * <p>Loops, outermost first, and where each block lives:
 * <pre>
 *   for jc in N step NC        B panel   KC x NC  packed once per (jc, pc), read from L2/L3
 *     for pc in K step KC
 *       pack B[pc.., jc..]
 *       for ic in M step MC    A block   MC x KC  packed, stays in L2 while the jr loop sweeps B
 *         pack A[ic.., pc..]
 *         for jr in NC step NR B micro-panel KC x NR stays in L1 across the ir loop
 *           for ir in MC step MR
 *             micro-kernel: MR x NR accumulators in vector registers, one FMA per (row, vector) per k
 * </pre>
 * Packing copies each block into the order the micro-kernel reads it (A as MR-row slivers, B as NR-column slivers,
 * both k-major and zero-padded to whole slivers), which is also where BF16/F16 operands are widened to F32 and
 * where transposed operands are untransposed: the micro-kernel only ever sees dense F32.
 *
 * <p>Register blocking: the micro-kernel holds MR x NR floats of C in vector registers. With 512-bit vectors
 * (AVX-512: 32 registers) it is 12 x 32: 24 accumulators + 2 B vectors + broadcasts of A. With 256-bit vectors (AVX2:
 * 16 registers) it is 3 x 24: 9 accumulators + 3 B vectors + 3 broadcasts = 15 registers. Larger AVX2 tiles that fit
 * on paper (6 x 16, 4 x 24) do not under C2: it hoists all broadcasts of a k step ahead of the FMAs, runs out of
 * registers, spills an accumulator, and the store-to-load round trip then sits on the FMA dependency chain. Measured
 * on one core at about 4 GHz, the kernel alone on L1-resident data: 6 x 16 at 60 GFLOP/s, 4 x 16 and 3 x 24 at 115
 * (of a 128 peak); 12 x 32 at 250 with AVX-512 (of 256). In the whole GEMM 3 x 24 beat 4 x 16 by 5-10%: nine FMA
 * chains hide the FMA latency better than eight, and it loads 6 operands per 9 FMAs instead of 6 per 8.
 *
 * <p>Cache blocking: KC = 256 makes a B micro-panel 256·NR·4 bytes (24 KiB for AVX2, 32 KiB for AVX-512), resident in
 * a 32-48 KiB L1 next to the A sliver being streamed; MC = 144 rows makes the A block 144 KiB, a fraction of a
 * 512 KiB-1 MiB L2; NC (about 4096) bounds the B panel to 4 MiB of the shared L3. Other KC/MC choices (192-512,
 * 96-288) measured within noise of these.
 *
 * <p>Threads split C into stripes of whole slivers (columns when N ≥ M, else rows); each stripe runs the loops above
 * with its own packing buffers. K is never split, and every C element is accumulated in the same order whatever the
 * stripe it falls in (edge tiles run the same kernel on zero-padded slivers), so the result is bit-identical for any
 * thread count.
 */
public final class Sgemm {
    private Sgemm() {}

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();
    /** Micro-tile rows: 12 with 32 vector registers (512-bit vectors imply AVX-512), else 3 (see above). */
    static final int MR = L >= 16 ? 12 : 3;
    /** Micro-tile columns: two vectors with AVX-512, three with AVX2. */
    static final int NR = (L >= 16 ? 2 : 3) * L;
    static final int KC = 256;
    static final int MC = 144;
    static final int NC = 4096 / NR * NR;

    /**
     * {@code C[m x n] = A[m x k]·B[k x n]}, or {@code C += A·B} when {@code accumulate}; C is row-major in {@code c},
     * element (i, j) at {@code cOffset + i*ldc + j}, and must not overlap A or B. Elements of {@code c} outside the
     * m x n window are never touched; with k == 0 the window is zeroed (or left as is when accumulating).
     */
    public static void sgemm(MatrixOperand a, MatrixOperand b, float[] c, int cOffset, int ldc, boolean accumulate) {
        sgemm(a, b, c, cOffset, ldc, accumulate, Parallel.THREADS);
    }

    /** As {@link #sgemm(MatrixOperand, MatrixOperand, float[], int, int, boolean)}, split into {@code threads} stripes. */
    static void sgemm(MatrixOperand a, MatrixOperand b, float[] c, int cOffset, int ldc, boolean accumulate, int threads) {
        int m = a.rows(), k = a.cols(), n = b.cols();
        if (b.rows() != k) {
            throw new IllegalArgumentException("sgemm: A is " + m + "x" + k + " but B is " + b.rows() + "x" + n);
        }
        checkOutput(c, cOffset, ldc, m, n);
        if (m == 0 || n == 0) return;
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOffset + i * ldc, cOffset + i * ldc + n, 0f);
            }
            return;
        }
        if (m == 1 || (m <= Matvec.MAX_VECTORS && b.rowStride() == 1 && n > 1)) {
            // Rows of C = rows of A times B = B^T times each row: matrix-vector products over B^T (a Linear layer on one
            // token, or on the few tokens of a short prompt or a small batch), which read B once and never pack it.
            boolean inPlace = denseF32(a);
            float[] x = inPlace ? a.storage().floats() : dense(a);
            Matvec.matvecs(b.transpose(), m, x, inPlace ? a.offset() : 0, inPlace ? a.rowStride() : k, c, cOffset, ldc, 1,
                    accumulate, threads);
            return;
        }
        if (n == 1) {
            MatrixOperand col = b.transpose();
            float[] x = denseF32(col) ? col.storage().floats() : dense(col);
            Matvec.matvec(a, x, x == col.storage().floats() ? col.offset() : 0, c, cOffset, ldc, accumulate, threads);
            return;
        }
        long work = (long) m * n * k;
        if (work <= SMALL_WORK && k <= KC) {
            small(a, b, c, cOffset, ldc, accumulate);
            return;
        }
        int slices = kSlices(m, n, k);
        if (slices > 1) {
            sliced(a, b, c, cOffset, ldc, accumulate, slices);
            return;
        }
        // A stripe per 2^22 multiply-adds at most (some 40-80 µs of micro-kernel time): waking a pool thread costs
        // 10-15 µs (see Parallel). 2^22 = 16 x Parallel's unit, an element-wise element being some 16 times dearer.
        int stripes = Parallel.chunks(work >> 4, threads);
        if (n >= m) {
            int slivers = (n + NR - 1) / NR, s = Math.max(1, Math.min(stripes, slivers));
            Parallel.forEachTask(s, t -> gemmStripe(a, b, c, cOffset, ldc, accumulate, 0, m,
                    boundary(t, s, slivers, NR, n), boundary(t + 1, s, slivers, NR, n)));
        } else {
            int slivers = (m + MR - 1) / MR, s = Math.max(1, Math.min(stripes, slivers));
            Parallel.forEachTask(s, t -> gemmStripe(a, b, c, cOffset, ldc, accumulate,
                    boundary(t, s, slivers, MR, m), boundary(t + 1, s, slivers, MR, m), 0, n));
        }
    }

    /** K is cut into slices of at least this many steps (four KC blocks) when C is small (see {@link #kSlices}). */
    static final int KSLICE = 4 * KC;
    /** At most this many K slices: their partial products are kept until they are added up. */
    static final int MAX_SLICES = 16;
    /** C this small (a 128 x 128 weight gradient, 32 rows of logit gradients times 128 columns) may be K-sliced. */
    static final long SLICED_MAX_OUTPUT = 1L << 16;

    /**
     * How many slices K is cut into: 1 (no slicing) unless C is small and K long, a weight gradient
     * {@code X^T·G} over thousands of rows. Split by rows or columns of C, such a product would make every thread
     * pack the whole of the operand it does not split (both threads reading all of X from memory for a 128-column C
     * split in two); split by K, each thread reads only its own rows of X and G. The count depends on the shape
     * alone, never on the thread count, so the order of every sum, and the result, stays the same for any number
     * of threads.
     */
    static int kSlices(int m, int n, int k) {
        if ((long) m * n > SLICED_MAX_OUTPUT || k < 2 * KSLICE) return 1;
        return Math.min(MAX_SLICES, k / KSLICE);
    }

    /**
     * C (+)= A·B as the sum of the slices' products A[:, k0..k1)·B[k0..k1, :], each computed from zero into its own
     * buffer, in parallel, then added in slice order (the partial sums are the same whatever thread computed them).
     */
    private static void sliced(MatrixOperand a, MatrixOperand b, float[] c, int cOffset, int ldc, boolean accumulate,
                               int slices) {
        int m = a.rows(), k = a.cols(), n = b.cols(), size = m * n;
        float[] partial = new float[slices * size];
        Parallel.forEachTask(slices, s -> {
            int k0 = (int) ((long) k * s / slices), k1 = (int) ((long) k * (s + 1) / slices);
            MatrixOperand as = new MatrixOperand(a.storage(), a.offset() + k0 * a.colStride(), m, k1 - k0,
                    a.rowStride(), a.colStride());
            MatrixOperand bs = new MatrixOperand(b.storage(), b.offset() + k0 * b.rowStride(), k1 - k0, n,
                    b.rowStride(), b.colStride());
            gemmStripe(as, bs, partial, s * size, n, false, 0, m, 0, n);
        });
        Parallel.forRange(m, Math.max(1, (1 << 14) / n), (i0, i1) -> {
            for (int i = i0; i < i1; i++) addSlices(partial, i * n, size, slices, n, c, cOffset + i * ldc, accumulate);
        });
    }

    /** c[ci + j] (+)= partial[pi + j] + partial[pi + size + j] + ..., for j < n, the slices added in order. */
    private static void addSlices(float[] partial, int pi, int size, int slices, int n, float[] c, int ci,
                                  boolean accumulate) {
        int j = 0;
        for (; j <= n - L; j += L) {
            FloatVector sum = FloatVector.fromArray(F, partial, pi + j);
            for (int s = 1; s < slices; s++) sum = sum.add(FloatVector.fromArray(F, partial, pi + s * size + j));
            if (accumulate) sum = FloatVector.fromArray(F, c, ci + j).add(sum);
            sum.intoArray(c, ci + j);
        }
        for (; j < n; j++) {
            float sum = partial[pi + j];
            for (int s = 1; s < slices; s++) sum += partial[pi + s * size + j];
            c[ci + j] = accumulate ? c[ci + j] + sum : sum;
        }
    }

    /**
     * Products this small (attention of one head while decoding: a few query rows against the cached keys) cost
     * more to pack than to compute, so they are computed directly. Each C element is the same FMA chain over k, from
     * zero, as in the micro-kernels (hence k within one KC block): the result does not depend on the path
     * (SmallGemmTest). Decoding stories260K (8-dim heads) spent a third of its time packing such products.
     */
    private static final long SMALL_WORK = 1L << 13;

    private static void small(MatrixOperand a, MatrixOperand b, float[] c, int cOffset, int ldc, boolean accumulate) {
        int m = a.rows(), k = a.cols(), n = b.cols();
        float[] ar = new float[k], acc = new float[n];
        if (b.rowStride() == 1) {
            // B column-major: C(i, j) is the dot product of row i of A and row j of B^T
            float[] bt = new float[n * k];
            readLines(b.transpose(), n, k, bt);
            for (int i = 0; i < m; i++) {
                readLine(a, i, 0, k, ar, 0);
                for (int j = 0; j < n; j++) {
                    float sum = 0f;
                    for (int p = 0; p < k; p++) sum = Math.fma(ar[p], bt[j * k + p], sum);
                    acc[j] = sum;
                }
                store(acc, c, cOffset + i * ldc, n, accumulate);
            }
        } else {
            // B row-major: row i of C accumulates A(i, p) * row p of B, p in order. Heap F32 rows (a KV cache's
            // values) are read in place, anything else copied once.
            float[] bp = b.storage().floats();
            int bo = b.offset(), ldb = b.rowStride();
            if (bp == null) {
                bp = new float[k * n];
                readLines(b, k, n, bp);
                bo = 0;
                ldb = n;
            }
            for (int i = 0; i < m; i++) {
                readLine(a, i, 0, k, ar, 0);
                java.util.Arrays.fill(acc, 0f);
                for (int p = 0; p < k; p++) {
                    float v = ar[p];
                    int row = bo + p * ldb;
                    for (int j = 0; j < n; j++) acc[j] = Math.fma(v, bp[row + j], acc[j]);
                }
                store(acc, c, cOffset + i * ldc, n, accumulate);
            }
        }
    }

    /** dst = the first {@code rows} rows of x, {@code len} elements each, packed; one run when x's rows are packed. */
    private static void readLines(MatrixOperand x, int rows, int len, float[] dst) {
        if (x.colStride() == 1 && (x.rowStride() == len || rows == 1)) {
            FloatRuns.read(x.storage(), x.offset(), dst, 0, rows * len);
        } else {
            for (int r = 0; r < rows; r++) readLine(x, r, 0, len, dst, r * len);
        }
    }

    private static void store(float[] acc, float[] c, int ci, int n, boolean accumulate) {
        for (int j = 0; j < n; j++) c[ci + j] = accumulate ? c[ci + j] + acc[j] : acc[j];
    }

    /** Start of stripe t of s over {@code slivers} slivers of {@code width}, clipped to {@code extent}. */
    private static int boundary(int t, int s, int slivers, int width, int extent) {
        return (int) Math.min(extent, (long) slivers * t / s * width);
    }

    static void checkOutput(float[] c, int cOffset, int ldc, int m, int n) {
        if (m == 0 || n == 0) return;
        if (cOffset < 0 || (m > 1 && ldc < n) || cOffset + (long) (m - 1) * ldc + n > c.length) {
            throw new IllegalArgumentException("sgemm: output " + m + "x" + n + " at offset " + cOffset + " with ldc "
                    + ldc + " does not fit an array of " + c.length);
        }
    }

    /** True when each row of {@code v} is already a run of a float[], usable as Matvec's x in place. */
    private static boolean denseF32(MatrixOperand v) {
        return v.storage().floats() != null && (v.colStride() == 1 || v.cols() <= 1) && (v.rows() == 1 || v.rowStride() >= v.cols());
    }

    /** The rows of {@code v} as a new dense row-major float[]. */
    private static float[] dense(MatrixOperand v) {
        float[] x = new float[v.rows() * v.cols()];
        for (int i = 0; i < v.rows(); i++) readLine(v, i, 0, v.cols(), x, i * v.cols());
        return x;
    }

    /** dst[dstOff + p] = x(i, p0 + p) for p < len, whatever the layout and dtype. */
    static void readLine(MatrixOperand x, int i, int p0, int len, float[] dst, int dstOff) {
        long start = x.offset() + (long) i * x.rowStride() + (long) p0 * x.colStride();
        if (x.colStride() == 1 || len <= 1) {
            FloatRuns.read(x.storage(), start, dst, dstOff, len);
        } else {
            CpuStorage s = x.storage();
            for (int p = 0; p < len; p++) dst[dstOff + p] = s.getFloat(start + (long) p * x.colStride());
        }
    }

    /** Per-thread packing buffers, grown on demand. */
    private static final class Buffers {
        float[] a = new float[0], b = new float[0], line = new float[0];
        final float[] tile = new float[MR * NR];
    }

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private static void gemmStripe(MatrixOperand a, MatrixOperand b, float[] c, int cOffset, int ldc, boolean accumulate,
                                   int i0, int i1, int j0, int j1) {
        if (i0 >= i1 || j0 >= j1) return;
        int k = a.cols();
        Buffers buf = BUFFERS.get();
        MatrixOperand bt = b.transpose();
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            int ncPadded = (nc + NR - 1) / NR * NR;
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                if (buf.b.length < kc * ncPadded) buf.b = new float[KC * Math.max(ncPadded, Math.min(NC, 1024))];
                pack(bt, jc, nc, pc, kc, NR, buf.b, buf);
                boolean add = accumulate || pc > 0;
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    int mcPadded = (mc + MR - 1) / MR * MR;
                    if (buf.a.length < kc * mcPadded) buf.a = new float[KC * MC];
                    pack(a, ic, mc, pc, kc, MR, buf.a, buf);
                    for (int jr = 0; jr < nc; jr += NR) {
                        int nr = Math.min(NR, nc - jr);
                        int bi = jr * kc; // sliver jr/NR starts at (jr/NR)*kc*NR
                        for (int ir = 0; ir < mc; ir += MR) {
                            int mr = Math.min(MR, mc - ir);
                            int ci = cOffset + (ic + ir) * ldc + jc + jr;
                            if (MR == 12) kernel12x2(buf.a, ir * kc, buf.b, bi, kc, c, ci, ldc, add, mr, nr, buf.tile);
                            else kernel3x3(buf.a, ir * kc, buf.b, bi, kc, c, ci, ldc, add, mr, nr, buf.tile);
                        }
                    }
                }
            }
        }
    }

    /**
     * Packs x[i0 .. i0+mLen, p0 .. p0+kLen) into slivers of {@code width} rows:
     * dst[(s*kLen + p)*width + r] = x(i0 + s*width + r, p0 + p), rows past mLen zero. A is packed with x = A,
     * B with x = B^T, so one routine serves both.
     */
    static void pack(MatrixOperand x, int i0, int mLen, int p0, int kLen, int width, float[] dst, Buffers buf) {
        float[] arr = x.storage().floats();
        if (arr != null && x.rowStride() == 1 && mLen > 1) {
            copyRuns(arr, x.offset() + i0 + p0 * x.colStride(), x.colStride(), mLen, kLen, dst, width);
            return;
        }
        for (int s = 0; s * width < mLen; s++) {
            int rows = Math.min(width, mLen - s * width);
            int base = s * kLen * width;
            int first = i0 + s * width;
            if (x.rowStride() == 1 && rows > 1) {
                // Rows adjacent in memory: each k step is one run of `rows` elements, already in sliver order.
                for (int p = 0; p < kLen; p++) {
                    int d = base + p * width;
                    long start = x.offset() + first + (long) (p0 + p) * x.colStride();
                    FloatRuns.read(x.storage(), start, dst, d, rows);
                    for (int r = rows; r < width; r++) dst[d + r] = 0f;
                }
            } else {
                // Each row is a run along k: interleave the rows into the sliver.
                if (arr != null && x.colStride() == 1) {
                    interleave(arr, x.offset() + first * x.rowStride() + p0, x.rowStride(), rows, kLen, dst, base, width);
                } else {
                    if (buf.line.length < kLen) buf.line = new float[Math.max(kLen, KC)];
                    for (int r = 0; r < rows; r++) {
                        readLine(x, first + r, p0, kLen, buf.line, 0);
                        interleave(buf.line, 0, 0, 1, kLen, dst, base + r, width);
                    }
                }
                if (rows < width) {
                    for (int p = 0; p < kLen; p++) {
                        for (int r = rows; r < width; r++) dst[base + p * width + r] = 0f;
                    }
                }
            }
        }
    }


    /**
     * Packs a block whose rows are adjacent in memory (a transposed A, or B row-major): k step p of the block is the
     * run src[from + p*ld ..+ mLen), cut into the slivers' runs of {@code width}. dst[s*kLen*width + p*width + r] =
     * src[from + p*ld + s*width + r], zero past mLen. Memory is read in address order, k step by k step, so the
     * hardware prefetcher streams it (one sliver at a time read each k step's run {@code width} floats at a time,
     * which left the core waiting on memory when K is long). Runs are moved with full vectors, then 256- and 128-bit
     * ones: a call per run (System.arraycopy, a dtype dispatch) costs more than the 12-32 floats it moves.
     */
    private static void copyRuns(float[] src, int from, int ld, int mLen, int kLen, float[] dst, int width) {
        int full = mLen / width, rest = mLen - full * width;
        for (int p = 0; p < kLen; p++) {
            int sp = from + p * ld;
            // Whole slivers move with a fixed number of vectors: NR is two or three full vectors, MR twelve lanes of
            // a 256- and a 128-bit vector (AVX-512) or three floats (AVX2).
            if (width == NR) {
                for (int sl = 0; sl < full; sl++) {
                    int s = sp + sl * NR, d = (sl * kLen + p) * NR;
                    for (int r = 0; r < NR; r += L) FloatVector.fromArray(F, src, s + r).intoArray(dst, d + r);
                }
            } else if (MR == 12) {
                for (int sl = 0; sl < full; sl++) {
                    int s = sp + sl * MR, d = (sl * kLen + p) * MR;
                    FloatVector.fromArray(F256, src, s).intoArray(dst, d);
                    FloatVector.fromArray(F128, src, s + 8).intoArray(dst, d + 8);
                }
            } else {
                for (int sl = 0; sl < full; sl++) {
                    int s = sp + sl * width, d = (sl * kLen + p) * width;
                    for (int r = 0; r < width; r++) dst[d + r] = src[s + r];
                }
            }
            if (rest > 0) {
                int s = sp + full * width, d = (full * kLen + p) * width, r = 0;
                for (; r <= rest - 4; r += 4) FloatVector.fromArray(F128, src, s + r).intoArray(dst, d + r);
                for (; r < rest; r++) dst[d + r] = src[s + r];
                for (; r < width; r++) dst[d + r] = 0f;
            }
        }
    }

    private static final VectorSpecies<Float> F256 = FloatVector.SPECIES_256, F128 = FloatVector.SPECIES_128;

    /**
     * dst[base + p*width + r] = src[from + r*ld + p] for p < kLen, r < rows: rows that are runs along k (A row-major,
     * or B column-major such as a Linear weight) interleaved into a sliver. One row at a time: a contiguous read and a
     * store every {@code width} floats, each a plain indexed move C2 keeps free of bounds checks.
     */
    private static void interleave(float[] src, int from, int ld, int rows, int kLen, float[] dst, int base, int width) {
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            int s0 = from + r * ld, s1 = s0 + ld, s2 = s1 + ld, s3 = s2 + ld, d = base + r;
            for (int p = 0; p < kLen; p++, d += width) {
                float x0 = src[s0 + p], x1 = src[s1 + p], x2 = src[s2 + p], x3 = src[s3 + p];
                dst[d] = x0;
                dst[d + 1] = x1;
                dst[d + 2] = x2;
                dst[d + 3] = x3;
            }
        }
        for (; r < rows; r++) {
            int s = from + r * ld, d = base + r;
            for (int p = 0; p < kLen; p++) dst[d + p * width] = src[s + p];
        }
    }

    /** Writes the valid mr x nr corner of a tile: the same single rounding of C + AB as the full-tile store. */
    private static void storeEdge(float[] tile, float[] c, int ci, int ldc, boolean add, int mr, int nr) {
        for (int i = 0; i < mr; i++) {
            int row = ci + i * ldc;
            for (int j = 0; j < nr; j++) c[row + j] = add ? c[row + j] + tile[i * NR + j] : tile[i * NR + j];
        }
    }

    /** C[3 x NR] (+)= A sliver · B sliver: 9 accumulators live in registers for the whole k loop. */
    private static void kernel3x3(float[] ap, int ai, float[] bp, int bi, int kc, float[] c, int ci, int ldc,
                                   boolean add, int mr, int nr, float[] tile) {
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F), c02 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F), c12 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F), c22 = FloatVector.zero(F);
        for (int p = 0; p < kc; p++) {
            int a = ai + p * 3, b = bi + p * NR;
            FloatVector b0 = FloatVector.fromArray(F, bp, b + 0 * L), b1 = FloatVector.fromArray(F, bp, b + 1 * L), b2 = FloatVector.fromArray(F, bp, b + 2 * L);
            FloatVector x;
            x = FloatVector.broadcast(F, ap[a + 0]); c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02);
            x = FloatVector.broadcast(F, ap[a + 1]); c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12);
            x = FloatVector.broadcast(F, ap[a + 2]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22);
        }
        // Vectors are never passed to a helper: a call C2 declines to inline would box them.
        if (mr == 3 && nr == NR) {
            if (add) {
                c00 = c00.add(FloatVector.fromArray(F, c, ci + 0 * ldc + 0 * L)); c01 = c01.add(FloatVector.fromArray(F, c, ci + 0 * ldc + 1 * L)); c02 = c02.add(FloatVector.fromArray(F, c, ci + 0 * ldc + 2 * L));
                c10 = c10.add(FloatVector.fromArray(F, c, ci + 1 * ldc + 0 * L)); c11 = c11.add(FloatVector.fromArray(F, c, ci + 1 * ldc + 1 * L)); c12 = c12.add(FloatVector.fromArray(F, c, ci + 1 * ldc + 2 * L));
                c20 = c20.add(FloatVector.fromArray(F, c, ci + 2 * ldc + 0 * L)); c21 = c21.add(FloatVector.fromArray(F, c, ci + 2 * ldc + 1 * L)); c22 = c22.add(FloatVector.fromArray(F, c, ci + 2 * ldc + 2 * L));
            }
            c00.intoArray(c, ci + 0 * ldc + 0 * L); c01.intoArray(c, ci + 0 * ldc + 1 * L); c02.intoArray(c, ci + 0 * ldc + 2 * L);
            c10.intoArray(c, ci + 1 * ldc + 0 * L); c11.intoArray(c, ci + 1 * ldc + 1 * L); c12.intoArray(c, ci + 1 * ldc + 2 * L);
            c20.intoArray(c, ci + 2 * ldc + 0 * L); c21.intoArray(c, ci + 2 * ldc + 1 * L); c22.intoArray(c, ci + 2 * ldc + 2 * L);
        } else {
            c00.intoArray(tile, 0 * NR + 0 * L); c01.intoArray(tile, 0 * NR + 1 * L); c02.intoArray(tile, 0 * NR + 2 * L);
            c10.intoArray(tile, 1 * NR + 0 * L); c11.intoArray(tile, 1 * NR + 1 * L); c12.intoArray(tile, 1 * NR + 2 * L);
            c20.intoArray(tile, 2 * NR + 0 * L); c21.intoArray(tile, 2 * NR + 1 * L); c22.intoArray(tile, 2 * NR + 2 * L);
            storeEdge(tile, c, ci, ldc, add, mr, nr);
        }
    }

    /** C[12 x NR] (+)= A sliver · B sliver: 24 accumulators live in registers for the whole k loop. */
    private static void kernel12x2(float[] ap, int ai, float[] bp, int bi, int kc, float[] c, int ci, int ldc,
                                   boolean add, int mr, int nr, float[] tile) {
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
        FloatVector c40 = FloatVector.zero(F), c41 = FloatVector.zero(F);
        FloatVector c50 = FloatVector.zero(F), c51 = FloatVector.zero(F);
        FloatVector c60 = FloatVector.zero(F), c61 = FloatVector.zero(F);
        FloatVector c70 = FloatVector.zero(F), c71 = FloatVector.zero(F);
        FloatVector c80 = FloatVector.zero(F), c81 = FloatVector.zero(F);
        FloatVector c90 = FloatVector.zero(F), c91 = FloatVector.zero(F);
        FloatVector c100 = FloatVector.zero(F), c101 = FloatVector.zero(F);
        FloatVector c110 = FloatVector.zero(F), c111 = FloatVector.zero(F);
        for (int p = 0; p < kc; p++) {
            int a = ai + p * 12, b = bi + p * NR;
            FloatVector b0 = FloatVector.fromArray(F, bp, b), b1 = FloatVector.fromArray(F, bp, b + L);
            FloatVector x;
            x = FloatVector.broadcast(F, ap[a + 0]); c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(F, ap[a + 1]); c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(F, ap[a + 2]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(F, ap[a + 3]); c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(F, ap[a + 4]); c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(F, ap[a + 5]); c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(F, ap[a + 6]); c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(F, ap[a + 7]); c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
            x = FloatVector.broadcast(F, ap[a + 8]); c80 = x.fma(b0, c80); c81 = x.fma(b1, c81);
            x = FloatVector.broadcast(F, ap[a + 9]); c90 = x.fma(b0, c90); c91 = x.fma(b1, c91);
            x = FloatVector.broadcast(F, ap[a + 10]); c100 = x.fma(b0, c100); c101 = x.fma(b1, c101);
            x = FloatVector.broadcast(F, ap[a + 11]); c110 = x.fma(b0, c110); c111 = x.fma(b1, c111);
        }
        // Vectors are never passed to a helper: a call C2 declines to inline would box them.
        if (mr == 12 && nr == NR) {
            if (add) {
                c00 = c00.add(FloatVector.fromArray(F, c, ci + 0 * ldc)); c01 = c01.add(FloatVector.fromArray(F, c, ci + 0 * ldc + L));
                c10 = c10.add(FloatVector.fromArray(F, c, ci + 1 * ldc)); c11 = c11.add(FloatVector.fromArray(F, c, ci + 1 * ldc + L));
                c20 = c20.add(FloatVector.fromArray(F, c, ci + 2 * ldc)); c21 = c21.add(FloatVector.fromArray(F, c, ci + 2 * ldc + L));
                c30 = c30.add(FloatVector.fromArray(F, c, ci + 3 * ldc)); c31 = c31.add(FloatVector.fromArray(F, c, ci + 3 * ldc + L));
                c40 = c40.add(FloatVector.fromArray(F, c, ci + 4 * ldc)); c41 = c41.add(FloatVector.fromArray(F, c, ci + 4 * ldc + L));
                c50 = c50.add(FloatVector.fromArray(F, c, ci + 5 * ldc)); c51 = c51.add(FloatVector.fromArray(F, c, ci + 5 * ldc + L));
                c60 = c60.add(FloatVector.fromArray(F, c, ci + 6 * ldc)); c61 = c61.add(FloatVector.fromArray(F, c, ci + 6 * ldc + L));
                c70 = c70.add(FloatVector.fromArray(F, c, ci + 7 * ldc)); c71 = c71.add(FloatVector.fromArray(F, c, ci + 7 * ldc + L));
                c80 = c80.add(FloatVector.fromArray(F, c, ci + 8 * ldc)); c81 = c81.add(FloatVector.fromArray(F, c, ci + 8 * ldc + L));
                c90 = c90.add(FloatVector.fromArray(F, c, ci + 9 * ldc)); c91 = c91.add(FloatVector.fromArray(F, c, ci + 9 * ldc + L));
                c100 = c100.add(FloatVector.fromArray(F, c, ci + 10 * ldc)); c101 = c101.add(FloatVector.fromArray(F, c, ci + 10 * ldc + L));
                c110 = c110.add(FloatVector.fromArray(F, c, ci + 11 * ldc)); c111 = c111.add(FloatVector.fromArray(F, c, ci + 11 * ldc + L));
            }
            c00.intoArray(c, ci + 0 * ldc); c01.intoArray(c, ci + 0 * ldc + L);
            c10.intoArray(c, ci + 1 * ldc); c11.intoArray(c, ci + 1 * ldc + L);
            c20.intoArray(c, ci + 2 * ldc); c21.intoArray(c, ci + 2 * ldc + L);
            c30.intoArray(c, ci + 3 * ldc); c31.intoArray(c, ci + 3 * ldc + L);
            c40.intoArray(c, ci + 4 * ldc); c41.intoArray(c, ci + 4 * ldc + L);
            c50.intoArray(c, ci + 5 * ldc); c51.intoArray(c, ci + 5 * ldc + L);
            c60.intoArray(c, ci + 6 * ldc); c61.intoArray(c, ci + 6 * ldc + L);
            c70.intoArray(c, ci + 7 * ldc); c71.intoArray(c, ci + 7 * ldc + L);
            c80.intoArray(c, ci + 8 * ldc); c81.intoArray(c, ci + 8 * ldc + L);
            c90.intoArray(c, ci + 9 * ldc); c91.intoArray(c, ci + 9 * ldc + L);
            c100.intoArray(c, ci + 10 * ldc); c101.intoArray(c, ci + 10 * ldc + L);
            c110.intoArray(c, ci + 11 * ldc); c111.intoArray(c, ci + 11 * ldc + L);
        } else {
            c00.intoArray(tile, 0 * NR); c01.intoArray(tile, 0 * NR + L);
            c10.intoArray(tile, 1 * NR); c11.intoArray(tile, 1 * NR + L);
            c20.intoArray(tile, 2 * NR); c21.intoArray(tile, 2 * NR + L);
            c30.intoArray(tile, 3 * NR); c31.intoArray(tile, 3 * NR + L);
            c40.intoArray(tile, 4 * NR); c41.intoArray(tile, 4 * NR + L);
            c50.intoArray(tile, 5 * NR); c51.intoArray(tile, 5 * NR + L);
            c60.intoArray(tile, 6 * NR); c61.intoArray(tile, 6 * NR + L);
            c70.intoArray(tile, 7 * NR); c71.intoArray(tile, 7 * NR + L);
            c80.intoArray(tile, 8 * NR); c81.intoArray(tile, 8 * NR + L);
            c90.intoArray(tile, 9 * NR); c91.intoArray(tile, 9 * NR + L);
            c100.intoArray(tile, 10 * NR); c101.intoArray(tile, 10 * NR + L);
            c110.intoArray(tile, 11 * NR); c111.intoArray(tile, 11 * NR + L);
            storeEdge(tile, c, ci, ldc, add, mr, nr);
        }
    }
}
