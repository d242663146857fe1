package org.crs4j.nn.loss;

import org.crs4j.autograd.Variable;

/**
 * How a loss reduces its per-element values, as torch's {@code reduction=} argument. {@link #BATCHMEAN} exists only
 * for {@link Losses#klDiv}, where it is the mathematically correct KL divergence per sample.
 */
public enum Reduction {
    /** Per-element losses, unreduced. */
    NONE,
    /** Sum of all elements. */
    SUM,
    /** Mean over all elements (or, for losses with an ignore index, over the non-ignored ones). */
    MEAN,
    /** Sum divided by the size of the first dimension (torch kl_div's {@code 'batchmean'}). */
    BATCHMEAN;

    /** Reduces {@code perElement} by plain sum or mean over all elements. */
    Variable apply(Variable perElement) {
        return switch (this) {
            case NONE -> perElement;
            case SUM -> perElement.sum();
            // torch: the mean of zero elements is NaN; 0/0 gives exactly that
            case MEAN -> perElement.sum().div(perElement.data().numel());
            case BATCHMEAN -> {
                if (perElement.dim() == 0) throw new IllegalArgumentException("batchmean needs at least 1 dim, got a scalar");
                yield perElement.sum().div(perElement.size(0));
            }
        };
    }
}
