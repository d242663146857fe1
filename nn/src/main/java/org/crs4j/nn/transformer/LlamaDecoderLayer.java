package org.crs4j.nn.transformer;

import org.crs4j.autograd.Variable;
import org.crs4j.nn.Module;
import org.crs4j.nn.RMSNorm;
import org.crs4j.tensor.Generator;

/**
 * A LLaMA decoder block (pre-norm, Hugging Face's LlamaDecoderLayer):
 * <pre>
 *   h   = x + self_attn(input_layernorm(x))          causal, rotary, grouped kv heads
 *   out = h + mlp(post_attention_layernorm(h))       SwiGLU
 * </pre>
 */
public final class LlamaDecoderLayer extends Module {
    private final RMSNorm inputNorm, postAttentionNorm;
    private final MultiHeadAttention attention;
    private final FeedForward mlp;

    /**
     * @param rng initialiser; null for placeholders that a checkpoint will replace
     */
    public LlamaDecoderLayer(int dim, int numHeads, int numKvHeads, int headDim, int hiddenDim, double rmsEps,
                             boolean attentionBias, boolean mlpBias, Generator rng) {
        this.attention = child("self_attn", new MultiHeadAttention(dim, numHeads, numKvHeads, headDim, attentionBias,
                1 / Math.sqrt(headDim), MultiHeadAttention.Naming.LLAMA, null, rng));
        this.mlp = child("mlp", new FeedForward(FeedForward.Kind.SWIGLU, dim, hiddenDim, mlpBias, 0, rng));
        this.inputNorm = child("input_layernorm", new RMSNorm(dim, rmsEps));
        this.postAttentionNorm = child("post_attention_layernorm", new RMSNorm(dim, rmsEps));
    }

    /**
     * @param x    [B, T, dim]
     * @param mask additive, broadcastable to [B, heads, T, keys] (causal and padding, see {@link AttentionMasks})
     * @param rope angles of the T positions
     * @param cache this layer's KV cache, or null
     */
    public Variable forward(Variable x, Variable mask, RotaryEmbedding.Angles rope, KVCache.Layer cache) {
        Variable h = x.add(attention.forward(inputNorm.forward(x), mask, rope, cache));
        return h.add(mlp.forward(postAttentionNorm.forward(h)));
    }

    public MultiHeadAttention attention() {
        return attention;
    }

    public FeedForward mlp() {
        return mlp;
    }
}
