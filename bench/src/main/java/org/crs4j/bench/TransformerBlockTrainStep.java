package org.crs4j.bench;

import org.crs4j.autograd.Variable;
import org.crs4j.nn.optim.AdamW;
import org.crs4j.nn.transformer.AttentionMasks;
import org.crs4j.nn.transformer.LlamaDecoderLayer;
import org.crs4j.nn.transformer.RotaryEmbedding;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;

/**
 * One training step of a LLaMA decoder block, the workload of {@link TransformerBlockTrainStepBenchmark} (and, line
 * for line, of {@code scripts/bench_transformer_block.py}):
 * <ol>
 *   <li>forward: RMSNorm, causal self-attention with rotary positions (HF rotate_half pairing, theta 10,000) and
 *       grouped kv heads, residual, RMSNorm, SwiGLU feed-forward, residual; no biases;</li>
 *   <li>loss = mean(y * r) for a fixed random r of y's shape;</li>
 *   <li>backward, AdamW (lr 1e-4, betas (0.9, 0.999), eps 1e-8, weight decay 0.01), zero the gradients.</li>
 * </ol>
 * The default size, {@link #DEFAULT}: batch 8 x 128 tokens, model dim 256, 8 heads of 32 with 4 kv heads, SwiGLU
 * hidden 688 (725,504 parameters).
 */
public final class TransformerBlockTrainStep {
    /** batch, seq, dim, heads, kv heads, hidden. */
    public record Size(int batch, int seq, int dim, int heads, int kvHeads, int hidden) {
        @Override
        public String toString() {
            return "batch " + batch + " x " + seq + " tokens, dim " + dim + ", " + heads + " heads of " + dim / heads
                    + " (" + kvHeads + " kv heads), SwiGLU hidden " + hidden;
        }
    }

    public static final Size DEFAULT = new Size(8, 128, 256, 8, 4, 688);

    private final Size size;
    private final LlamaDecoderLayer block;
    private final AdamW optimizer;
    private final Tensor x, r;
    private final Variable mask;
    private final RotaryEmbedding.Angles angles;

    public TransformerBlockTrainStep(Size s) {
        this.size = s;
        Generator rng = new Generator(1);
        int headDim = s.dim() / s.heads();
        block = new LlamaDecoderLayer(s.dim(), s.heads(), s.kvHeads(), headDim, s.hidden(), 1e-5, false, false, rng);
        optimizer = new AdamW(block.namedParameters(), 1e-4, 0.01);   // betas (0.9, 0.999), eps 1e-8: torch's defaults
        x = Tensor.randn(rng, s.batch(), s.seq(), s.dim());
        r = Tensor.randn(rng, s.batch(), s.seq(), s.dim());
        mask = Variable.constant(AttentionMasks.additive(AttentionMasks.causal(s.seq(), s.seq(), 0)));
        angles = new RotaryEmbedding(headDim, 10000, null, RotaryEmbedding.Pairing.HALF).angles(s.batch(), 0, s.seq());
    }

    /** Forward, backward, AdamW update, zeroed gradients; returns the loss. */
    public double step() {
        Variable loss = forward();
        loss.backward();
        optimizer.step();
        optimizer.zeroGrad();
        return loss.item();
    }

    /** The forward pass and the loss, recorded for backward. */
    public Variable forward() {
        return block.forward(Variable.constant(x), mask, angles, null).mul(Variable.constant(r)).mean();
    }

    public AdamW optimizer() {
        return optimizer;
    }

    public long parameterCount() {
        return block.parameterCount();
    }

    public Size size() {
        return size;
    }
}
