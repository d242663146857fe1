package org.crs4j.models.generation;

/** Receives generated tokens as they are chosen (streaming); row is the prompt's index in the batch. */
@FunctionalInterface
public interface TokenListener {
    TokenListener NONE = (row, token) -> {};

    void onToken(int row, int token);
}
