package org.crs4j.models;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;

/**
 * How a model's weights are held once loaded.
 *
 * <ul>
 *   <li>{@link #NONE}: as stored in the checkpoint (F32, BF16, F16), memory-mapped, no copy: loading costs page cache,
 *       not heap, and the weights are exactly the checkpoint's.</li>
 *   <li>{@link #Q8}: every matrix with at least 32 columns (the Linear weights and the embedding tables) quantized to
 *       {@link DType#Q8_0} — blocks of 32 int8 weights with one F32 scale, 1.125 bytes per weight against 2 for BF16
 *       — and every other tensor (norm weights, T5's relative position bias) copied to F32. The result lives in
 *       memory (int8 quants off-heap, scales and small tensors on the heap), so the checkpoint's mapping is released.
 *       Token generation reads every weight once per token, so it runs faster by about the ratio of bytes; each weight
 *       moves by at most 1/254 of the largest magnitude in its block.</li>
 * </ul>
 */
public enum Quantization {
    NONE,
    Q8;

    /** Least columns a matrix needs to be quantized (one block per row at least; narrower matrices stay F32). */
    static final int MIN_COLUMNS = DType.Q8_BLOCK;

    /** {@code none}, {@code q8} (or {@code q8_0}), in any case. */
    public static Quantization parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "none", "no" -> NONE;
            case "q8", "q8_0" -> Q8;
            default -> throw new IllegalArgumentException("unknown quantization \"" + name + "\" (use none or q8)");
        };
    }

    /**
     * The weights as this quantization holds them. NONE returns {@code weights} itself; Q8 returns new in-memory
     * tensors that no longer reference the checkpoint's files, which may then be closed.
     */
    public Map<String, Tensor> apply(Map<String, Tensor> weights) {
        if (this == NONE) return weights;
        Map<String, Tensor> out = new LinkedHashMap<>();
        Map<Tensor, Tensor> done = new java.util.IdentityHashMap<>(); // one copy of a tensor stored under two names
        for (Map.Entry<String, Tensor> e : weights.entrySet()) {
            Tensor t = e.getValue();
            Tensor q = done.get(t);
            if (q == null) {
                boolean matrix = t.dim() == 2 && t.size(1) >= MIN_COLUMNS;
                try {
                    q = matrix ? t.to(DType.Q8_0) : t.dtype() == DType.F32 ? t.copy() : t.to(DType.F32);
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException("tensor \"" + e.getKey() + "\": " + ex.getMessage(), ex);
                }
                done.put(t, q);
            }
            out.put(e.getKey(), q);
        }
        return out;
    }
}
