package org.crs4j.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.crs4j.tensor.cpu.RandomOperand.Kind;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SGEMM against a double-precision naive reference on random inputs.
 *
 * <p>"Within 1e-4 relative" means, for every element, |c - ref| ≤ 1e-4 · (|C0| + Σ_p |a_ip·b_pj|), where ref =
 * C0 + Σ_p a_ip·b_pj in double (C0 = 0 unless accumulating): the error is measured against the magnitude of the
 * terms summed, so cancellation in a sum does not make a correct result look wrong. BF16/F16 operands are compared
 * with a reference over the same rounded values. The elements of C outside the m x n window must stay untouched.
 */
class SgemmTest {
    private static final double TOL = 1e-4;
    private static final int[] SIZES = {1, 2, 7, 33, 64, 257};
    private static final float C_POISON = -7.5e20f;

    @BeforeAll
    static void describeKernel() {
        System.out.println("SGEMM species " + Sgemm.F + ", micro-tile " + Sgemm.MR + "x" + Sgemm.NR + ", threads "
                + Parallel.THREADS);
    }

    /** One GEMM with the given storage forms and layouts, checked against the reference; returns C. */
    private static float[] run(SplittableRandom rnd, Kind ka, Kind kb, int m, int n, int k, boolean aRowMajor,
                               boolean bRowMajor, boolean accumulate, boolean padded, int threads, Arena arena) {
        int pad = padded ? 1 + rnd.nextInt(5) : 0, off = padded ? rnd.nextInt(9) : 0;
        RandomOperand a = RandomOperand.create(rnd, ka, m, k, aRowMajor, pad, off, arena);
        RandomOperand b = RandomOperand.create(rnd, kb, k, n, bRowMajor, padded ? 2 : 0, padded ? 3 : 0, arena);
        int ldc = n + (padded ? 3 : 0), cOff = padded ? 5 : 0;
        float[] c = new float[cOff + m * ldc + 4];
        java.util.Arrays.fill(c, C_POISON);
        float[] c0 = null;
        if (accumulate) {
            c0 = c.clone();
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) c0[cOff + i * ldc + j] = c[cOff + i * ldc + j] = (float) (rnd.nextDouble() * 4 - 2);
            }
        }
        Sgemm.sgemm(a.operand, b.operand, c, cOff, ldc, accumulate, threads);
        String what = ka + (aRowMajor ? " A" : " A^T") + " x " + kb + (bRowMajor ? " B" : " B^T") + " m=" + m + " n=" + n
                + " k=" + k + (accumulate ? " accumulate" : "") + " threads=" + threads;
        check(a.values, b.values, m, n, c0, c, cOff, ldc, what);
        return c;
    }

    static void check(double[][] a, double[][] b, int m, int n, float[] c0, float[] c, int cOff, int ldc, String what) {
        int k = b.length;
        boolean[] inside = new boolean[c.length];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double ref = 0, mag = 0;
                for (int p = 0; p < k; p++) {
                    double t = a[i][p] * b[p][j];
                    ref += t;
                    mag += Math.abs(t);
                }
                int idx = cOff + i * ldc + j;
                inside[idx] = true;
                if (c0 != null) {
                    ref += c0[idx];
                    mag += Math.abs(c0[idx]);
                }
                double err = Math.abs(c[idx] - ref);
                if (!(err <= TOL * mag) && !(mag == 0 && c[idx] == 0)) {
                    fail(what + ": C[" + i + "][" + j + "] = " + c[idx] + " but reference " + ref + " (error " + err
                            + ", allowed " + TOL * mag + ")");
                }
            }
        }
        for (int idx = 0; idx < c.length; idx++) {
            if (!inside[idx]) {
                float expect = c0 != null ? c0[idx] : C_POISON;
                if (Float.floatToRawIntBits(c[idx]) != Float.floatToRawIntBits(expect)) {
                    fail(what + ": wrote element " + idx + " outside the output window");
                }
            }
        }
    }

    @Test
    void oddSizesAllTransposeCombinations() {
        SplittableRandom rnd = new SplittableRandom(1);
        int count = 0;
        for (int m : SIZES) {
            for (int n : SIZES) {
                for (int k : SIZES) {
                    for (int t = 0; t < 4; t++) {
                        boolean padded = (count++ & 1) == 1;
                        run(rnd, Kind.F32_HEAP, Kind.F32_HEAP, m, n, k, (t & 1) == 0, (t & 2) == 0, false, padded,
                                Parallel.THREADS, null);
                    }
                }
            }
        }
    }

    @Test
    void sizesAcrossEveryCacheBlockBoundary() {
        SplittableRandom rnd = new SplittableRandom(2);
        int[][] shapes = {
            {Sgemm.MC + Sgemm.MR + 1, 2 * Sgemm.NR + 3, 2 * Sgemm.KC + 1},
            {2 * Sgemm.MC + 5, 17, Sgemm.KC + 7},
            {3, Sgemm.NC + 5, 9},
            {130, 300, 520},
            {Sgemm.MR - 1, Sgemm.NR + 1, Sgemm.KC - 1},
            {Sgemm.MR, Sgemm.NR, Sgemm.KC},
        };
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++) {
                run(rnd, Kind.F32_HEAP, Kind.F32_HEAP, s[0], s[1], s[2], (t & 1) == 0, (t & 2) == 0, false, t >= 2,
                        Parallel.THREADS, null);
            }
        }
    }

    @Test
    void accumulateAddsToC() {
        SplittableRandom rnd = new SplittableRandom(3);
        int[][] shapes = {{1, 1, 1}, {7, 33, 2}, {33, 7, 300}, {64, 257, 64}, {1, 70, 33}, {70, 1, 33}, {5, 6, 0}};
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++) {
                run(rnd, Kind.F32_HEAP, Kind.F32_HEAP, s[0], s[1], s[2], (t & 1) == 0, (t & 2) == 0, true, true,
                        Parallel.THREADS, null);
            }
        }
    }

    @Test
    void segmentAndHalfPrecisionOperands() {
        SplittableRandom rnd = new SplittableRandom(4);
        int[][] shapes = {{33, 70, 257}, {64, 7, 33}, {1, 65, 40}, {40, 1, 65}, {2, 2, 1}};
        try (Arena arena = Arena.ofShared()) {
            for (Kind ka : Kind.values()) {
                for (Kind kb : Kind.values()) {
                    for (int[] s : shapes) {
                        int t = rnd.nextInt(4);
                        run(rnd, ka, kb, s[0], s[1], s[2], (t & 1) == 0, (t & 2) == 0, rnd.nextBoolean(), true,
                                Parallel.THREADS, arena);
                    }
                }
            }
        }
    }

    @Test
    void bf16WeightTimesF32ActivationsAllLayouts() {
        // The Linear layer's case: x[m, k] · W^T with W [n, k] in BF16, memory-mapped.
        SplittableRandom rnd = new SplittableRandom(5);
        try (Arena arena = Arena.ofShared()) {
            for (int t = 0; t < 4; t++) {
                run(rnd, Kind.F32_HEAP, Kind.BF16_SEGMENT, 37, 300, 129, (t & 1) == 0, (t & 2) == 0, false, true,
                        Parallel.THREADS, arena);
                run(rnd, Kind.F16_SEGMENT, Kind.F32_SEGMENT, 37, 300, 129, (t & 1) == 0, (t & 2) == 0, false, true,
                        Parallel.THREADS, arena);
            }
        }
    }

    @Test
    void degenerateShapes() {
        SplittableRandom rnd = new SplittableRandom(6);
        // k = 0: C = 0 (or unchanged when accumulating); m or n = 0: nothing written.
        for (boolean acc : new boolean[] {false, true}) {
            run(rnd, Kind.F32_HEAP, Kind.F32_HEAP, 4, 5, 0, true, true, acc, true, 2, null);
            run(rnd, Kind.F32_HEAP, Kind.F32_HEAP, 0, 5, 3, true, false, acc, true, 2, null);
            run(rnd, Kind.F32_HEAP, Kind.F32_HEAP, 4, 0, 3, false, true, acc, true, 2, null);
            run(rnd, Kind.F32_HEAP, Kind.F32_HEAP, 1, 1, 1, false, false, acc, false, 2, null);
            run(rnd, Kind.F32_HEAP, Kind.F32_HEAP, 1, 1000, 300, true, false, acc, true, 2, null);
            run(rnd, Kind.F32_HEAP, Kind.F32_HEAP, 1000, 1, 300, false, true, acc, true, 2, null);
        }
    }

    @Test
    void bitIdenticalForAnyThreadCount() {
        int[][] shapes = {{257, 300, 129}, {300, 70, 513}, {64, 1000, 33}, {1, 2000, 300}, {2000, 1, 300}, {33, 33, 33}};
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++) {
                float[] one = null;
                for (int threads : new int[] {1, 2, 3, 5, 8}) {
                    // Same seed: same operands for every thread count.
                    int tt = t, th = threads; // every product split threads ways, however small (withMaxChunks)
                    float[] c = Parallel.withMaxChunks(threads, () -> run(new SplittableRandom(7), Kind.F32_HEAP,
                            Kind.BF16_HEAP, s[0], s[1], s[2], (tt & 1) == 0, (tt & 2) == 0, true, true, th, null));
                    if (one == null) one = c;
                    else assertArrayEquals(one, c, "m=" + s[0] + " n=" + s[1] + " k=" + s[2] + " threads=" + threads);
                }
            }
        }
    }

    /**
     * Weight-gradient shapes (small C, long K) take the K-sliced path: slices summed in a fixed order. Checked against
     * the reference in every layout, with accumulation and 16-bit operands, and bit for bit across thread counts
     * (stripes and pool chunks both varied), since the slicing depends on the shape alone.
     */
    @Test
    void longKSmallOutputIsSlicedExactlyAndThreadIndependently() {
        int ks = Sgemm.KSLICE;
        int[][] shapes = {{96, 80, 4 * ks + 37}, {13, 33, 2 * ks}, {2, 2, 3 * ks + 1}, {40, 7, 17 * ks + 5}};
        SplittableRandom rnd = new SplittableRandom(8);
        for (int[] s : shapes) {
            assertTrue(Sgemm.kSlices(s[0], s[1], s[2]) > 1, "sliced: " + java.util.Arrays.toString(s));
            for (int t = 0; t < 4; t++) {
                run(rnd, Kind.F32_HEAP, t == 3 ? Kind.BF16_HEAP : Kind.F32_HEAP, s[0], s[1], s[2], (t & 1) == 0,
                        (t & 2) == 0, t >= 2, t == 1, Parallel.THREADS, null);
            }
        }
        assertEquals(1, Sgemm.kSlices(96, 80, 2 * ks - 1));
        assertEquals(1, Sgemm.kSlices(300, 300, 100 * ks));
        assertEquals(Sgemm.MAX_SLICES, Sgemm.kSlices(128, 128, 72_000));
        int[] s = shapes[0];
        for (int t = 0; t < 4; t++) {
            float[] one = null;
            for (int threads : new int[] {1, 2, 3, 8}) {
                int layout = t;
                float[] c = Parallel.withMaxChunks(threads, () -> run(new SplittableRandom(9), Kind.F32_HEAP,
                        Kind.F32_HEAP, s[0], s[1], s[2], (layout & 1) == 0, (layout & 2) == 0, true, false, threads, null));
                if (one == null) one = c;
                else assertArrayEquals(one, c, "sliced, layout " + t + ", threads=" + threads);
            }
        }
    }

    @Test
    void rejectsMismatchedShapesAndShortOutput() {
        MatrixOperand a = MatrixOperand.of(new float[6], 2, 3), b = MatrixOperand.of(new float[8], 4, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Sgemm.sgemm(a, b, new float[4], 0, 2, false));
        assertTrue(e.getMessage().contains("2x3") && e.getMessage().contains("4x2"), e.getMessage());
        MatrixOperand b2 = MatrixOperand.of(new float[6], 3, 2);
        e = assertThrows(IllegalArgumentException.class, () -> Sgemm.sgemm(a, b2, new float[3], 0, 2, false));
        assertTrue(e.getMessage().contains("does not fit"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Sgemm.sgemm(a, b2, new float[8], 0, 1, false));
        float[] c = new float[4];
        Sgemm.sgemm(a, b2, c, 0, 2, false);
        assertEquals(0f, c[3]);
    }

    @Test
    void matrixOperandValidatesItsView() {
        CpuStorage s = CpuStorage.of(new float[12]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MatrixOperand(s, 0, 2, 3, 3, 2));
        assertTrue(e.getMessage().contains("neither row-major"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MatrixOperand(s, 0, 3, 3, 1, 1));
        assertTrue(e.getMessage().contains("overlap"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MatrixOperand.rowMajor(s, 1, 3, 4, 4));
        assertTrue(e.getMessage().contains("reaches element 12"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MatrixOperand.rowMajor(CpuStorage.of(new int[4]), 0, 2, 2, 2));
        assertTrue(e.getMessage().contains("I32"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MatrixOperand.rowMajor(s, -1, 2, 2, 2));
        // Legal: a single row or column may have both strides 1; an empty matrix never reads.
        new MatrixOperand(s, 0, 1, 12, 1, 1);
        new MatrixOperand(s, 0, 12, 1, 1, 1);
        MatrixOperand.rowMajor(s, 12, 0, 5, 5);
        MatrixOperand t = MatrixOperand.rowMajor(s, 0, 3, 4, 4).transpose();
        assertEquals(4, t.rows());
        assertTrue(!t.isRowMajor());
    }
}
