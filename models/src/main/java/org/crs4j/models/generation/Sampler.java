package org.crs4j.models.generation;

import java.util.Arrays;
import org.crs4j.tensor.Generator;

/**
 * Picks the next token from one row of logits: argmax at temperature 0, else a draw from
 * softmax(logits / temperature) restricted by top-k and then top-p (Hugging Face's warper order), using one uniform
 * number of the seeded Philox stream per draw, so a seed reproduces a text exactly. Without top-k or top-p the draw
 * walks the ids in order (no sort: one pass over the vocabulary); with them, it walks the kept tokens from the most
 * likely down (ties by id).
 */
public final class Sampler {
    private final double temperature;
    private final int topK;
    private final double topP;
    private final Generator rng;

    public Sampler(GenerationConfig config) {
        this.temperature = config.temperature();
        this.topK = config.topK();
        this.topP = config.topP();
        this.rng = new Generator(config.seed());
    }

    /** The first index of the largest value. */
    public static int argmax(float[] logits, int offset, int n) {
        int best = 0;
        float max = logits[offset];
        for (int i = 1; i < n; i++) {
            if (logits[offset + i] > max) {
                max = logits[offset + i];
                best = i;
            }
        }
        return best;
    }

    public int next(float[] logits, int offset, int n) {
        if (temperature == 0) return argmax(logits, offset, n);
        double max = logits[offset + argmax(logits, offset, n)];
        if (topK == 0 && topP >= 1) {
            // the whole distribution: the inverse CDF in id order, no sorting (one pass, what RLPF's sampling needs)
            double[] p = new double[n];
            double sum = 0;
            for (int i = 0; i < n; i++) sum += p[i] = Math.exp((logits[offset + i] - max) / temperature);
            double u = uniform() * sum, acc = 0;
            int last = 0;
            for (int i = 0; i < n; i++) {
                if (p[i] > 0) last = i;
                acc += p[i];
                if (u < acc) return i;
            }
            return last;
        }
        // candidates sorted by logit, descending (ties by id): one primitive sort of (order key, id) pairs
        long[] order = new long[n];
        for (int i = 0; i < n; i++) order[i] = ((long) descendingKey(logits[offset + i]) << 32) | i;
        Arrays.sort(order);
        int keep = topK > 0 ? Math.min(topK, n) : n;
        double[] p = new double[keep];
        double sum = 0;
        for (int i = 0; i < keep; i++) {
            p[i] = Math.exp((logits[offset + (int) order[i]] - max) / temperature);
            sum += p[i];
        }
        if (topP < 1) {
            // keep the smallest prefix whose mass reaches topP (at least one token)
            double cum = 0;
            int cut = keep;
            for (int i = 0; i < keep; i++) {
                cum += p[i] / sum;
                if (cum >= topP) {
                    cut = i + 1;
                    break;
                }
            }
            keep = cut;
            sum = 0;
            for (int i = 0; i < keep; i++) sum += p[i];
        }
        double u = uniform() * sum, acc = 0;
        for (int i = 0; i < keep; i++) {
            acc += p[i];
            if (u < acc) return (int) order[i];
        }
        return (int) order[keep - 1];
    }

    /** An int whose signed order is the descending order of the float (Float.compare's, -0.0 below 0.0). */
    private static int descendingKey(float x) {
        int b = Float.floatToIntBits(x);
        return ~(b ^ ((b >> 31) & 0x7fffffff));
    }

    private double uniform() {
        int[] w = new int[4];
        Generator.philox(rng.advance(1), 0, rng.seed(), w);
        return Generator.uniform53(w[0], w[1]);
    }
}
