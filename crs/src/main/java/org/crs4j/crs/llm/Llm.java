package org.crs4j.crs.llm;

/**
 * One way to ask a language model for text, whether it runs in this process (a {@code models.LanguageModel}: Flan-T5,
 * LLaMA, llama2.c) or behind an OpenAI-compatible endpoint. Every LLM call of LLMCRS and of the causal recommender's
 * LLM stage goes through this interface, so a call can be traced, replayed and compared across back ends.
 */
public interface Llm extends AutoCloseable {

    /** What a trace records as the endpoint: a model folder, a Hugging Face id, or {@code URL#model}. */
    String endpoint();

    /**
     * Completes one prompt. Text pieces go to {@code request.stream()} as they are produced (when it is not null);
     * the returned text is their concatenation.
     *
     * @throws LlmException when the model or endpoint cannot answer (named, one line)
     */
    LlmResponse complete(LlmRequest request);

    @Override
    default void close() {}
}
