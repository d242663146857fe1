package org.crs4j.bench;

import org.crs4j.autograd.Variable;
import org.crs4j.nn.transformer.AttentionMasks;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;

/**
 * The attention benchmark's workload (and, line for line, {@code scripts/bench_attention.py}'s): one batch of
 * {@code seq} queries attending to {@code seq} keys through the engine's attention op
 * ({@link Tensor#attention}, {@link Variable#attention}), softmax(q·k^T/sqrt(d) + mask)·v, at the head shapes of
 * two models:
 * <ul>
 *   <li>{@code t5-large}: Flan-T5-Large, 16 heads of 64;</li>
 *   <li>{@code llama-7b}: LLaMA-7B, 32 heads of 128;</li>
 *   <li>{@code llama-7b-gqa}: the same with grouped-query attention, 8 key/value heads (4 query heads per key/value
 *       head, the ratio of LLaMA-2-70B and LLaMA-3-8B).</li>
 * </ul>
 * Causal attention adds the additive causal mask [seq, seq] (0 or -Float.MAX_VALUE, {@code AttentionMasks}' form)
 * as the bias, as the decoder layers do; neither side skips the masked half of the scores.
 *
 * <p>FLOPs counted are the model's: 2·d per (query, key) pair for the scores and 2·d for the weighted values
 * forward, twice that backward (dV, dP, dQ, dK; the recomputation of the probabilities is not counted), over the
 * pairs the mask allows: seq² without a mask, seq(seq+1)/2 with the causal one. Inputs are standard normal, and the
 * backward pass is driven by a fixed standard-normal output gradient.
 */
public final class AttentionWorkload {
    /** Head layout of a model: query heads, key/value heads, head dim. */
    public record Heads(String name, int heads, int kvHeads, int headDim) {
        public static Heads named(String name) {
            return switch (name) {
                case "t5-large" -> new Heads(name, 16, 16, 64);
                case "llama-7b" -> new Heads(name, 32, 32, 128);
                case "llama-7b-gqa" -> new Heads(name, 32, 8, 128);
                default -> throw new IllegalArgumentException("attention shape " + name + ": t5-large, llama-7b or llama-7b-gqa");
            };
        }
    }

    private final Heads heads;
    private final int seq;
    private final boolean causal;
    private final double scale;
    private final Tensor q, k, v, bias, gradOut;
    private final Variable qv, kv, vv, biasv;

    public AttentionWorkload(String shape, int seq, boolean causal) {
        if (seq < 1) throw new IllegalArgumentException("attention sequence length must be >= 1, got " + seq);
        this.heads = Heads.named(shape);
        this.seq = seq;
        this.causal = causal;
        this.scale = 1 / Math.sqrt(heads.headDim());
        Generator rng = new Generator(42);
        int d = heads.headDim();
        q = Tensor.randn(rng, 1, heads.heads(), seq, d);
        k = Tensor.randn(rng, 1, heads.kvHeads(), seq, d);
        v = Tensor.randn(rng, 1, heads.kvHeads(), seq, d);
        gradOut = Tensor.randn(rng, 1, heads.heads(), seq, d);
        bias = causal ? AttentionMasks.additive(AttentionMasks.causal(seq, seq, 0)) : null; // as the decoder layers build it
        qv = Variable.parameter(q);
        kv = Variable.parameter(k);
        vv = Variable.parameter(v);
        biasv = bias == null ? null : Variable.constant(bias);
    }

    /** The forward pass: [1, heads, seq, headDim]. */
    public Tensor forward() {
        return q.attention(k, v, bias, scale);
    }

    /** Forward and backward; returns the query gradient (the gradients are cleared first). */
    public Tensor forwardBackward() {
        qv.zeroGrad();
        kv.zeroGrad();
        vv.zeroGrad();
        Variable.attention(qv, kv, vv, biasv, scale).backward(gradOut);
        return qv.grad();
    }

    Variable[] inputs() {
        return new Variable[] {qv, kv, vv};
    }

    Tensor gradOut() {
        return gradOut;
    }

    Tensor bias() {
        return bias;
    }

    public double scale() {
        return scale;
    }

    /** (query, key) pairs the mask allows, per head. */
    public double pairs() {
        return causal ? seq * (seq + 1.0) / 2 : (double) seq * seq;
    }

    public double forwardFlops() {
        return 4.0 * heads.heads() * pairs() * heads.headDim();
    }

    public double forwardBackwardFlops() {
        return 3 * forwardFlops();
    }

    public Heads heads() {
        return heads;
    }
}
