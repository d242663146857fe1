package org.crs4j.tensor.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The attention kernels' algorithms ({@link TiledAttentionModel}: tiling, online softmax, split-key decoding, the
 * tiled backward with its causal bounds) against a double-precision reference that materialises the scores, on
 * random shapes that are not multiples of the tiles, grouped heads, d != dv, padding masks and causal masks.
 */
class TiledAttentionModelTest {

    /** The double reference: out, and the gradients for dO. */
    static double[][] reference(TiledAttentionModel m, float[] dO) {
        int b = m.b, h = m.h, tq = m.tq, tk = m.tk, d = m.d, dv = m.dv, group = h / m.hkv;
        double[] out = new double[b * h * tq * dv], dq = new double[b * h * tq * d];
        double[] dk = new double[b * m.hkv * tk * d], dvv = new double[b * m.hkv * tk * dv];
        for (int bi = 0; bi < b; bi++) {
            for (int hi = 0; hi < h; hi++) {
                int hk = hi / group;
                for (int i = 0; i < tq; i++) {
                    int row = (bi * h + hi) * tq + i;
                    double[] s = new double[tk];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < tk; j++) {
                        double acc = 0;
                        for (int p = 0; p < d; p++) acc += (double) (m.q(bi, hi, i, p) * m.scale) * m.k(bi, hk, j, p);
                        if (m.causal && j > i + (tk - tq)) acc = Double.NEGATIVE_INFINITY;
                        else if (m.bias != null) acc += m.bias[((bi * h + hi) * tq + i) * tk + j];
                        s[j] = acc;
                        max = Math.max(max, acc);
                    }
                    double sum = 0;
                    for (int j = 0; j < tk; j++) sum += s[j] = Math.exp(s[j] - max);
                    for (int j = 0; j < tk; j++) s[j] /= sum; // p
                    for (int c = 0; c < dv; c++) {
                        double acc = 0;
                        for (int j = 0; j < tk; j++) acc += s[j] * m.v(bi, hk, j, c);
                        out[row * dv + c] = acc;
                    }
                    // dP = dO V^T, dS = p (dP - sum(p dP))
                    double[] dp = new double[tk];
                    double dot = 0;
                    for (int j = 0; j < tk; j++) {
                        for (int c = 0; c < dv; c++) dp[j] += (double) dO[row * dv + c] * m.v(bi, hk, j, c);
                        dot += s[j] * dp[j];
                    }
                    for (int j = 0; j < tk; j++) {
                        double ds = s[j] * (dp[j] - dot);
                        int krow = (bi * m.hkv + hk) * tk + j;
                        for (int p = 0; p < d; p++) {
                            dq[row * d + p] += ds * m.k(bi, hk, j, p) * m.scale;
                            dk[krow * d + p] += ds * m.q(bi, hi, i, p) * m.scale;
                        }
                        for (int c = 0; c < dv; c++) dvv[krow * dv + c] += s[j] * dO[row * dv + c];
                    }
                }
            }
        }
        return new double[][] {out, dq, dk, dvv};
    }

    static float[] uniform(SplittableRandom r, int n, double lo, double hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextDouble(lo, hi);
        return a;
    }

    static void assertClose(double[] expected, float[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what);
        double scale = 0;
        for (double e : expected) if (Double.isFinite(e)) scale = Math.max(scale, Math.abs(e));
        for (int i = 0; i < expected.length; i++) {
            if (Double.isNaN(expected[i]) ? Float.isNaN(actual[i]) : Double.isInfinite(expected[i]) && expected[i] == actual[i]) continue;
            assertTrue(Math.abs(actual[i] - expected[i]) <= tol * Math.max(1, scale),
                    what + " at " + i + ": expected " + expected[i] + " but was " + actual[i]);
        }
    }

    private TiledAttentionModel model(SplittableRandom r, int b, int h, int hkv, int tq, int tk, int d, int dv, boolean mask,
                                      boolean causal) {
        float[] bias = null;
        if (mask) {
            // padding: a random prefix of keys per batch row masked with the -FLT_MAX that nn's masks use, plus a bias
            bias = uniform(r, b * h * tq * tk, -1, 1);
            for (int bi = 0; bi < b; bi++) {
                int padded = r.nextInt(0, Math.max(1, tk / 3));
                for (int x = 0; x < h * tq; x++) for (int j = 0; j < padded; j++) bias[(bi * h * tq + x) * tk + j] = -Float.MAX_VALUE;
            }
        }
        return new TiledAttentionModel(b, h, hkv, tq, tk, d, dv, uniform(r, b * h * tq * d, -1, 1), uniform(r, b * hkv * tk * d, -1, 1),
                uniform(r, b * hkv * tk * dv, -1, 1), bias, (float) (1 / Math.sqrt(d)), causal);
    }

    @Test
    void tiledForwardAndBackwardMatchTheReference() {
        SplittableRandom r = new SplittableRandom(21);
        int[][] shapes = { // b, h, hkv, tq, tk, d, dv
                {1, 1, 1, 1, 1, 8, 8}, {2, 4, 2, 70, 130, 16, 24}, {1, 8, 2, 65, 65, 32, 32}, {2, 2, 2, 100, 37, 8, 12},
                {1, 2, 1, 129, 150, 32, 40}};
        for (int[] s : shapes) {
            for (boolean mask : new boolean[] {false, true}) {
                for (boolean causal : new boolean[] {false, true}) {
                    if (causal && s[3] > s[4]) continue; // more queries than keys: rows with nothing to see
                    TiledAttentionModel m = model(r, s[0], s[1], s[2], s[3], s[4], s[5], s[6], mask, causal);
                    String what = java.util.Arrays.toString(s) + (mask ? " masked" : "") + (causal ? " causal" : "");
                    float[][] fwd = m.forward();
                    float[] dO = uniform(r, fwd[0].length, -1, 1);
                    double[][] ref = reference(m, dO);
                    assertClose(ref[0], fwd[0], 2e-6, what + " out");
                    float[][] grads = m.backward(dO, fwd[0], fwd[1]);
                    assertClose(ref[1], grads[0], 1e-5, what + " dq");
                    assertClose(ref[2], grads[1], 1e-5, what + " dk");
                    assertClose(ref[3], grads[2], 1e-5, what + " dv");
                }
            }
        }
    }

    @Test
    void splitKeyDecodingMatchesTheTiledForward() {
        SplittableRandom r = new SplittableRandom(5);
        for (int tk : new int[] {1, 255, 256, 257, 700}) {
            for (boolean causal : new boolean[] {false, true}) {
                TiledAttentionModel m = model(r, 2, 8, 2, 2, tk, 64, 64, true, causal);
                float[][] tiled = m.forward(), decoded = m.decode();
                double[] expected = new double[tiled[0].length];
                for (int i = 0; i < expected.length; i++) expected[i] = tiled[0][i];
                assertClose(expected, decoded[0], 2e-6, tk + " keys out");
                // the (max, sum) pairs: the max exactly, the sum to rounding
                double[] stats = new double[tiled[1].length];
                for (int i = 0; i < stats.length; i++) stats[i] = tiled[1][i];
                assertClose(stats, decoded[1], 2e-6, tk + " keys softmax max and sum");
                assertClose(reference(m, new float[tiled[0].length])[0], decoded[0], 2e-6, tk + " keys vs reference");
            }
        }
    }

    @Test
    void fullyMaskedRowsAreNaNAsInTheComposition() {
        // every key -inf: softmax over nothing, NaN in torch, in the composed CPU path and in the kernels
        float[] bias = new float[3];
        java.util.Arrays.fill(bias, Float.NEGATIVE_INFINITY);
        TiledAttentionModel m = new TiledAttentionModel(1, 1, 1, 1, 3, 4, 4, new float[4], new float[12], new float[12], bias, 1f, false);
        assertTrue(Float.isNaN(m.forward()[0][0]));
        assertTrue(Float.isNaN(m.decode()[0][0]));
    }
}
