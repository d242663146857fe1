package org.crs4j.tensor.cpu;

import static org.crs4j.tensor.cpu.FloatRuns.F;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Shape;
import org.crs4j.tensor.Tensor;

/**
 * Scaled dot-product attention, {@code softmax((q·scale)·k^T + bias)·v}, with grouped key/value heads (the scale
 * multiplies q, Tq×d values, rather than the Tq×Tk scores; both strategies and the backward do the same).
 *
 * <p>Two strategies, chosen by shape alone (so a given call always takes the same one):
 * <ul>
 *   <li>few queries per key/value head (token-by-token decoding: one query row per head, or a short prompt): each
 *       query row streams the keys and values once — its scores, their softmax and the weighted sum of values in one
 *       pass over a row-sized scratch buffer, reading the keys and values in place (a KV cache's buffers). Composed
 *       from matmul, mul, add, softmax and matmul instead, the same work costs about ten tensor ops per layer and
 *       token, each with its own allocations, checks and dispatch: half of stories260K's decoding time.</li>
 *   <li>many queries (training, long prompts): the composition itself — two batched GEMMs around the row softmax —
 *       whose cache blocking wins once there are enough rows to block.</li>
 * </ul>
 * F64 inputs (gradient checks) always take the composition, in F64.
 */
final class AttentionKernel {
    private AttentionKernel() {}

    private static final int L = F.length();
    /**
     * Most query rows per key/value head (group size × queries) streamed row by row; more go through GEMM. Up to this
     * many, the composition runs q·k^T as matrix-vector products and p·v as a direct small product, whose sums have
     * the same order as the streamed kernel's: both strategies give the same bits there, up to 256 keys (beyond, the
     * GEMM sums p·v in blocks of 256 keys).
     */
    static final int MAX_STREAMED_ROWS = Matvec.MAX_VECTORS;

    static Tensor attention(Tensor q, Tensor k, Tensor v, Tensor bias, double scale) {
        if (q.dim() != 4 || k.dim() != 4 || v.dim() != 4) {
            throw new IllegalArgumentException("attention needs q [B, H, Tq, d], k [B, Hkv, Tk, d], v [B, Hkv, Tk, dv], got "
                    + Arrays.toString(q.shape()) + ", " + Arrays.toString(k.shape()) + ", " + Arrays.toString(v.shape()));
        }
        int b = q.size(0), h = q.size(1), tq = q.size(2), d = q.size(3);
        int hkv = k.size(1), tk = k.size(2), dv = v.size(3);
        if (k.size(0) != b || v.size(0) != b || v.size(1) != hkv || v.size(2) != tk || k.size(3) != d || hkv == 0 || h % hkv != 0) {
            throw new IllegalArgumentException("attention shapes do not fit: q " + Arrays.toString(q.shape()) + ", k "
                    + Arrays.toString(k.shape()) + ", v " + Arrays.toString(v.shape()) + " (heads must be a multiple of kv heads)");
        }
        int[] scoreShape = {b, h, tq, tk};
        if (bias != null) {
            try {
                if (!Arrays.equals(Shape.broadcast(bias.shape(), scoreShape), scoreShape)) throw new IllegalArgumentException();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("attention bias " + Arrays.toString(bias.shape())
                        + " does not broadcast to the scores " + Arrays.toString(scoreShape));
            }
        }
        int group = h / hkv;
        boolean f64 = q.dtype() == DType.F64 || k.dtype() == DType.F64 || v.dtype() == DType.F64
                || (bias != null && bias.dtype() == DType.F64);
        if (f64 || (long) group * tq > MAX_STREAMED_ROWS || tk == 0) return composed(q, k, v, bias, scale, group);
        return streamed(q, k, v, bias, scale, group);
    }

    /** The composition of primitives: the reference semantics, and the strategy for many query rows. */
    static Tensor composed(Tensor q, Tensor k, Tensor v, Tensor bias, double scale, int group) {
        int b = q.size(0), h = q.size(1), tq = q.size(2), hkv = k.size(1), tk = k.size(2);
        Tensor p = q.attentionProbabilities(k, bias, scale);
        if (group != 1) p = p.view(b, hkv, group * tq, tk);
        Tensor out = p.matmul(v);
        return group == 1 ? out : out.view(b, h, tq, v.size(3));
    }

    private static Tensor streamed(Tensor q, Tensor k, Tensor v, Tensor bias, double scale, int group) {
        int b = q.size(0), h = q.size(1), tq = q.size(2), d = q.size(3), tk = k.size(2), dv = v.size(3);
        Tensor qs = Operands.contiguousHeap(q, DType.F32);
        Tensor ks = rowsInPlace(k), vs = rowsInPlace(v);
        Tensor bs = bias == null ? null : Operands.heap(bias, DType.F32).expand(b, h, tq, tk);
        Tensor out = CpuBackend.INSTANCE.zeros(DType.F32, b, h, tq, dv);
        float[] qa = Operands.floats(qs), ka = Operands.floats(ks), va = Operands.floats(vs), y = Operands.floats(out);
        float[] ba = bs == null ? null : Operands.floats(bs);
        int[] kst = ks.strides(), vst = vs.strides(), bst = bs == null ? null : bs.strides();
        int qo = qs.offset(), ko = ks.offset(), vo = vs.offset(), bo = bs == null ? 0 : bs.offset();
        float sc = (float) scale;
        int rows = b * h * tq;
        Parallel.forRange(rows, Parallel.grain(2L * tk * (d + dv)), (r0, r1) -> {
            float[] s = new float[tk], acc = new float[dv], qrow = new float[d];
            for (int r = r0; r < r1; r++) {
                int bi = r / (h * tq), hi = (r / tq) % h, i = r % tq, g = hi / group;
                // scaled like composed's q.mul(scale), so both strategies give the same bits
                for (int t = 0; t < d; t++) qrow[t] = qa[qo + r * d + t] * sc;
                int kbase = ko + bi * kst[0] + g * kst[1], vbase = vo + bi * vst[0] + g * vst[1];
                scores(qrow, 0, ka, kbase, kst[2], tk, d, s);
                if (ba != null) {
                    int brow = bo + bi * bst[0] + hi * bst[1] + i * bst[2];
                    for (int j = 0; j < tk; j++) s[j] += ba[brow + j * bst[3]];
                }
                RowKernels.softmaxRowF32(s, 0, s, 0, tk, false);
                Arrays.fill(acc, 0f);
                for (int j = 0; j < tk; j++) axpy(s[j], va, vbase + j * vst[2], acc, dv);
                System.arraycopy(acc, 0, y, r * dv, dv);
            }
        });
        return out;
    }

    /** The operand itself when it is heap F32 with unit stride along its last dim (a KV cache), else a copy that is. */
    private static Tensor rowsInPlace(Tensor t) {
        CpuStorage s = (CpuStorage) t.storage();
        if (s.floats() != null && (t.stride(3) == 1 || t.size(3) == 1)) return t;
        return Operands.contiguousHeap(t, DType.F32);
    }

    /**
     * s[j] = q[qo ..]·k[ko + j·ks ..] over d elements for j < tk, each as {@link #dot} sums it. Keys go four at a time:
     * each sum is one dependent chain (of d scalar FMAs for heads narrower than a vector, as stories260K's 8-dim
     * ones), and four independent chains keep the FMA units busy where one would wait on its own latency.
     */
    private static void scores(float[] q, int qo, float[] k, int ko, int ks, int tk, int d, float[] s) {
        int j = 0;
        if (d < L) {
            for (; j + 4 <= tk; j += 4) {
                int k0 = ko + j * ks, k1 = k0 + ks, k2 = k1 + ks, k3 = k2 + ks;
                float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
                for (int p = 0; p < d; p++) {
                    float x = q[qo + p];
                    s0 = Math.fma(k[k0 + p], x, s0);
                    s1 = Math.fma(k[k1 + p], x, s1);
                    s2 = Math.fma(k[k2 + p], x, s2);
                    s3 = Math.fma(k[k3 + p], x, s3);
                }
                s[j] = s0;
                s[j + 1] = s1;
                s[j + 2] = s2;
                s[j + 3] = s3;
            }
        }
        for (; j < tk; j++) s[j] = dot(q, qo, k, ko + j * ks, d);
    }

    /**
     * x[xo ..]·w[wo ..] over n elements: one vector accumulator over whole vectors, its lanes added pairwise, then the
     * scalar rest (the same order as a matrix-vector row).
     */
    private static float dot(float[] x, int xo, float[] w, int wo, int n) {
        int p = 0;
        float sum = 0f;
        if (n >= L) {
            FloatVector a = FloatVector.zero(F);
            for (; p + L <= n; p += L) a = FloatVector.fromArray(F, w, wo + p).fma(FloatVector.fromArray(F, x, xo + p), a);
            for (VectorShuffle<Float> h : VectorMath.HALVES) a = a.add(a.rearrange(h));
            sum = a.lane(0);
        }
        for (; p < n; p++) sum = Math.fma(w[wo + p], x[xo + p], sum);
        return sum;
    }

    /** acc[c] = fma(a, w[wo + c], acc[c]) for c < n. */
    private static void axpy(float a, float[] w, int wo, float[] acc, int n) {
        int c = 0;
        if (n >= L) {
            FloatVector av = FloatVector.broadcast(F, a);
            for (; c + L <= n; c += L) {
                FloatVector.fromArray(F, w, wo + c).fma(av, FloatVector.fromArray(F, acc, c)).intoArray(acc, c);
            }
        }
        for (; c < n; c++) acc[c] = Math.fma(w[wo + c], a, acc[c]);
    }

}
