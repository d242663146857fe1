package org.crs4j.models.generation;

/**
 * One decoding run of a batch of prompts, holding the model's state (its key/value cache) between steps. The
 * generation algorithms of {@link Generation} see models only through this interface, so that a decoder-only model
 * (LLaMA: the prompt is prefilled) and an encoder-decoder (T5: the prompt is encoded once and decoding starts from
 * the decoder start token) are driven by the same code.
 */
public interface DecodingSession {
    /** Rows decoded together. */
    int batch();

    /** Logits for the next token of every row, [batch, vocab] F32 (a fresh tensor the caller may keep). */
    org.crs4j.tensor.Tensor logits();

    /** Appends one token to every row and computes the next logits. */
    void append(int[] tokens);

    /** Continues with rows {@code rows[0], rows[1], ...} of the current batch (beam search); repeats allowed. */
    void reorder(int[] rows);

    /** Tokens that can still be appended before the session's cache is full. */
    int remaining();
}
