package org.crs4j.crs.llm;

/**
 * What a call returned.
 *
 * @param text         the generated text (never null; empty when the model produced nothing)
 * @param promptTokens prompt length in the model's tokens (-1 when the endpoint does not say)
 * @param outputTokens generated tokens (-1 when the endpoint does not say)
 * @param latencyNanos wall time of the call
 * @param promptIds    the prompt as the local model encoded it, or null for remote endpoints
 * @param outputIds    exactly the ids a local model generated (EOS included when it stopped), or null: RLPF scores
 *                     these, never a re-tokenization of {@code text}
 */
public record LlmResponse(String text, int promptTokens, int outputTokens, long latencyNanos, int[] promptIds, int[] outputIds) {
    public LlmResponse {
        if (text == null) throw new IllegalArgumentException("an LLM response needs text (empty, not null)");
    }

    /** A response without token ids (remote endpoints, replayed traces). */
    public static LlmResponse text(String text, int promptTokens, int outputTokens, long latencyNanos) {
        return new LlmResponse(text, promptTokens, outputTokens, latencyNanos, null, null);
    }
}
