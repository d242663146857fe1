package org.crs4j.nn.transformer;

import org.crs4j.autograd.Variable;
import org.crs4j.nn.Dropout;
import org.crs4j.nn.Linear;
import org.crs4j.nn.Module;
import org.crs4j.tensor.Generator;

/**
 * The position-wise feed-forward network of a transformer block, in the three variants of the models crs4j loads,
 * with Hugging Face's parameter names:
 * <ul>
 *   <li>{@link Kind#RELU} (original T5): {@code wo(dropout(relu(wi x)))};</li>
 *   <li>{@link Kind#GATED_GELU} (T5 v1.1, Flan-T5): {@code wo(dropout(gelu_new(wi_0 x) * wi_1 x))}, gelu_new being the
 *       tanh approximation;</li>
 *   <li>{@link Kind#SWIGLU} (LLaMA): {@code down_proj(silu(gate_proj x) * up_proj x)}.</li>
 * </ul>
 */
public final class FeedForward extends Module {
    public enum Kind { RELU, GATED_GELU, SWIGLU }

    private final Kind kind;
    private final Linear in, gate, out;
    private final Dropout dropout;

    /**
     * @param dropout probability (T5 applies it after the activation; 0 for LLaMA)
     * @param rng initialiser and dropout stream; null for placeholders that a checkpoint will replace (no dropout)
     */
    public FeedForward(Kind kind, int modelDim, int hiddenDim, boolean bias, double dropout, Generator rng) {
        this.kind = kind;
        switch (kind) {
            case RELU -> {
                in = child("wi", new Linear(modelDim, hiddenDim, bias, rng));
                gate = null;
                out = child("wo", new Linear(hiddenDim, modelDim, bias, rng));
            }
            case GATED_GELU -> {
                gate = child("wi_0", new Linear(modelDim, hiddenDim, bias, rng));
                in = child("wi_1", new Linear(modelDim, hiddenDim, bias, rng));
                out = child("wo", new Linear(hiddenDim, modelDim, bias, rng));
            }
            case SWIGLU -> {
                gate = child("gate_proj", new Linear(modelDim, hiddenDim, bias, rng));
                in = child("up_proj", new Linear(modelDim, hiddenDim, bias, rng));
                out = child("down_proj", new Linear(hiddenDim, modelDim, bias, rng));
            }
            default -> throw new IllegalArgumentException("unknown feed-forward kind " + kind);
        }
        this.dropout = dropout > 0 && rng != null ? child("dropout", new Dropout(dropout, rng)) : null;
    }

    public Variable forward(Variable x) {
        Variable h = switch (kind) {
            case RELU -> in.forward(x).relu();
            case GATED_GELU -> gate.forward(x).geluTanh().mul(in.forward(x));
            case SWIGLU -> gate.forward(x).silu().mul(in.forward(x));
        };
        if (dropout != null) h = dropout.forward(h);
        return out.forward(h);
    }

    public Kind kind() {
        return kind;
    }
}
