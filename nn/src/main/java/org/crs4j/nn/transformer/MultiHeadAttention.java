package org.crs4j.nn.transformer;

import java.util.Arrays;
import org.crs4j.autograd.GradMode;
import org.crs4j.autograd.Variable;
import org.crs4j.nn.Linear;
import org.crs4j.nn.Module;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;

/**
 * Multi-head scaled dot-product attention, general enough for both model families crs4j loads:
 * <ul>
 *   <li>LLaMA: rotary positions, grouped key/value heads (GQA; MQA with one kv head), 1/sqrt(d) scaling, causal mask,
 *       key/value cache, projections {@code q_proj k_proj v_proj o_proj};</li>
 *   <li>T5: relative position bias (added to the scores, first layer only), no scaling, cross-attention over the
 *       encoder output with its keys/values computed once per prompt, projections {@code q k v o}.</li>
 * </ul>
 * Everything is composed from {@link Variable} ops (matmul, softmax, the rope primitive), so it differentiates for
 * free. Grouped heads are computed without repeating K and V: the queries sharing a kv head are stacked along the
 * query axis ([B, kvHeads, group * Tq, d]) and meet that head's keys in one product.
 */
public final class MultiHeadAttention extends Module {
    /** Hugging Face names of the four projections. */
    public enum Naming {
        LLAMA("q_proj", "k_proj", "v_proj", "o_proj"),
        T5("q", "k", "v", "o");

        final String q, k, v, o;

        Naming(String q, String k, String v, String o) {
            this.q = q;
            this.k = k;
            this.v = v;
            this.o = o;
        }
    }

    private final Linear q, k, v, o;
    private final int numHeads, numKvHeads, headDim;
    private final double scale;
    private final RelativePositionBias relativeBias;

    /**
     * @param scale multiplies the scores: 1/sqrt(headDim) for LLaMA, 1 for T5 (which folds it into its initialisation)
     * @param relativeBias T5's bias module for the first layer of a stack, else null
     * @param rng initialiser; null for placeholders that a checkpoint will replace
     */
    public MultiHeadAttention(int modelDim, int numHeads, int numKvHeads, int headDim, boolean bias, double scale,
                              Naming naming, RelativePositionBias relativeBias, Generator rng) {
        if (numHeads <= 0 || numKvHeads <= 0 || headDim <= 0 || numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException("attention needs heads divisible by kv heads, got " + numHeads + " heads, "
                    + numKvHeads + " kv heads, head dim " + headDim);
        }
        this.numHeads = numHeads;
        this.numKvHeads = numKvHeads;
        this.headDim = headDim;
        this.scale = scale;
        this.q = child(naming.q, new Linear(modelDim, numHeads * headDim, bias, rng));
        this.k = child(naming.k, new Linear(modelDim, numKvHeads * headDim, bias, rng));
        this.v = child(naming.v, new Linear(modelDim, numKvHeads * headDim, bias, rng));
        this.o = child(naming.o, new Linear(numHeads * headDim, modelDim, bias, rng));
        this.relativeBias = relativeBias == null ? null : child("relative_attention_bias", relativeBias);
    }

    /**
     * Self-attention of x [B, T, modelDim].
     *
     * @param bias additive, broadcastable to [B, heads, T, keys]: masks ({@link AttentionMasks#additive}) plus, for T5,
     *             the relative position bias; null for none
     * @param rope angles of the T positions, or null (T5)
     * @param cache this layer's cache, or null: with a cache, keys and values of the T new positions are appended and
     *              the queries attend to everything cached (keys = cached length)
     */
    public Variable forward(Variable x, Variable bias, RotaryEmbedding.Angles rope, KVCache.Layer cache) {
        int b = x.size(0), t = x.size(1);
        Variable qh = heads(q.forward(x), b, t, numHeads);
        Variable kh = heads(k.forward(x), b, t, numKvHeads);
        Variable vh = heads(v.forward(x), b, t, numKvHeads);
        if (rope != null) {
            qh = rope.rotate(qh);
            kh = rope.rotate(kh);
        }
        if (cache != null) {
            requireInference(kh, vh);
            Tensor[] kv = cache.append(kh.data(), vh.data());
            kh = Variable.constant(kv[0]);
            vh = Variable.constant(kv[1]);
        }
        return o.forward(merge(attend(qh, kh, vh, bias, scale), b, t));
    }

    /**
     * Cross-attention of x [B, T, modelDim] over memory [B, S, memoryDim] (the encoder output). With a cache, the
     * keys and values of memory are computed on the first call and reused afterwards (memory may then be null).
     */
    public Variable forwardCross(Variable x, Variable memory, Variable bias, KVCache.Layer cache) {
        int b = x.size(0), t = x.size(1);
        Variable qh = heads(q.forward(x), b, t, numHeads);
        Variable kh, vh;
        if (cache != null && cache.length() > 0) {
            Tensor[] kv = cache.cached();
            kh = Variable.constant(kv[0]);
            vh = Variable.constant(kv[1]);
        } else {
            if (memory == null) throw new IllegalArgumentException("cross-attention needs the encoder output on its first call");
            if (cache != null) {
                Tensor[] kv = fillCache(memory, cache);
                kh = Variable.constant(kv[0]);
                vh = Variable.constant(kv[1]);
            } else {
                kh = heads(k.forward(memory), memory.size(0), memory.size(1), numKvHeads);
                vh = heads(v.forward(memory), memory.size(0), memory.size(1), numKvHeads);
            }
        }
        return o.forward(merge(attend(qh, kh, vh, bias, scale), b, t));
    }

    /**
     * Computes the keys and values of memory [B, S, modelDim] into cache, replacing what it held, and returns views of
     * them. {@link #forwardCross} does this on its first call; T5 calls it directly to project each distinct prompt's
     * encoder output once and then spread the cache over the rows (beams) that share the prompt.
     */
    public Tensor[] fillCache(Variable memory, KVCache.Layer cache) {
        int b = memory.size(0), s = memory.size(1);
        Variable kh = heads(k.forward(memory), b, s, numKvHeads), vh = heads(v.forward(memory), b, s, numKvHeads);
        requireInference(kh, vh);
        return cache.fill(kh.data(), vh.data());
    }

    private static void requireInference(Variable k, Variable v) {
        if (GradMode.enabled() && (k.requiresGrad() || v.requiresGrad())) {
            throw new IllegalStateException("a KV cache keeps plain tensors: decode under GradMode.off(), or score full"
                    + " sequences without a cache to get gradients");
        }
    }

    /** [B, T, H*d] -> [B, H, T, d]. */
    private Variable heads(Variable x, int b, int t, int h) {
        return x.view(b, t, h, headDim).transpose(1, 2);
    }

    /** [B, H, T, d] -> [B, T, H*d]. */
    private Variable merge(Variable x, int b, int t) {
        return x.transpose(1, 2).reshape(b, t, numHeads * headDim);
    }

    /**
     * softmax(q k^T * scale + bias) v for q [B, H, Tq, d] and k, v [B, Hkv, Tk, d] with H a multiple of Hkv
     * (query head h uses kv head h / (H / Hkv), as Hugging Face's repeat_kv); bias broadcasts to [B, H, Tq, Tk].
     * Softmax is in F32 whatever the storage dtype of the inputs. Returns [B, H, Tq, d].
     */
    public static Variable attend(Variable q, Variable k, Variable v, Variable bias, double scale) {
        int b = q.size(0), h = q.size(1), tq = q.size(2), d = q.size(3);
        int hkv = k.size(1), tk = k.size(2);
        if (k.dim() != 4 || v.dim() != 4 || h % hkv != 0 || k.size(3) != d || v.size(1) != hkv || v.size(2) != tk) {
            throw new IllegalArgumentException("attention shapes do not fit: q " + Arrays.toString(q.shape()) + ", k "
                    + Arrays.toString(k.shape()) + ", v " + Arrays.toString(v.shape()));
        }
        int group = h / hkv;
        // the scale multiplies q, not the scores: Tq x d values instead of Tq x Tk (a quarter of them at 128 tokens
        // and 32 dims per head), forward and backward
        Variable qs = scale != 1 ? q.mul(scale) : q;
        Variable qg = group == 1 ? qs : qs.reshape(b, hkv, group * tq, d);
        Variable scores = qg.matmul(k.mT());
        if (group != 1) scores = scores.view(b, h, tq, tk);
        if (bias != null) scores = scores.add(bias);
        Variable p = scores.softmax(-1);
        if (group != 1) p = p.view(b, hkv, group * tq, tk);
        Variable out = p.matmul(v);
        return group == 1 ? out : out.view(b, h, tq, v.size(3));
    }

    public RelativePositionBias relativeBias() {
        return relativeBias;
    }

    public int numHeads() {
        return numHeads;
    }

    public int numKvHeads() {
        return numKvHeads;
    }

    public int headDim() {
        return headDim;
    }

    public double scale() {
        return scale;
    }

    public Linear qProj() {
        return q;
    }

    public Linear kProj() {
        return k;
    }

    public Linear vProj() {
        return v;
    }

    public Linear oProj() {
        return o;
    }
}
