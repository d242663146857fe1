package org.crs4j.nn.transformer;

import java.util.Arrays;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;

/**
 * Attention masks: BOOL "may attend" tensors and their additive form. A masked score gets the most negative F32
 * (torch.finfo(float32).min, as Hugging Face uses) rather than -inf, so that a query with every key masked (a padding
 * position) gets a uniform distribution instead of NaN, and adding a relative position bias cannot produce inf - inf.
 */
public final class AttentionMasks {
    private AttentionMasks() {}

    /** The value added to masked scores. */
    public static final float MASKED = -Float.MAX_VALUE;

    /** [queries, keys]: query i (at absolute position offset + i) may attend key j iff j <= offset + i. */
    public static Tensor causal(int queries, int keys, int offset) {
        return Tensor.trilMask(queries, keys, offset);
    }

    /** A key mask [B, keys] (BOOL or 0/1 integers, true = real token) as [B, 1, 1, keys]. */
    public static Tensor keyPadding(Tensor keyMask) {
        if (keyMask.dim() != 2) {
            throw new IllegalArgumentException("key mask must be [batch, keys], got " + Arrays.toString(keyMask.shape()));
        }
        Tensor m = keyMask.dtype() == DType.BOOL ? keyMask : keyMask.ne(0);
        return m.unsqueeze(1).unsqueeze(1);
    }

    /** Causal and key padding together: [B, 1, queries, keys]. keyMask may be null (no padding). */
    public static Tensor causalWithPadding(Tensor keyMask, int queries, int offset) {
        int keys = keyMask == null ? offset + queries : keyMask.size(1);
        Tensor causal = causal(queries, keys, offset).unsqueeze(0).unsqueeze(0);
        return keyMask == null ? causal : causal.and(keyPadding(keyMask));
    }

    /** 0 where allowed, {@link #MASKED} elsewhere (F32, same shape). */
    public static Tensor additive(Tensor allowed) {
        return Tensor.zeros(allowed.shape()).maskedFill(allowed.not(), MASKED);
    }
}
