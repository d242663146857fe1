package org.crs4j.nn.transformer;

import org.crs4j.autograd.Variable;
import org.crs4j.nn.Dropout;
import org.crs4j.nn.Module;
import org.crs4j.nn.ModuleList;
import org.crs4j.nn.RMSNorm;
import org.crs4j.tensor.Generator;

/**
 * A T5 encoder or decoder block (pre-norm, Hugging Face's T5Block), parameter names included:
 * <pre>
 *   layer.0  SelfAttention (+ relative_attention_bias in the first block), layer_norm   x += SelfAttention(norm(x))
 *   layer.1  EncDecAttention, layer_norm   (decoder only)                              x += EncDecAttention(norm(x), enc)
 *   layer.1|2 DenseReluDense (ReLU or gated-GELU), layer_norm                           x += DenseReluDense(norm(x))
 * </pre>
 * T5 attention is unscaled and bias-free; its norms are RMS norms without mean or bias. The relative position bias
 * is computed once per stack (by the first block's {@link #relativeBias()}), combined with the mask, and passed to
 * every block as {@code selfBias}.
 */
public final class T5Block extends Module {
    private final boolean decoder;
    private final Sublayer self, cross, ff;

    /** One residual sub-layer: {@code x + dropout(f(layer_norm(x)))}. */
    public static final class Sublayer extends Module {
        private final RMSNorm norm;
        private final MultiHeadAttention attention;
        private final FeedForward feedForward;
        private final Dropout dropout;

        Sublayer(String name, MultiHeadAttention attention, FeedForward feedForward, int dim, double eps, double dropout,
                 Generator rng) {
            this.attention = attention == null ? null : child(name, attention);
            this.feedForward = feedForward == null ? null : child(name, feedForward);
            this.norm = child("layer_norm", new RMSNorm(dim, eps));
            this.dropout = dropout > 0 && rng != null ? child("dropout", new Dropout(dropout, rng)) : null;
        }

        private Variable residual(Variable x, Variable y) {
            return x.add(dropout == null ? y : dropout.forward(y));
        }

        public MultiHeadAttention attention() {
            return attention;
        }

        public FeedForward feedForward() {
            return feedForward;
        }
    }

    /**
     * @param relativeBias whether this block owns the stack's relative position bias (the first block)
     * @param rng initialiser and dropout stream; null for placeholders that a checkpoint will replace
     */
    public T5Block(boolean decoder, boolean relativeBias, int dModel, int numHeads, int dKv, int dFf, FeedForward.Kind ffKind,
                   int numBuckets, int maxDistance, double eps, double dropout, Generator rng) {
        this.decoder = decoder;
        ModuleList<Sublayer> layer = child("layer", new ModuleList<>());
        RelativePositionBias bias = relativeBias ? new RelativePositionBias(numBuckets, maxDistance, numHeads, !decoder, rng) : null;
        self = layer.add(new Sublayer("SelfAttention", new MultiHeadAttention(dModel, numHeads, numHeads, dKv, false, 1.0,
                MultiHeadAttention.Naming.T5, bias, rng), null, dModel, eps, dropout, rng));
        cross = decoder ? layer.add(new Sublayer("EncDecAttention", new MultiHeadAttention(dModel, numHeads, numHeads, dKv,
                false, 1.0, MultiHeadAttention.Naming.T5, null, rng), null, dModel, eps, dropout, rng)) : null;
        ff = layer.add(new Sublayer("DenseReluDense", null, new FeedForward(ffKind, dModel, dFf, false, dropout, rng),
                dModel, eps, dropout, rng));
    }

    /**
     * @param x         [B, T, dModel]
     * @param selfBias  relative position bias plus mask (causal and padding for a decoder), broadcastable to
     *                  [B, heads, T, keys]
     * @param memory    the encoder output [B, S, dModel] (decoder only; may be null once crossCache is filled)
     * @param crossBias the encoder's key padding mask, additive (decoder only), or null
     * @param selfCache decoder self-attention cache, or null
     * @param crossCache decoder cross-attention keys/values of this prompt, or null
     */
    public Variable forward(Variable x, Variable selfBias, Variable memory, Variable crossBias, KVCache.Layer selfCache,
                            KVCache.Layer crossCache) {
        Variable h = self.residual(x, self.attention.forward(self.norm.forward(x), selfBias, null, selfCache));
        if (decoder) h = cross.residual(h, cross.attention.forwardCross(cross.norm.forward(h), memory, crossBias, crossCache));
        return ff.residual(h, ff.feedForward.forward(ff.norm.forward(h)));
    }

    /** Encoder form of {@link #forward}. */
    public Variable forward(Variable x, Variable selfBias) {
        if (decoder) throw new IllegalStateException("a decoder block needs the encoder output");
        return forward(x, selfBias, null, null, null, null);
    }

    /** The stack's relative position bias if this is its first block, else null. */
    public RelativePositionBias relativeBias() {
        return self.attention.relativeBias();
    }

    public boolean isDecoder() {
        return decoder;
    }

    public Sublayer selfAttention() {
        return self;
    }

    public Sublayer crossAttention() {
        return cross;
    }

    public Sublayer feedForward() {
        return ff;
    }
}
