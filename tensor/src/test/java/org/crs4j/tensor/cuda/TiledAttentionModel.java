package org.crs4j.tensor.cuda;

/**
 * The algorithms of {@code attention.cu}, transcribed to Java in F32 with the kernels' control flow — 64-row query
 * tiles, 64-key tiles, the online softmax (running max, rescaled output and sum, masked keys at -inf), the causal
 * tile bounds, the split-key decode and its combine, the backward's recomputed P = exp(S - m) / l with dK/dV per key tile
 * (looping over the group's query heads and 32-row query tiles from the first one that sees the tile) and dQ per query
 * tile — so that the algorithm the kernels implement is checked against a double-precision reference on machines
 * without a GPU ({@code TiledAttentionModelTest}). What it cannot check is the CUDA itself (thread indexing, shared
 * memory, synchronisation): that is {@code CudaParityTest}'s, on a GPU.
 *
 * <p>Tensors are dense row-major arrays: q [B][H][Tq][d], k [B][Hkv][Tk][d], v [B][Hkv][Tk][dv], bias [B][H][Tq][Tk]
 * (already broadcast) or null.
 */
final class TiledAttentionModel {
    static final int BQ = 64, BK = 64, BQ_BWD = 32, DECODE_CHUNK = 256;

    final int b, h, hkv, tq, tk, d, dv;
    final float[] q, k, v, bias;
    final float scale;
    final boolean causal;

    TiledAttentionModel(int b, int h, int hkv, int tq, int tk, int d, int dv, float[] q, float[] k, float[] v, float[] bias,
                        float scale, boolean causal) {
        this.b = b; this.h = h; this.hkv = hkv; this.tq = tq; this.tk = tk; this.d = d; this.dv = dv;
        this.q = q; this.k = k; this.v = v; this.bias = bias; this.scale = scale; this.causal = causal;
    }

    float q(int bi, int hi, int i, int p) { return q[((bi * h + hi) * tq + i) * d + p]; }
    float k(int bi, int hk, int j, int p) { return k[((bi * hkv + hk) * tk + j) * d + p]; }
    float v(int bi, int hk, int j, int c) { return v[((bi * hkv + hk) * tk + j) * dv + c]; }

    /** finish_score: -inf past Tk or above the causal diagonal, bias added. */
    float finish(float s, int bi, int hi, int i, int j) {
        if (j >= tk) return Float.NEGATIVE_INFINITY;
        if (i >= tq) return s;
        if (causal && j > i + (tk - tq)) return Float.NEGATIVE_INFINITY;
        if (bias != null) s += bias[((bi * h + hi) * tq + i) * tk + j];
        return s;
    }

    float score(int bi, int hi, int i, int j) {
        float s = 0;
        int hk = hi / (h / hkv);
        if (i < tq && j < tk) for (int p = 0; p < d; p++) s = Math.fma(q(bi, hi, i, p) * scale, k(bi, hk, j, p), s);
        return finish(s, bi, hi, i, j);
    }

    /** attention_forward_D: out [B][H][Tq][dv] and stats [B][H][Tq][2] = each row's softmax (max, sum). */
    float[][] forward() {
        float[] out = new float[b * h * tq * dv], stats = new float[2 * b * h * tq];
        for (int bi = 0; bi < b; bi++) {
            for (int hi = 0; hi < h; hi++) {
                int hk = hi / (h / hkv);
                for (int q0 = 0; q0 < tq; q0 += BQ) {
                    float[] m = new float[BQ], l = new float[BQ];
                    float[][] o = new float[BQ][dv];
                    java.util.Arrays.fill(m, Float.NEGATIVE_INFINITY);
                    int lastQuery = Math.min(tq, q0 + BQ) - 1;
                    int keyEnd = causal ? Math.min(tk, lastQuery + (tk - tq) + 1) : tk;
                    for (int k0 = 0; k0 < keyEnd; k0 += BK) {
                        for (int r = 0; r < BQ; r++) {
                            float[] s = new float[BK];
                            float mt = Float.NEGATIVE_INFINITY;
                            for (int c = 0; c < BK; c++) {
                                s[c] = score(bi, hi, q0 + r, k0 + c);
                                mt = jmax(mt, s[c]);
                            }
                            float mNew = jmax(m[r], mt), mUse = mNew == Float.NEGATIVE_INFINITY ? 0 : mNew, rs = 0;
                            for (int c = 0; c < BK; c++) {
                                s[c] = (float) Math.exp(s[c] - mUse);
                                rs += s[c];
                            }
                            float alpha = (float) Math.exp(m[r] - mUse);
                            l[r] = l[r] * alpha + rs;
                            m[r] = mNew;
                            for (int c = 0; c < dv; c++) {
                                o[r][c] *= alpha;
                                for (int j = 0; j < BK; j++) {
                                    float vv = k0 + j < tk ? v(bi, hk, k0 + j, c) : 0f;
                                    o[r][c] = Math.fma(s[j], vv, o[r][c]);
                                }
                            }
                        }
                    }
                    for (int r = 0; r < BQ && q0 + r < tq; r++) {
                        int row = (bi * h + hi) * tq + q0 + r;
                        for (int c = 0; c < dv; c++) out[row * dv + c] = o[r][c] * (1f / l[r]);
                        stats[2 * row] = m[r];
                        stats[2 * row + 1] = l[r];
                    }
                }
            }
        }
        return new float[][] {out, stats};
    }

    /** attention_decode + attention_combine. */
    float[][] decode() {
        int rows = b * h * tq, chunks = (tk + DECODE_CHUNK - 1) / DECODE_CHUNK;
        float[] partial = new float[rows * chunks * (dv + 2)];
        for (int row = 0; row < rows; row++) {
            int i = row % tq, hi = (row / tq) % h, bi = row / (tq * h), hk = hi / (h / hkv);
            for (int chunk = 0; chunk < chunks; chunk++) {
                float[] s = new float[DECODE_CHUNK];
                float m = Float.NEGATIVE_INFINITY;
                for (int t = 0; t < DECODE_CHUNK; t++) {
                    int j = chunk * DECODE_CHUNK + t;
                    s[t] = Float.NEGATIVE_INFINITY;
                    if (j < tk && !(causal && j > i + (tk - tq))) {
                        float acc = 0;
                        for (int p = 0; p < d; p++) acc = Math.fma(q(bi, hi, i, p) * scale, k(bi, hk, j, p), acc);
                        s[t] = bias != null ? acc + bias[((bi * h + hi) * tq + i) * tk + j] : acc;
                    }
                    m = jmax(m, s[t]);
                }
                float mUse = m == Float.NEGATIVE_INFINITY ? 0 : m, l = 0;
                for (int t = 0; t < DECODE_CHUNK; t++) {
                    s[t] = (float) Math.exp(s[t] - mUse);
                    l += s[t];
                }
                int base = (row * chunks + chunk) * (dv + 2), j0 = chunk * DECODE_CHUNK, n = Math.min(DECODE_CHUNK, tk - j0);
                for (int c = 0; c < dv; c++) {
                    float acc = 0;
                    for (int t = 0; t < n; t++) acc = Math.fma(s[t], v(bi, hk, j0 + t, c), acc);
                    partial[base + 2 + c] = acc;
                }
                partial[base] = m;
                partial[base + 1] = l;
            }
        }
        float[] out = new float[rows * dv], stats = new float[2 * rows];
        for (int row = 0; row < rows; row++) {
            float M = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < chunks; c++) M = jmax(M, partial[(row * chunks + c) * (dv + 2)]);
            float mUse = M == Float.NEGATIVE_INFINITY ? 0 : M, L = 0;
            for (int c = 0; c < chunks; c++) {
                int base = (row * chunks + c) * (dv + 2);
                L += partial[base + 1] * (float) Math.exp(partial[base] - mUse);
            }
            for (int col = 0; col < dv; col++) {
                float acc = 0;
                for (int c = 0; c < chunks; c++) {
                    int base = (row * chunks + c) * (dv + 2);
                    acc += partial[base + 2 + col] * (float) Math.exp(partial[base] - mUse);
                }
                out[row * dv + col] = acc / L;
            }
            stats[2 * row] = M;
            stats[2 * row + 1] = L;
        }
        return new float[][] {out, stats};
    }

    /** The backward kernels: {dq, dk, dv} from dO, the forward's output O and each row's softmax (max, sum). */
    float[][] backward(float[] dO, float[] out, float[] stats) {
        int rows = b * h * tq;
        float[] dRow = new float[rows];
        for (int r = 0; r < rows; r++) for (int c = 0; c < dv; c++) dRow[r] += dO[r * dv + c] * out[r * dv + c];
        float[] dk = new float[b * hkv * tk * d], dvv = new float[b * hkv * tk * dv], dq = new float[rows * d];
        int group = h / hkv;
        // attention_backward_dkdv: one key tile at a time
        for (int bi = 0; bi < b; bi++) {
            for (int hk = 0; hk < hkv; hk++) {
                for (int k0 = 0; k0 < tk; k0 += BK) {
                    float[][] gk = new float[BK][d], gv = new float[BK][dv];
                    int firstQuery = causal ? Math.max(0, k0 - (tk - tq)) : 0;
                    for (int hi = hk * group; hi < (hk + 1) * group; hi++) {
                        for (int q0 = (firstQuery / BQ_BWD) * BQ_BWD; q0 < tq; q0 += BQ_BWD) {
                            for (int r = 0; r < BQ_BWD; r++) {
                                int i = q0 + r;
                                if (i >= tq) continue; // P = 0 (L = +inf) and dO = 0 for padded rows
                                int row = (bi * h + hi) * tq + i;
                                for (int c = 0; c < BK; c++) {
                                    int j = k0 + c;
                                    if (j >= tk) continue;
                                    float s = score(bi, hi, i, j);
                                    float p = s == Float.NEGATIVE_INFINITY ? 0f : (float) Math.exp(s - stats[2 * row]) * (1f / stats[2 * row + 1]);
                                    float dp = 0;
                                    for (int t = 0; t < dv; t++) dp = Math.fma(dO[row * dv + t], v(bi, hk, j, t), dp);
                                    float ds = p * (dp - dRow[row]);
                                    for (int t = 0; t < dv; t++) gv[c][t] = Math.fma(p, dO[row * dv + t], gv[c][t]);
                                    for (int t = 0; t < d; t++) gk[c][t] = Math.fma(ds, q(bi, hi, i, t) * scale, gk[c][t]);
                                }
                            }
                        }
                    }
                    for (int c = 0; c < BK && k0 + c < tk; c++) {
                        int row = (bi * hkv + hk) * tk + k0 + c;
                        System.arraycopy(gk[c], 0, dk, row * d, d);
                        System.arraycopy(gv[c], 0, dvv, row * dv, dv);
                    }
                }
            }
        }
        // attention_backward_dq: one query tile at a time
        for (int bi = 0; bi < b; bi++) {
            for (int hi = 0; hi < h; hi++) {
                int hk = hi / group;
                for (int q0 = 0; q0 < tq; q0 += BQ) {
                    int lastQuery = Math.min(tq, q0 + BQ) - 1;
                    int keyEnd = causal ? Math.min(tk, lastQuery + (tk - tq) + 1) : tk;
                    for (int r = 0; r < BQ && q0 + r < tq; r++) {
                        int i = q0 + r, row = (bi * h + hi) * tq + i;
                        float[] g = new float[d];
                        for (int k0 = 0; k0 < keyEnd; k0 += BK) {
                            for (int c = 0; c < BK && k0 + c < tk; c++) {
                                int j = k0 + c;
                                float s = score(bi, hi, i, j);
                                float p = s == Float.NEGATIVE_INFINITY ? 0f : (float) Math.exp(s - stats[2 * row]) * (1f / stats[2 * row + 1]);
                                float dp = 0;
                                for (int t = 0; t < dv; t++) dp = Math.fma(dO[row * dv + t], v(bi, hk, j, t), dp);
                                float ds = p * (dp - dRow[row]);
                                for (int t = 0; t < d; t++) g[t] = Math.fma(ds, k(bi, hk, j, t), g[t]);
                            }
                        }
                        for (int t = 0; t < d; t++) dq[row * d + t] = g[t] * scale;
                    }
                }
            }
        }
        return new float[][] {dq, dk, dvv};
    }

    private static float jmax(float a, float b) {
        return Float.isNaN(a) || Float.isNaN(b) ? Float.NaN : Math.max(a, b);
    }
}
