package org.crs4j.crs.llmcrs;

import org.crs4j.crs.llm.LlmRequest;
import org.crs4j.crs.llm.LlmResponse;

/**
 * One LLM call of a turn, exactly as made: the request (stage, whole prompt, sampling settings) and the response
 * (text, token counts, latency, and for local models the exact prompt and generated ids that RLPF scores).
 *
 * @param response null when the call failed
 * @param error    the failure's one-line message, or null
 */
public record LlmCall(Stage stage, LlmRequest request, LlmResponse response, String error) {
    public boolean failed() { return response == null; }
}
