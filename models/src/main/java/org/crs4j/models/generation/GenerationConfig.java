package org.crs4j.models.generation;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.crs4j.models.JsonFields;
import org.crs4j.models.ModelFormatException;

/**
 * How to generate: greedy (temperature 0, one beam), sampling (temperature > 0, optionally top-k / top-p, seeded), or
 * beam search (numBeams > 1, deterministic). The names and meanings are Hugging Face's {@code GenerationConfig}'s.
 *
 * @param maxNewTokens at most this many tokens after the prompt
 * @param temperature  0 = greedy; > 0 divides the logits before sampling
 * @param topK         keep the k most likely tokens (0 = all)
 * @param topP         keep the smallest set of most likely tokens whose probability reaches p (1 = all)
 * @param seed         seeds the Philox stream of the sampler: the same seed gives the same text
 * @param stopTokens   generation of a row ends after it produces one of these (usually EOS); included in the output
 * @param numBeams     beams per prompt (1 = no beam search)
 * @param lengthPenalty beam scores are sum(log p) / length^lengthPenalty
 * @param truncatePrompt what to do with a prompt that, with maxNewTokens more tokens, does not fit the model's context:
 *                       false (the default) refuses it with the numbers ({@link GenerationLimitException}); true keeps
 *                       only its last tokens (and a LLaMA prompt's BOS), as Hugging Face users truncate the input
 *                       from the left for generation (see {@link ContextWindow})
 */
public record GenerationConfig(int maxNewTokens, double temperature, int topK, double topP, long seed, int[] stopTokens,
                               int numBeams, double lengthPenalty, boolean truncatePrompt) {

    public GenerationConfig {
        if (maxNewTokens < 0) throw new IllegalArgumentException("max new tokens must be >= 0, got " + maxNewTokens);
        if (!Double.isFinite(lengthPenalty)) throw new IllegalArgumentException("length penalty must be finite, got " + lengthPenalty);
        if (!(temperature >= 0) || Double.isInfinite(temperature)) throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        if (topK < 0) throw new IllegalArgumentException("top-k must be >= 0, got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
        if (numBeams < 1) throw new IllegalArgumentException("beams must be >= 1, got " + numBeams);
        stopTokens = stopTokens == null ? new int[0] : stopTokens.clone();
    }

    /** Refusing prompts that do not fit (truncatePrompt false). */
    public GenerationConfig(int maxNewTokens, double temperature, int topK, double topP, long seed, int[] stopTokens,
                            int numBeams, double lengthPenalty) {
        this(maxNewTokens, temperature, topK, topP, seed, stopTokens, numBeams, lengthPenalty, false);
    }

    /** Greedy decoding of up to maxNewTokens, stopping at the given tokens. */
    public static GenerationConfig greedy(int maxNewTokens, int... stopTokens) {
        return new GenerationConfig(maxNewTokens, 0, 0, 1, 0, stopTokens, 1, 1);
    }

    public boolean sampling() {
        return temperature > 0 && numBeams == 1;
    }

    public boolean isStop(int token) {
        for (int s : stopTokens) if (s == token) return true;
        return false;
    }

    @Override
    public int[] stopTokens() {
        return stopTokens.clone();
    }

    public GenerationConfig withMaxNewTokens(int n) {
        return new GenerationConfig(n, temperature, topK, topP, seed, stopTokens, numBeams, lengthPenalty, truncatePrompt);
    }

    public GenerationConfig withTemperature(double t) {
        return new GenerationConfig(maxNewTokens, t, topK, topP, seed, stopTokens, numBeams, lengthPenalty, truncatePrompt);
    }

    public GenerationConfig withTopK(int k) {
        return new GenerationConfig(maxNewTokens, temperature, k, topP, seed, stopTokens, numBeams, lengthPenalty, truncatePrompt);
    }

    public GenerationConfig withTopP(double p) {
        return new GenerationConfig(maxNewTokens, temperature, topK, p, seed, stopTokens, numBeams, lengthPenalty, truncatePrompt);
    }

    public GenerationConfig withSeed(long s) {
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, s, stopTokens, numBeams, lengthPenalty, truncatePrompt);
    }

    public GenerationConfig withStopTokens(int... stops) {
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, seed, stops, numBeams, lengthPenalty, truncatePrompt);
    }

    public GenerationConfig withBeams(int beams, double penalty) {
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, seed, stopTokens, beams, penalty, truncatePrompt);
    }

    /** With {@code truncate}, a prompt too long for the context keeps only its last tokens instead of being refused. */
    public GenerationConfig withPromptTruncation(boolean truncate) {
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, seed, stopTokens, numBeams, lengthPenalty, truncate);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GenerationConfig g && toString().equals(g.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    @Override
    public String toString() {
        return "GenerationConfig[maxNewTokens " + maxNewTokens + ", temperature " + temperature + ", topK " + topK + ", topP "
                + topP + ", seed " + seed + ", stop " + Arrays.toString(stopTokens) + ", beams " + numBeams + ", length penalty "
                + lengthPenalty + (truncatePrompt ? ", truncate prompt" : "") + "]";
    }

    /**
     * Defaults from a Hugging Face {@code generation_config.json}: do_sample (false = greedy), temperature, top_k,
     * top_p, num_beams, length_penalty, max_new_tokens, eos_token_id (int or list). Fields it lacks keep the values
     * of {@code base}.
     */
    public static GenerationConfig fromJson(Path file, GenerationConfig base) throws IOException {
        JsonFields f = JsonFields.read(file);
        boolean sample = f.bool("do_sample", false);
        double temperature = sample ? f.number("temperature", 1.0) : 0;
        int topK = sample ? f.integer("top_k", 50) : 0;
        double topP = sample ? f.number("top_p", 1.0) : 1;
        int maxNew = f.integer("max_new_tokens", base.maxNewTokens);
        int[] stops = f.has("eos_token_id") ? f.ids("eos_token_id") : base.stopTokens;
        try {
            return new GenerationConfig(maxNew, temperature, topK, topP, base.seed, stops, f.integer("num_beams", 1),
                    f.number("length_penalty", 1.0), base.truncatePrompt);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, e.getMessage());
        }
    }

}
