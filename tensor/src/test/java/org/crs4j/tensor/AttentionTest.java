package org.crs4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import org.crs4j.tensor.cpu.Parallel;
import org.crs4j.tensor.testing.Devices;
import org.crs4j.tensor.testing.RandomTensors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The attention op against a naive double-precision reference: grouped heads, every bias broadcast, head sizes below,
 * at and above a vector, strided keys and values (a KV cache's narrowed views, transposed copies), few query rows
 * (streamed) and many (GEMM); the two strategies agree bit for bit where both apply; any thread count gives the same
 * bits.
 */
@ParameterizedClass
@MethodSource("org.crs4j.tensor.testing.Devices#all")
class AttentionTest {
    private final Device device;
    private final RandomTensors random;

    AttentionTest(Device device) {
        this.device = device;
        this.random = new RandomTensors(21, device);
    }

    @BeforeEach
    void deviceIsUsable() {
        Devices.assumeUsable(device, "AttentionTest");
    }

    /** out[b][h][i][c] in double, from the tensors' elements read one by one. */
    private static double[][][][] reference(Tensor q, Tensor k, Tensor v, Tensor bias, double scale) {
        q = q.toDevice(Device.CPU); // element reads below: one download, not one per element
        k = k.toDevice(Device.CPU);
        v = v.toDevice(Device.CPU);
        bias = bias == null ? null : bias.toDevice(Device.CPU);
        int b = q.size(0), h = q.size(1), tq = q.size(2), d = q.size(3), hkv = k.size(1), tk = k.size(2), dv = v.size(3);
        Tensor bb = bias == null ? null : bias.expand(b, h, tq, tk);
        double[][][][] out = new double[b][h][tq][dv];
        for (int bi = 0; bi < b; bi++) {
            for (int hi = 0; hi < h; hi++) {
                int g = hi / (h / hkv);
                for (int i = 0; i < tq; i++) {
                    double[] s = new double[tk];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < tk; j++) {
                        double dot = 0;
                        for (int c = 0; c < d; c++) dot += q.get(bi, hi, i, c) * k.get(bi, g, j, c);
                        s[j] = dot * scale + (bb == null ? 0 : bb.get(bi, hi, i, j));
                        max = Math.max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < tk; j++) sum += s[j] = Math.exp(s[j] - max);
                    for (int c = 0; c < dv; c++) {
                        double acc = 0;
                        for (int j = 0; j < tk; j++) acc += s[j] / sum * v.get(bi, g, j, c);
                        out[bi][hi][i][c] = acc;
                    }
                }
            }
        }
        return out;
    }

    private static void check(Tensor got, double[][][][] want, double tol, String what) {
        got = got.toDevice(Device.CPU);
        assertArrayEquals(new int[] {want.length, want[0].length, want[0][0].length, want[0][0][0].length}, got.shape(), what);
        for (int b = 0; b < want.length; b++) {
            for (int h = 0; h < want[0].length; h++) {
                for (int i = 0; i < want[0][0].length; i++) {
                    for (int c = 0; c < want[0][0][0].length; c++) {
                        double e = Math.abs(got.get(b, h, i, c) - want[b][h][i][c]);
                        if (!(e <= tol)) fail(what + ": out[" + b + "][" + h + "][" + i + "][" + c + "] = " + got.get(b, h, i, c)
                                + ", reference " + want[b][h][i][c]);
                    }
                }
            }
        }
    }

    @Test
    void matchesTheDoubleReferenceForEveryShapeAndBias() {
        SplittableRandom rnd = random.rng();
        int[][] shapes = { // b, h, hkv, tq, tk, d, dv
                {1, 8, 4, 1, 37, 8, 8}, {2, 4, 4, 1, 70, 16, 16}, {1, 6, 2, 3, 5, 33, 20}, {2, 4, 1, 1, 200, 64, 64},
                {1, 2, 2, 20, 20, 12, 7}, {3, 4, 2, 9, 31, 17, 17}, {1, 3, 3, 1, 1, 5, 3}, {2, 8, 2, 2, 50, 24, 40}};
        for (int[] s : shapes) {
            int b = s[0], h = s[1], hkv = s[2], tq = s[3], tk = s[4], d = s[5], dv = s[6];
            Tensor q = random.uniform(new int[] {b, h, tq, d}, -1, 1);
            // keys and values as a cache keeps them: a larger buffer, narrowed to the filled positions
            Tensor kBuf = random.uniform(new int[] {b, hkv, tk + 5, d}, -1, 1), vBuf = random.uniform(new int[] {b, hkv, tk + 5, dv}, -1, 1);
            Tensor k = kBuf.narrow(2, 0, tk), v = vBuf.narrow(2, 0, tk);
            Tensor[] biases = {null, random.uniform(new int[] {tq, tk}, -2, 2), random.uniform(new int[] {b, 1, 1, tk}, -2, 2),
                    random.uniform(new int[] {1, h, tq, tk}, -2, 2), random.uniform(new int[] {b, h, tq, tk}, -2, 2)};
            for (Tensor bias : biases) {
                double scale = rnd.nextBoolean() ? 1 : 1 / Math.sqrt(d);
                String what = java.util.Arrays.toString(s) + " bias " + (bias == null ? "none" : java.util.Arrays.toString(bias.shape()));
                Tensor out = q.attention(k, v, bias, scale);
                check(out, reference(q, k, v, bias, scale), 1e-5, what);
                // transposed (non-unit last stride) keys and values are read through a copy, with the same result
                Tensor kt = k.transpose(2, 3).contiguous().transpose(2, 3), vt = v.transpose(2, 3).contiguous().transpose(2, 3);
                assertArrayEquals(out.toFloatArray(), q.attention(kt, vt, bias, scale).toFloatArray(), what + " strided k, v");
            }
        }
    }

    @Test
    void streamedRowsEqualTheComposedProductsBitForBit() {
        Devices.cpuOnly(device, "the CPU's two attention strategies give the same bits");
        // up to Matvec.MAX_VECTORS query rows per kv head the op streams each row; the composition of mul (q by the scale), matmul, add,
        // softmax and matmul (which is what many rows run) gives the same bits there, up to 256 keys (beyond, GEMM adds
        // p·v in blocks of 256 keys)
        for (int[] s : new int[][] {{1, 8, 4, 1, 129, 8, 8}, {2, 4, 1, 2, 40, 64, 64}, {1, 2, 2, 4, 256, 19, 5}}) {
            int b = s[0], h = s[1], hkv = s[2], tq = s[3], tk = s[4], d = s[5], dv = s[6], group = h / hkv;
            Tensor q = random.uniform(new int[] {b, h, tq, d}, -1, 1);
            Tensor k = random.uniform(new int[] {b, hkv, tk, d}, -1, 1), v = random.uniform(new int[] {b, hkv, tk, dv}, -1, 1);
            Tensor bias = random.uniform(new int[] {b, 1, tq, tk}, -1, 1);
            double scale = 1 / Math.sqrt(d);
            Tensor qs = q.mul(scale);
            Tensor qg = group == 1 ? qs : qs.reshape(b, hkv, group * tq, d);
            Tensor scores = qg.matmul(k.mT());
            if (group != 1) scores = scores.view(b, h, tq, tk);
            Tensor p = scores.add(bias).softmax(-1);
            if (group != 1) p = p.view(b, hkv, group * tq, tk);
            Tensor composed = p.matmul(v);
            if (group != 1) composed = composed.view(b, h, tq, dv);
            assertArrayEquals(composed.toFloatArray(), q.attention(k, v, bias, scale).toFloatArray(), java.util.Arrays.toString(s));
        }
    }

    @Test
    void sameBitsForAnyThreadCountAndF64ComputesInF64() {
        Tensor q = random.uniform(new int[] {2, 8, 1, 64}, -1, 1), k = random.uniform(new int[] {2, 2, 300, 64}, -1, 1);
        Tensor v = random.uniform(new int[] {2, 2, 300, 64}, -1, 1), bias = random.uniform(new int[] {2, 1, 1, 300}, -1, 1);
        float[] one = Parallel.withMaxChunks(1, () -> q.attention(k, v, bias, 0.125).toFloatArray());
        for (int chunks : new int[] {2, 3, 7}) {
            assertArrayEquals(one, Parallel.withMaxChunks(chunks, () -> q.attention(k, v, bias, 0.125).toFloatArray()), "chunks " + chunks);
        }
        Tensor q64 = q.to(DType.F64), out = q64.attention(k.to(DType.F64), v.to(DType.F64), bias.to(DType.F64), 0.125);
        assertEquals(DType.F64, out.dtype());
        check(out, reference(q64, k.to(DType.F64), v.to(DType.F64), bias.to(DType.F64), 0.125), 1e-12, "F64");
    }

    @Test
    void fullyMaskedRowsAndBadShapes() {
        // masked scores use -Float.MAX_VALUE (AttentionMasks): a row with every key masked averages the values
        Tensor q = random.uniform(new int[] {1, 2, 1, 8}, -1, 1), k = random.uniform(new int[] {1, 2, 4, 8}, -1, 1);
        Tensor v = random.uniform(new int[] {1, 2, 4, 8}, -1, 1);
        Tensor masked = Tensor.full(-Float.MAX_VALUE, DType.F32, 1, 1, 1, 4);
        Tensor out = q.attention(k, v, masked, 1);
        Tensor mean = v.mean(new int[] {2}, true);
        assertTrue(out.sub(mean).abs().max().item() < 1e-6, "fully masked rows average the values");
        assertThrows(IllegalArgumentException.class, () -> q.attention(random.uniform(new int[] {1, 3, 4, 8}, -1, 1),
                random.uniform(new int[] {1, 3, 4, 8}, -1, 1), null, 1));
        assertThrows(IllegalArgumentException.class, () -> q.attention(k, v, Tensor.zeros(1, 1, 2, 4), 1));
        assertThrows(IllegalArgumentException.class, () -> q.attention(k.select(0, 0), v, null, 1));
    }
}
