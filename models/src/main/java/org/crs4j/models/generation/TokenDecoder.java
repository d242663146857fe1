package org.crs4j.models.generation;

/** A model that continues token sequences: what {@link Generation} needs. */
public interface TokenDecoder {
    int vocabSize();

    /**
     * Starts decoding a batch of prompts (token ids, specials included as the model expects them), with room for
     * {@code maxNewTokens} more tokens per row. Runs the prompts through the model (prefill). A request that does not
     * fit {@link #context()} is refused before any work.
     */
    DecodingSession start(int[][] prompts, int maxNewTokens);

    /** The positions the model was trained on ({@link ContextWindow#UNLIMITED} for a model without a limit). */
    default ContextWindow context() {
        return ContextWindow.UNLIMITED;
    }

    /**
     * A lower bound of the bytes a session of {@code rows} rows allocates for prompts of up to {@code promptLength}
     * tokens and {@code maxNewTokens} more (its key/value cache, logits, the prompt's activations), saturating at
     * {@link Long#MAX_VALUE}: requests that certainly cannot fit in the heap are refused before any work.
     */
    default long sessionBytes(int rows, int promptLength, int maxNewTokens) {
        return 0;
    }
}
