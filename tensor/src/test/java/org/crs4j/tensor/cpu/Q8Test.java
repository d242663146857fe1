package org.crs4j.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Q8_0 storage: quantization against a double-precision reference of the scheme (scale = block max / 127, quant =
 * the nearest integer of w / scale), the error bound it implies, every reader (element access, runs, copies, index
 * ops, element-wise ops) agreeing with the dequantized values, and the matrix kernels on Q8_0 weights against a
 * double-precision reference over those dequantized values, for any thread count.
 */
class Q8Test {

    /** Values with a different magnitude per block, a zero block, blocks with one outlier, and sizes not of 32. */
    private static float[] weights(SplittableRandom rnd, int n) {
        float[] v = new float[n];
        for (int b = 0; b * 32 < n; b++) {
            double mag = Math.pow(10, rnd.nextInt(-6, 4));
            int kind = rnd.nextInt(6);
            for (int j = b * 32; j < Math.min(n, b * 32 + 32); j++) {
                v[j] = kind == 0 ? 0f : (float) (rnd.nextGaussian() * mag);
            }
            if (kind == 1) v[Math.min(n - 1, b * 32 + rnd.nextInt(32))] = (float) (1000 * mag);
        }
        return v;
    }

    @Test
    void quantizationMatchesTheSchemeAndItsErrorBound() {
        SplittableRandom rnd = new SplittableRandom(1);
        for (int n : new int[] {1, 5, 31, 32, 33, 64, 100, 1000, 4097, 70_001}) {
            float[] v = weights(rnd, n);
            CpuStorage q = (CpuStorage) Tensor.of(v, n).to(DType.Q8_0).storage();
            assertEquals(DType.Q8_0, q.dtype());
            assertEquals((n + 31) / 32, q.scales().length, "scales of " + n);
            for (int b = 0; b * 32 < n; b++) {
                double amax = 0;
                for (int j = b * 32; j < Math.min(n, b * 32 + 32); j++) amax = Math.max(amax, Math.abs((double) v[j]));
                double scale = amax / 127;
                assertEquals(scale, q.scales()[b], Math.ulp((float) scale), "scale of block " + b + " n=" + n);
                for (int j = b * 32; j < Math.min(n, b * 32 + 32); j++) {
                    int quant = q.segment().get(ValueLayout.JAVA_BYTE, j);
                    double exact = amax == 0 ? 0 : v[j] / scale;
                    // the nearest integer, except where w/scale lies within float rounding of a half
                    if (Math.abs(quant - exact) > 0.5 + 1e-5) fail("element " + j + ": quant " + quant + " for " + exact);
                    assertTrue(Math.abs(quant) <= 127);
                    double back = q.getFloat(j);
                    assertEquals((float) (quant * (double) q.scales()[b]), (float) back, 0f, "dequantized element " + j);
                    double err = Math.abs(back - v[j]);
                    assertTrue(err <= amax / 254 * (1 + 1e-5) + 1e-30, "element " + j + ": error " + err + " > max/254 = " + amax / 254);
                }
            }
        }
    }

    @Test
    void quantizesFromEveryFloatStorageWithoutAnF32Copy() {
        SplittableRandom rnd = new SplittableRandom(2);
        int n = 3000;
        float[] v = weights(rnd, n);
        for (int i = 0; i < n; i++) v[i] *= 1e-3f; // within F16's range
        try (Arena arena = Arena.ofShared()) {
            for (DType dt : new DType[] {DType.F32, DType.BF16, DType.F16}) {
                Tensor heap = Tensor.of(v, n).to(dt);
                MemorySegment seg = arena.allocate((long) (n + 3) * dt.byteSize(), 64);
                Tensor mapped = Tensor.of(CpuStorage.wrap(dt, seg, arena), (int) (seg.byteSize() / dt.byteSize()))
                        .narrow(0, 3, n); // an offset view of native memory, as a mapped checkpoint gives
                mapped.copyFrom(heap);
                float[] want = heap.to(DType.F32).to(DType.Q8_0).toFloatArray();
                assertArrayEquals(want, heap.to(DType.Q8_0).toFloatArray(), dt + " heap");
                assertArrayEquals(want, mapped.to(DType.Q8_0).toFloatArray(), dt + " segment");
            }
        }
    }

    @Test
    void everyReaderSeesTheDequantizedValues() {
        SplittableRandom rnd = new SplittableRandom(3);
        Tensor q = Tensor.of(weights(rnd, 37 * 45), 37, 45).to(DType.Q8_0); // rows of 45: blocks straddle rows
        Tensor d = q.to(DType.F32);
        float[] flat = d.toFloatArray();
        for (int i = 0; i < flat.length; i++) assertEquals(flat[i], (float) q.get(i / 45, i % 45), 0f);
        assertArrayEquals(d.add(1.5).toFloatArray(), q.add(1.5).toFloatArray());
        assertArrayEquals(d.mT().contiguous().toFloatArray(), q.mT().contiguous().toFloatArray());
        assertArrayEquals(d.narrow(1, 7, 30).toFloatArray(), q.narrow(1, 7, 30).toFloatArray());
        Tensor ids = Tensor.of(new long[] {36, 0, 5, 5, 17}, 5);
        assertArrayEquals(d.embedding(ids).toFloatArray(), q.embedding(ids).toFloatArray(), "embedding rows");
        assertArrayEquals(d.softmax(-1).toFloatArray(), q.softmax(-1).toFloatArray());
        assertArrayEquals(d.sum(new int[] {1}, false).toFloatArray(), q.sum(new int[] {1}, false).toFloatArray());
        float[] run = new float[100];
        FloatRuns.read((CpuStorage) q.storage(), 13, run, 0, 100); // unaligned start and end
        for (int i = 0; i < 100; i++) assertEquals(flat[13 + i], run[i], 0f, "run element " + i);
    }

    @Test
    void copiesOfQ8AreExactAndItsViewsAreReadOnly() {
        Tensor q = Tensor.of(weights(new SplittableRandom(4), 200), 200).to(DType.Q8_0);
        Tensor c = q.copy(); // copies dequantize: quantization happens only in to(Q8_0)
        assertEquals(DType.F32, c.dtype());
        assertArrayEquals(q.toFloatArray(), c.toFloatArray());
        assertEquals(DType.F32, q.view(10, 20).mT().contiguous().dtype());
        assertArrayEquals(q.narrow(0, 64, 96).toFloatArray(), q.narrow(0, 64, 96).to(DType.F32).to(DType.Q8_0).toFloatArray(),
                "whole blocks requantize to the same values");
        Tensor q2 = Tensor.zeros(DType.Q8_0, 200);
        q2.copyFrom(q); // Q8_0 into whole Q8_0 storage: block for block
        assertArrayEquals(q.toFloatArray(), q2.toFloatArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> q.narrow(0, 0, 10).fill(1));
        assertTrue(e.getMessage().contains("Q8_0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ((CpuStorage) q.storage()).setFloat(0, 1f));
    }

    @Test
    void nonFiniteValuesAreRefusedByIndex() {
        float[] v = new float[70];
        v[66] = Float.NaN;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.of(v, 70).to(DType.Q8_0));
        assertTrue(e.getMessage().contains("element 66"), e.getMessage());
        v[66] = Float.NEGATIVE_INFINITY;
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.of(v, 70).to(DType.Q8_0));
        assertTrue(e.getMessage().contains("element 66"), e.getMessage());
    }

    @Test
    void matmulWithQ8WeightsMatchesTheDoubleReferenceForAnyThreadCount() {
        SplittableRandom rnd = new SplittableRandom(5);
        // Linear-layer products x · W^T with W [out, in] in Q8_0: one row (matrix-vector), a few rows (several
        // matrix-vector passes) and many rows (packed GEMM), sizes that are and are not multiples of 32
        int[][] shapes = {{1, 300, 4096}, {1, 77, 172}, {5, 64, 96}, {3, 257, 33}, {40, 300, 200}, {130, 129, 65}};
        for (int[] s : shapes) {
            int m = s[0], out = s[1], in = s[2];
            Tensor w = Tensor.of(weights(rnd, out * in), out, in).to(DType.Q8_0);
            float[] xs = new float[m * in];
            for (int i = 0; i < xs.length; i++) xs[i] = (float) rnd.nextGaussian();
            Tensor x = Tensor.of(xs, m, in);
            float[] wd = w.toFloatArray();
            float[] one = null;
            for (int threads : new int[] {1, 2, 3, 8}) {
                float[] y = new float[m * out];
                int th = threads; // split threads ways however small the product (withMaxChunks)
                Parallel.withMaxChunks(threads, () -> {
                    Sgemm.sgemm(MatMul.operand(x), MatMul.operand(w.mT()), y, 0, out, false, th);
                    return null;
                });
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < out; j++) {
                        double ref = 0, mag = 0;
                        for (int p = 0; p < in; p++) {
                            double t = (double) xs[i * in + p] * wd[j * in + p];
                            ref += t;
                            mag += Math.abs(t);
                        }
                        double err = Math.abs(y[i * out + j] - ref);
                        if (!(err <= 1e-4 * mag + 1e-30)) fail("m=" + m + " out=" + out + " in=" + in + " y[" + i + "][" + j + "] = "
                                + y[i * out + j] + ", reference " + ref);
                    }
                }
                if (one == null) one = y;
                else assertArrayEquals(one, y, "m=" + m + " out=" + out + " in=" + in + " threads=" + threads);
            }
            assertArrayEquals(one, x.matmul(w.mT()).toFloatArray(), "through Tensor.matmul");
        }
    }
}
