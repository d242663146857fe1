package org.crs4j.models.generation;

import java.util.Arrays;
import org.crs4j.tensor.Generator;

/**
 * Picks the next token from one row of logits: argmax at temperature 0, else a draw from
 * softmax(logits / temperature) restricted by top-k and then top-p (Hugging Face's warper order), using one uniform
 * number of the seeded Philox stream per draw, so a seed reproduces a text exactly.
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
        // candidates sorted by logit, descending (ties by id)
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> {
            int c = Float.compare(logits[offset + b], logits[offset + a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        int keep = topK > 0 ? Math.min(topK, n) : n;
        double max = logits[offset + order[0]];
        double[] p = new double[keep];
        double sum = 0;
        for (int i = 0; i < keep; i++) {
            p[i] = Math.exp((logits[offset + order[i]] - max) / temperature);
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
            if (u < acc) return order[i];
        }
        return order[keep - 1];
    }

    private double uniform() {
        int[] w = new int[4];
        Generator.philox(rng.advance(1), 0, rng.seed(), w);
        return Generator.uniform53(w[0], w[1]);
    }
}
