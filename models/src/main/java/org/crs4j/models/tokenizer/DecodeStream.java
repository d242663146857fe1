package org.crs4j.models.tokenizer;

import java.util.Arrays;

/**
 * Incremental decoding for generation: feed ids one at a time and get back the text they add. Each step decodes the
 * whole sequence so far and returns what is new, so every context rule (SentencePiece dropping the leading space of
 * the first piece, folding whitespace) applies exactly as in {@link Tokenizer#decode}; text is held back while it ends
 * in U+FFFD, a character whose UTF-8 bytes are still arriving as byte tokens. Decoding all ids again costs O(n) per
 * step, negligible next to a model's forward pass at generation lengths.
 */
public final class DecodeStream {
    private final Tokenizer tokenizer;
    private int[] ids = new int[64];
    private int size;
    private String emitted = "";

    public DecodeStream(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Adds one generated id; returns the text it completes ("" while a character is still incomplete). */
    public String next(int id) {
        tokenizer.checkId(id);
        if (size == ids.length) ids = Arrays.copyOf(ids, size * 2);
        ids[size++] = id;
        String text = tokenizer.decode(Arrays.copyOf(ids, size));
        if (text.endsWith("\uFFFD")) return "";
        return advance(text);
    }

    /** The text still held back (a trailing broken character), at the end of generation. */
    public String flush() {
        return advance(tokenizer.decode(Arrays.copyOf(ids, size)));
    }

    private String advance(String text) {
        if (!text.startsWith(emitted) || text.length() == emitted.length()) return "";
        String added = text.substring(emitted.length());
        emitted = text;
        return added;
    }
}
