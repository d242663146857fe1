package org.crs4j.crs.rec;

import java.util.List;
import org.crs4j.tensor.Tensor;

/**
 * A batch of conversation contexts as the pooling layers read them: each context's most recent {@code maxContext}
 * entities (oldest first), right-padded to the longest.
 *
 * @param ids         entity ids {@code [B, L]} (I64; 0 at padding)
 * @param weights     Eq. 3's recency weights {@code [B, L, 1]}: lambda^(i-1) / sum_j lambda^(j-1) for the i-th kept
 *                    entity, 0 at padding (and everywhere for an empty context, whose pooled vector is then 0)
 * @param lastIds     the most recent entity of each context {@code [B]} (0 for an empty one)
 * @param lastWeights its weight {@code [B, 1]} (0 for an empty context, so the intervention changes nothing there)
 * @param padding     {@code [B, L, 1]} BOOL, true at padding (the self-attention pooling masks it)
 * @param nonEmpty    {@code [B, 1]}: 1 for a context with at least one entity, else 0
 */
public record Contexts(int size, int length, Tensor ids, Tensor weights, Tensor lastIds, Tensor lastWeights,
                       Tensor padding, Tensor nonEmpty) {

    public static Contexts of(List<int[]> contexts, int maxContext, double lambda) {
        int b = contexts.size();
        int len = 1;
        for (int[] c : contexts) len = Math.max(len, Math.min(c.length, maxContext));
        long[] ids = new long[b * len], last = new long[b];
        float[] w = new float[b * len], lastW = new float[b], nonEmpty = new float[b];
        boolean[] pad = new boolean[b * len];
        for (int i = 0; i < b; i++) {
            int[] c = contexts.get(i);
            int n = Math.min(c.length, maxContext), from = c.length - n;
            // normalised in double: lambda^99 is about 2.6e17 for lambda = 1.5
            double total = 0;
            for (int j = 0; j < n; j++) total += Math.pow(lambda, j);
            for (int j = 0; j < len; j++) {
                if (j < n) {
                    ids[i * len + j] = c[from + j];
                    w[i * len + j] = (float) (Math.pow(lambda, j) / total);
                } else {
                    pad[i * len + j] = true;
                }
            }
            if (n > 0) {
                last[i] = c[c.length - 1];
                lastW[i] = w[i * len + n - 1];
                nonEmpty[i] = 1;
            }
        }
        return new Contexts(b, len, Tensor.of(ids, b, len), Tensor.of(w, b, len, 1), Tensor.of(last, b),
                Tensor.of(lastW, b, 1), Tensor.ofBool(pad, b, len, 1), Tensor.of(nonEmpty, b, 1));
    }
}
