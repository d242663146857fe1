package org.crs4j.crs.llm;

import java.util.function.Consumer;

/**
 * One LLM call.
 *
 * @param stage    which step asks (e.g. {@code detection}, {@code matching}, {@code response}, {@code rerank}): traces
 *                 and statistics are kept per stage
 * @param prompt   the whole prompt text, slots already filled
 * @param sampling how to decode
 * @param stream   receives text pieces as they are generated; may be null
 */
public record LlmRequest(String stage, String prompt, Sampling sampling, Consumer<String> stream) {
    public LlmRequest {
        if (stage == null || stage.isBlank()) throw new IllegalArgumentException("an LLM request needs a stage name");
        if (prompt == null) throw new IllegalArgumentException("an LLM request needs a prompt");
        if (sampling == null) throw new IllegalArgumentException("an LLM request needs sampling settings");
    }

    public LlmRequest(String stage, String prompt, Sampling sampling) {
        this(stage, prompt, sampling, null);
    }
}
