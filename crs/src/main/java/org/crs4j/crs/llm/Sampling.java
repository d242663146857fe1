package org.crs4j.crs.llm;

/**
 * Decoding settings of one call, with the meanings of Hugging Face's GenerationConfig and OpenAI's request fields.
 *
 * @param maxNewTokens at most this many generated tokens
 * @param temperature  0 = greedy
 * @param topP         nucleus sampling mass (1 = off)
 * @param seed         seeds sampling, so the same seed gives the same text on a local model
 */
public record Sampling(int maxNewTokens, double temperature, double topP, long seed) {
    public Sampling {
        if (maxNewTokens < 1) throw new IllegalArgumentException("max new tokens must be >= 1, got " + maxNewTokens);
        if (!(temperature >= 0) || Double.isInfinite(temperature)) throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
    }

    public static Sampling greedy(int maxNewTokens) {
        return new Sampling(maxNewTokens, 0, 1, 0);
    }

    public boolean isGreedy() {
        return temperature == 0;
    }
}
