package org.crs4j.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.cpu.RandomOperand.Kind;
import org.junit.jupiter.api.Test;

/**
 * Matrix-vector products against a double-precision reference, with the same tolerance as {@link SgemmTest}:
 * |y_i - ref_i| ≤ 1e-4 · (|y0_i| + Σ_p |w_ip·x_p|), where ref_i = y0_i + Σ_p w_ip·x_p over the values W actually
 * holds (BF16/F16-rounded) and y0 = 0 unless accumulating. Elements of y between the strided outputs stay untouched.
 */
class MatvecTest {
    private static final double TOL = 1e-4;
    private static final float Y_POISON = 3.25e20f;

    private static float[] run(SplittableRandom rnd, Kind kind, int n, int k, boolean rowMajor, boolean accumulate,
                               int yStride, int threads, Arena arena) {
        RandomOperand w = RandomOperand.create(rnd, kind, n, k, rowMajor, rnd.nextInt(4), rnd.nextInt(5), arena);
        int xo = rnd.nextInt(3), yo = rnd.nextInt(3);
        float[] x = RandomOperand.randomFloats(rnd, xo + k + 2);
        float[] y = new float[yo + Math.max(0, n - 1) * yStride + 1 + 2];
        java.util.Arrays.fill(y, Y_POISON);
        float[] y0 = y.clone();
        if (accumulate) for (int i = 0; i < n; i++) y0[yo + i * yStride] = y[yo + i * yStride] = (float) rnd.nextGaussian();
        Matvec.matvec(w.operand, x, xo, y, yo, yStride, accumulate, threads);
        String what = kind + (rowMajor ? " W" : " W^T") + " n=" + n + " k=" + k + (accumulate ? " accumulate" : "")
                + " yStride=" + yStride + " threads=" + threads;
        boolean[] written = new boolean[y.length];
        for (int i = 0; i < n; i++) {
            int yi = yo + i * yStride;
            written[yi] = true;
            double ref = accumulate ? y0[yi] : 0, mag = Math.abs(ref);
            for (int p = 0; p < k; p++) {
                double t = w.values[i][p] * x[xo + p];
                ref += t;
                mag += Math.abs(t);
            }
            double err = Math.abs(y[yi] - ref);
            if (!(err <= TOL * mag) && !(mag == 0 && y[yi] == 0)) {
                fail(what + ": y[" + i + "] = " + y[yi] + " but reference " + ref + " (allowed error " + TOL * mag + ")");
            }
        }
        for (int i = 0; i < y.length; i++) {
            if (!written[i] && Float.floatToRawIntBits(y[i]) != Float.floatToRawIntBits(y0[i])) {
                fail(what + ": wrote y element " + i + " outside the output");
            }
        }
        return y;
    }

    @Test
    void everyStorageKindAndLayout() {
        SplittableRandom rnd = new SplittableRandom(11);
        int[] sizes = {1, 2, 3, 16, 17, 33, 100, 1000};
        try (Arena arena = Arena.ofShared()) {
            for (Kind kind : Kind.values()) {
                for (int n : sizes) {
                    for (int k : sizes) {
                        run(rnd, kind, n, k, true, rnd.nextBoolean(), 1 + rnd.nextInt(2), Parallel.THREADS, arena);
                        run(rnd, kind, n, k, false, rnd.nextBoolean(), 1 + rnd.nextInt(2), Parallel.THREADS, arena);
                    }
                }
            }
        }
    }

    @Test
    void largeBf16Weight() {
        // A Linear weight the size of a small LLM projection, memory-mapped BF16, k a multiple of every vector width.
        try (Arena arena = Arena.ofShared()) {
            run(new SplittableRandom(12), Kind.BF16_SEGMENT, 700, 4096, true, false, 1, Parallel.THREADS, arena);
            run(new SplittableRandom(13), Kind.BF16_SEGMENT, 4096, 300, false, true, 1, Parallel.THREADS, arena);
            run(new SplittableRandom(14), Kind.F16_SEGMENT, 300, 2053, true, false, 1, Parallel.THREADS, arena);
        }
    }

    @Test
    void emptyAndZeroDepth() {
        SplittableRandom rnd = new SplittableRandom(15);
        run(rnd, Kind.F32_HEAP, 5, 0, true, false, 1, 2, null);
        run(rnd, Kind.F32_HEAP, 5, 0, false, true, 2, 2, null);
        run(rnd, Kind.F32_HEAP, 0, 7, true, false, 1, 2, null);
    }

    @Test
    void bitIdenticalForAnyThreadCount() {
        try (Arena arena = Arena.ofShared()) {
            for (Kind kind : Kind.values()) {
                for (boolean rowMajor : new boolean[] {true, false}) {
                    float[] one = null;
                    for (int threads : new int[] {1, 2, 3, 4, 7}) {
                        int th = threads; // split threads ways whatever the size (withMaxChunks)
                        float[] y = Parallel.withMaxChunks(threads, () -> run(new SplittableRandom(16), kind, 1003, 517, rowMajor,
                                true, 1, th, arena));
                        if (one == null) one = y;
                        else assertArrayEquals(one, y, kind + " rowMajor=" + rowMajor + " threads=" + threads);
                    }
                }
            }
        }
    }

    @Test
    void rejectsShortVectors() {
        MatrixOperand w = MatrixOperand.of(new float[12], 3, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Matvec.matvec(w, new float[3], new float[3], false));
        assertTrue(e.getMessage().contains("x needs 4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Matvec.matvec(w, new float[4], new float[2], false));
        assertTrue(e.getMessage().contains("y needs 3"), e.getMessage());
    }

    @Test
    void widensEveryHalfPrecisionBitPatternExactly() {
        // All 65536 patterns through the vector path (and the scalar tail), against the JDK's scalar conversions.
        short[] bits = new short[65536 + 5];
        for (int i = 0; i < bits.length; i++) bits[i] = (short) i;
        float[] got = new float[bits.length];
        for (DType dtype : new DType[] {DType.BF16, DType.F16}) {
            CpuStorage s = CpuStorage.ofHalf(dtype, bits);
            FloatRuns.read(s, 0, got, 0, bits.length);
            for (int i = 0; i < bits.length; i++) {
                float want = dtype == DType.BF16 ? Half.bf16ToFloat(bits[i]) : Float.float16ToFloat(bits[i]);
                if (Float.floatToRawIntBits(want) != Float.floatToRawIntBits(got[i])
                        && !(Float.isNaN(want) && Float.isNaN(got[i]))) {
                    fail(dtype + " bits 0x" + Integer.toHexString(bits[i] & 0xFFFF) + ": " + got[i] + " but " + want);
                }
            }
            // Same through every other kind of segment, starting at element 1 of the storage.
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment offHeap = arena.allocate(2L * bits.length + 2);
                MemorySegment.copy(MemorySegment.ofArray(bits), 0, offHeap, 2, 2L * bits.length);
                byte[] bytes = new byte[2 * bits.length + 2];
                MemorySegment.copy(offHeap, 0, MemorySegment.ofArray(bytes), 0, bytes.length);
                short[] shifted = new short[bits.length + 3];
                System.arraycopy(bits, 0, shifted, 2, bits.length);
                MemorySegment[] segments = {
                    offHeap,
                    MemorySegment.ofArray(bytes), // heap, but not a short[]
                    MemorySegment.ofArray(bytes).asReadOnly(),
                    MemorySegment.ofArray(shifted).asSlice(2), // a short[] seen from element 1
                };
                for (MemorySegment seg : segments) {
                    float[] again = new float[bits.length];
                    FloatRuns.read(CpuStorage.wrap(dtype, seg, null), 1, again, 0, bits.length);
                    for (int i = 0; i < bits.length; i++) {
                        if (Float.floatToRawIntBits(again[i]) != Float.floatToRawIntBits(got[i])) {
                            fail(dtype + " via " + seg + ": element " + i + " is " + again[i] + ", not " + got[i]);
                        }
                    }
                }
            }
        }
    }
}
