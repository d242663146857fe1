package org.crs4j.models.generation;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
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
 */
public record GenerationConfig(int maxNewTokens, double temperature, int topK, double topP, long seed, int[] stopTokens,
                               int numBeams, double lengthPenalty) {

    public GenerationConfig {
        if (maxNewTokens < 0) throw new IllegalArgumentException("max new tokens must be >= 0, got " + maxNewTokens);
        if (!(temperature >= 0) || Double.isInfinite(temperature)) throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        if (topK < 0) throw new IllegalArgumentException("top-k must be >= 0, got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
        if (numBeams < 1) throw new IllegalArgumentException("beams must be >= 1, got " + numBeams);
        stopTokens = stopTokens == null ? new int[0] : stopTokens.clone();
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
        return new GenerationConfig(n, temperature, topK, topP, seed, stopTokens, numBeams, lengthPenalty);
    }

    public GenerationConfig withTemperature(double t) {
        return new GenerationConfig(maxNewTokens, t, topK, topP, seed, stopTokens, numBeams, lengthPenalty);
    }

    public GenerationConfig withTopK(int k) {
        return new GenerationConfig(maxNewTokens, temperature, k, topP, seed, stopTokens, numBeams, lengthPenalty);
    }

    public GenerationConfig withTopP(double p) {
        return new GenerationConfig(maxNewTokens, temperature, topK, p, seed, stopTokens, numBeams, lengthPenalty);
    }

    public GenerationConfig withSeed(long s) {
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, s, stopTokens, numBeams, lengthPenalty);
    }

    public GenerationConfig withStopTokens(int... stops) {
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, seed, stops, numBeams, lengthPenalty);
    }

    public GenerationConfig withBeams(int beams, double penalty) {
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, seed, stopTokens, beams, penalty);
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
                + lengthPenalty + "]";
    }

    /**
     * Defaults from a Hugging Face {@code generation_config.json}: do_sample (false = greedy), temperature, top_k,
     * top_p, num_beams, length_penalty, max_new_tokens, eos_token_id (int or list). Fields it lacks keep the values
     * of {@code base}.
     */
    public static GenerationConfig fromJson(Path file, GenerationConfig base) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (JacksonException e) {
            throw new ModelFormatException(file, "invalid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) throw new ModelFormatException(file, "expected a JSON object");
        boolean sample = bool(file, root, "do_sample", false);
        double temperature = sample ? number(file, root, "temperature", 1.0) : 0;
        int topK = sample ? integer(file, root, "top_k", 50) : 0;
        double topP = sample ? number(file, root, "top_p", 1.0) : 1;
        int maxNew = root.hasNonNull("max_new_tokens") ? integer(file, root, "max_new_tokens", base.maxNewTokens) : base.maxNewTokens;
        int[] stops = base.stopTokens;
        JsonNode eos = root.get("eos_token_id");
        if (eos != null && !eos.isNull()) {
            if (eos.isIntegralNumber()) stops = new int[] {eos.asInt()};
            else if (eos.isArray()) {
                stops = new int[eos.size()];
                for (int i = 0; i < stops.length; i++) {
                    if (!eos.get(i).isIntegralNumber()) throw new ModelFormatException(file, "eos_token_id[" + i + "]: expected an integer");
                    stops[i] = eos.get(i).asInt();
                }
            } else throw new ModelFormatException(file, "eos_token_id: expected an integer or a list of integers, found " + eos);
        }
        try {
            return new GenerationConfig(maxNew, temperature, topK, topP, base.seed, stops, integer(file, root, "num_beams", 1),
                    number(file, root, "length_penalty", 1.0));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, e.getMessage());
        }
    }

    private static boolean bool(Path f, JsonNode n, String field, boolean dflt) throws ModelFormatException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) return dflt;
        if (!v.isBoolean()) throw new ModelFormatException(f, field + ": expected true or false, found " + v);
        return v.asBoolean();
    }

    private static double number(Path f, JsonNode n, String field, double dflt) throws ModelFormatException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) return dflt;
        if (!v.isNumber()) throw new ModelFormatException(f, field + ": expected a number, found " + v);
        return v.asDouble();
    }

    private static int integer(Path f, JsonNode n, String field, int dflt) throws ModelFormatException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) return dflt;
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw new ModelFormatException(f, field + ": expected an integer, found " + v);
        return v.asInt();
    }
}
