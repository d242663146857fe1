package org.crs4j.models.generation;

/** A model that continues token sequences: what {@link Generation} needs. */
public interface TokenDecoder {
    int vocabSize();

    /**
     * Starts decoding a batch of prompts (token ids, specials included as the model expects them), with room for
     * {@code maxNewTokens} more tokens per row. Runs the prompts through the model (prefill).
     */
    DecodingSession start(int[][] prompts, int maxNewTokens);
}
