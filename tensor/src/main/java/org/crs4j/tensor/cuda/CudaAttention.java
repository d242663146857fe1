package org.crs4j.tensor.cuda;

import static org.crs4j.tensor.cuda.CudaTensors.address;
import static org.crs4j.tensor.cuda.CudaTensors.code;

import java.util.Arrays;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Shape;
import org.crs4j.tensor.Tensor;

/**
 * Attention on the GPU with the fused kernels of {@code attention.cu}: {@code attention_decode} for a few query rows
 * (decoding: the keys split across blocks), the FlashAttention-tiled {@code attention_forward_D} otherwise, and the
 * tiled backward ({@code attention_backward_dkdv_D}, {@code attention_backward_dq_D}) from each row's recomputed softmax
 * max and sum.
 * Cases the kernels do not take — F64 inputs (gradient checks), heads wider than 128, no keys, a bias that needs its
 * own gradient (T5's learned relative positions) — run the composition that defines the op, on the GPU's other
 * kernels.
 */
final class CudaAttention {
    /** Query rows per key/value head up to which the split-key decode kernel runs. */
    static final int DECODE_ROWS = 4;
    private static final int BQ = 64, BK = 64, BQ_BWD = 32, DECODE_CHUNK = 256;

    private final CudaBackend backend;
    private final CudaTensors tensors;
    private final CudaDevice cuda;

    CudaAttention(CudaBackend backend) {
        this.backend = backend;
        this.tensors = backend.tensors;
        this.cuda = backend.cuda;
    }

    /** The kernels' head-dim template (16, 32, 64, 128), or 0 when d or dv is wider than 128. */
    static int headTile(int d, int dv) {
        int w = Math.max(d, dv);
        return w <= 16 ? 16 : w <= 32 ? 32 : w <= 64 ? 64 : w <= 128 ? 128 : 0;
    }

    /** Bytes of dynamic shared memory of each kernel for head tile D (as laid out in attention.cu). */
    static int forwardShared(int D) {
        return 4 * (BQ * (D + 1) + BK * (D + 1) + BQ * (BK + 1));
    }

    static int dkdvShared(int D) {
        return 4 * (2 * BK * (D + 1) + 2 * BQ_BWD * (D + 1) + BQ_BWD * (BK + 1) + 3 * BQ_BWD);
    }

    static int dqShared(int D) {
        return 4 * (2 * BQ * (D + 1) + 2 * BK * (D + 1) + BQ * (BK + 1));
    }

    private static void check(Tensor q, Tensor k, Tensor v, Tensor bias) {
        if (q.dim() != 4 || k.dim() != 4 || v.dim() != 4) {
            throw new IllegalArgumentException("attention needs q [B, H, Tq, d], k [B, Hkv, Tk, d], v [B, Hkv, Tk, dv], got "
                    + Arrays.toString(q.shape()) + ", " + Arrays.toString(k.shape()) + ", " + Arrays.toString(v.shape()));
        }
        int b = q.size(0), h = q.size(1), d = q.size(3), hkv = k.size(1), tk = k.size(2);
        if (k.size(0) != b || v.size(0) != b || v.size(1) != hkv || v.size(2) != tk || k.size(3) != d || hkv == 0 || h % hkv != 0) {
            throw new IllegalArgumentException("attention shapes do not fit: q " + Arrays.toString(q.shape()) + ", k "
                    + Arrays.toString(k.shape()) + ", v " + Arrays.toString(v.shape()) + " (heads must be a multiple of kv heads)");
        }
        if (bias != null) {
            int[] scores = {b, h, q.size(2), tk};
            try {
                if (!Arrays.equals(Shape.broadcast(bias.shape(), scores), scores)) throw new IllegalArgumentException();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("attention bias " + Arrays.toString(bias.shape())
                        + " does not broadcast to the scores " + Arrays.toString(scores));
            }
        }
    }

    private static boolean f64(Tensor... ts) {
        for (Tensor t : ts) if (t != null && t.dtype() == DType.F64) return true;
        return false;
    }

    /** The kernels' {@code struct T4}: address (0 when absent), dtype code, four element strides. */
    static long[] t4(Tensor t) {
        if (t == null) return new long[6];
        return new long[] {address(t), code(t.dtype()), t.stride(0), t.stride(1), t.stride(2), t.stride(3)};
    }

    /** The causal mask as an additive bias [Tq, Tk] (for the composed path): -inf where j > i + Tk - Tq. */
    private Tensor causalBias(int tq, int tk) {
        Tensor allowed = Tensor.trilMask(tq, tk, tk - tq);
        return backend.on(Tensor.zeros(tq, tk).maskedFill(allowed.not(), Double.NEGATIVE_INFINITY));
    }

    Tensor forward(Tensor q, Tensor k, Tensor v, Tensor bias, double scale, boolean causal) {
        check(q, k, v, bias);
        int b = q.size(0), h = q.size(1), tq = q.size(2), d = q.size(3), hkv = k.size(1), tk = k.size(2), dv = v.size(3);
        int D = headTile(d, dv);
        if (f64(q, k, v, bias) || D == 0 || tk == 0) {
            Tensor bs = causal ? (bias == null ? causalBias(tq, tk) : bias.add(causalBias(tq, tk))) : bias;
            return composed(q, k, v, bs, scale);
        }
        Tensor out = tensors.empty(DType.F32, b, h, tq, dv);
        if (b * h * tq == 0) return out;
        run(q, k, v, bias, scale, causal, out, null);
        return out;
    }

    /** The fused forward into out (and each row's softmax max and sum into stats [rows, 2] when not null). */
    private void run(Tensor q, Tensor k, Tensor v, Tensor bias, double scale, boolean causal, Tensor out, Tensor stats) {
        int b = q.size(0), h = q.size(1), tq = q.size(2), d = q.size(3), hkv = k.size(1), tk = k.size(2), dv = v.size(3);
        Tensor bs = bias == null ? null : bias.expand(b, h, tq, tk);
        int group = h / hkv;
        if ((long) group * tq <= DECODE_ROWS) {
            int rows = b * h * tq, chunks = (tk + DECODE_CHUNK - 1) / DECODE_CHUNK;
            Tensor partial = tensors.empty(DType.F32, rows, chunks, dv + 2);
            cuda.launch("attention", "attention_decode", rows, chunks, 1, DECODE_CHUNK, 4 * (d + DECODE_CHUNK), t4(q), t4(k),
                    t4(v), t4(bs), h, hkv, tq, tk, d, dv, (float) scale, causal ? 1 : 0, address(partial));
            cuda.launch("attention", "attention_combine", rows, 1, 1, 128, 0, address(partial), chunks, dv, address(out),
                    stats == null ? 0L : address(stats));
            return;
        }
        int D = headTile(d, dv);
        cuda.launch("attention", "attention_forward_" + D, (tq + BQ - 1) / BQ, h, b, 256, forwardShared(D), t4(q), t4(k), t4(v),
                t4(bs), h, hkv, tq, tk, d, dv, (float) scale, causal ? 1 : 0, address(out), stats == null ? 0L : address(stats));
    }

    /** softmax((q scale) k^T + bias) v as the composition of primitives (Tensor.attentionProbabilities). */
    private Tensor composed(Tensor q, Tensor k, Tensor v, Tensor bias, double scale) {
        int b = q.size(0), h = q.size(1), tq = q.size(2), hkv = k.size(1), tk = k.size(2), group = h / hkv;
        Tensor p = q.attentionProbabilities(k, bias, scale);
        if (group != 1) p = p.view(b, hkv, group * tq, tk);
        Tensor out = p.matmul(v);
        return group == 1 ? out : out.view(b, h, tq, v.size(3));
    }

    Tensor[] backward(Tensor q, Tensor k, Tensor v, Tensor bias, double scale, Tensor out, Tensor gradOut, boolean[] needed,
                      boolean causal) {
        check(q, k, v, bias);
        int b = q.size(0), h = q.size(1), tq = q.size(2), d = q.size(3), hkv = k.size(1), tk = k.size(2), dv = v.size(3);
        int D = headTile(d, dv);
        boolean biasGrad = needed.length > 3 && needed[3];
        if (f64(q, k, v, bias, gradOut) || D == 0 || tk == 0 || biasGrad || b * h * tq == 0
                || dkdvShared(D) > cuda.driver().maxSharedPerBlock() || dqShared(D) > cuda.driver().maxSharedPerBlock()) {
            Tensor bs = causal ? (bias == null ? causalBias(tq, tk) : bias.add(causalBias(tq, tk))) : bias;
            return Tensor.attentionBackwardComposed(q, k, v, bs, scale, gradOut, needed);
        }
        Tensor stats = tensors.empty(DType.F32, b, h, tq, 2);
        Tensor recomputed = tensors.empty(DType.F32, b, h, tq, dv);
        run(q, k, v, bias, scale, causal, recomputed, stats);
        Tensor o = tensors.contiguous(out, DType.F32), dO = tensors.contiguous(gradOut, DType.F32);
        int rows = b * h * tq;
        Tensor dRow = tensors.empty(DType.F32, rows);
        cuda.launch("attention", "attention_row_dot", (rows * 32 + 255) / 256, 1, 1, 256, 0, address(dO), address(o), rows, dv,
                address(dRow));
        Tensor bs = bias == null ? null : bias.expand(b, h, tq, tk);
        Tensor dk = tensors.empty(DType.F32, b, hkv, tk, d), dvv = tensors.empty(DType.F32, b, hkv, tk, dv);
        Tensor dq = tensors.empty(DType.F32, b, h, tq, d);
        cuda.launch("attention", "attention_backward_dkdv_" + D, (tk + BK - 1) / BK, hkv, b, 256, dkdvShared(D), t4(q), t4(k),
                t4(v), t4(bs), address(dO), address(stats), address(dRow), h, hkv, tq, tk, d, dv, (float) scale, causal ? 1 : 0, address(dk),
                address(dvv));
        cuda.launch("attention", "attention_backward_dq_" + D, (tq + BQ - 1) / BQ, h, b, 256, dqShared(D), t4(q), t4(k), t4(v),
                t4(bs), address(dO), address(stats), address(dRow), h, hkv, tq, tk, d, dv, (float) scale, causal ? 1 : 0, address(dq));
        Tensor[] grads = new Tensor[needed.length];
        if (needed[0]) grads[0] = dq;
        if (needed[1]) grads[1] = dk;
        if (needed[2]) grads[2] = dvv;
        return grads;
    }
}
