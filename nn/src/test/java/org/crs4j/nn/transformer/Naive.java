package org.crs4j.nn.transformer;

import java.util.Map;
import org.crs4j.nn.Module;
import org.crs4j.tensor.Tensor;

/**
 * The independent reference for the transformer tests: plain double loops over [T][dim] arrays, one sequence at a
 * time, with none of the tensor engine's kernels. Each function is the textbook formula.
 */
final class Naive {
    private Naive() {}

    /** Rows of a 2-d tensor. */
    static double[][] matrix(Tensor t) {
        int r = t.size(0), c = t.size(1);
        double[] flat = t.toDoubleArray();
        double[][] m = new double[r][c];
        for (int i = 0; i < r; i++) System.arraycopy(flat, i * c, m[i], 0, c);
        return m;
    }

    static double[][] weight(Module m, String name) {
        Tensor t = m.stateDict().get(name);
        if (t == null) throw new IllegalArgumentException("no parameter " + name + " in " + m.stateDict().keySet());
        return matrix(t);
    }

    static double[] vector(Module m, String name) {
        return m.stateDict().get(name).toDoubleArray();
    }

    /** Sequence b of a [B, T, D] tensor. */
    static double[][] sequence(Tensor x, int b) {
        return matrix(x.select(0, b).contiguous());
    }

    static double[][] linear(double[][] x, double[][] w, double[] bias) {
        double[][] y = new double[x.length][w.length];
        for (int t = 0; t < x.length; t++) {
            for (int o = 0; o < w.length; o++) {
                double s = bias == null ? 0 : bias[o];
                for (int i = 0; i < w[o].length; i++) s += w[o][i] * x[t][i];
                y[t][o] = s;
            }
        }
        return y;
    }

    static double[][] linear(double[][] x, Map<String, Tensor> state, String prefix) {
        Tensor b = state.get(prefix + ".bias");
        return linear(x, matrix(state.get(prefix + ".weight")), b == null ? null : b.toDoubleArray());
    }

    static double[][] rmsNorm(double[][] x, double[] w, double eps) {
        double[][] y = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            double ss = 0;
            for (double v : x[t]) ss += v * v;
            double inv = 1 / Math.sqrt(ss / x[t].length + eps);
            y[t] = new double[x[t].length];
            for (int i = 0; i < x[t].length; i++) y[t][i] = x[t][i] * inv * w[i];
        }
        return y;
    }

    static double[][] add(double[][] a, double[][] b) {
        double[][] y = new double[a.length][];
        for (int t = 0; t < a.length; t++) {
            y[t] = new double[a[t].length];
            for (int i = 0; i < a[t].length; i++) y[t][i] = a[t][i] + b[t][i];
        }
        return y;
    }

    static double silu(double v) {
        return v / (1 + Math.exp(-v));
    }

    static double geluTanh(double v) {
        return 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
    }

    /** Rotates each head of x [T][heads*d] by position[t] * invFreq, pairs (j, j+d/2) or (2j, 2j+1). */
    static double[][] rope(double[][] x, int heads, int d, long[] positions, double[] invFreq, boolean interleaved) {
        double[][] y = new double[x.length][x[0].length];
        for (int t = 0; t < x.length; t++) {
            for (int h = 0; h < heads; h++) {
                for (int j = 0; j < d / 2; j++) {
                    int ia = h * d + (interleaved ? 2 * j : j), ib = h * d + (interleaved ? 2 * j + 1 : j + d / 2);
                    double angle = positions[t] * invFreq[j], c = Math.cos(angle), s = Math.sin(angle);
                    y[t][ia] = x[t][ia] * c - x[t][ib] * s;
                    y[t][ib] = x[t][ib] * c + x[t][ia] * s;
                }
            }
        }
        return y;
    }

    /** Default RoPE frequencies theta^(-2j/d). */
    static double[] invFreq(int d, double theta) {
        double[] f = new double[d / 2];
        for (int j = 0; j < f.length; j++) f[j] = Math.pow(theta, -2.0 * j / d);
        return f;
    }

    /**
     * Multi-head attention of one sequence: q [Tq][H*d], k, v [Tk][Hkv*d]; query head h reads kv head h / (H/Hkv).
     * bias[h][i][j] is added to the scores (null for none); allowed[i][j] false masks a key.
     */
    static double[][] attention(double[][] q, double[][] k, double[][] v, int heads, int kvHeads, int d, double scale,
                                double[][][] bias, boolean[][] allowed) {
        int tq = q.length, tk = k.length, group = heads / kvHeads;
        double[][] out = new double[tq][heads * d];
        for (int h = 0; h < heads; h++) {
            int kh = h / group;
            for (int i = 0; i < tq; i++) {
                double[] s = new double[tk];
                double max = Double.NEGATIVE_INFINITY;
                boolean any = false;
                for (int j = 0; j < tk; j++) {
                    if (allowed != null && !allowed[i][j]) { s[j] = Double.NEGATIVE_INFINITY; continue; }
                    double dot = 0;
                    for (int c = 0; c < d; c++) dot += q[i][h * d + c] * k[j][kh * d + c];
                    s[j] = dot * scale + (bias == null ? 0 : bias[h][i][j]);
                    max = Math.max(max, s[j]);
                    any = true;
                }
                double sum = 0;
                for (int j = 0; j < tk; j++) {
                    s[j] = any ? (s[j] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(s[j] - max)) : 1;
                    sum += s[j];
                }
                for (int j = 0; j < tk; j++) {
                    for (int c = 0; c < d; c++) out[i][h * d + c] += s[j] / sum * v[j][kh * d + c];
                }
            }
        }
        return out;
    }

    /** HF T5's _relative_position_bucket, transcribed in double arithmetic. */
    static int bucket(int rel, boolean bidirectional, int numBuckets, int maxDistance) {
        int ret = 0, n = numBuckets;
        if (bidirectional) {
            n /= 2;
            if (rel > 0) ret += n;
            rel = Math.abs(rel);
        } else {
            rel = Math.max(-rel, 0);
        }
        int maxExact = n / 2;
        if (rel < maxExact) return ret + rel;
        int large = maxExact + (int) Math.floor(Math.log((double) rel / maxExact) / Math.log((double) maxDistance / maxExact) * (n - maxExact));
        return ret + Math.min(large, n - 1);
    }

    static double maxAbsDiff(double[][] a, Tensor b, int batch) {
        double[][] m = sequence(b, batch);
        double max = 0;
        for (int t = 0; t < a.length; t++) for (int i = 0; i < a[t].length; i++) max = Math.max(max, Math.abs(a[t][i] - m[t][i]));
        return max;
    }
}
