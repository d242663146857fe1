package org.crs4j.models.llama;

import java.util.Arrays;
import java.util.function.Consumer;
import org.crs4j.models.tokenizer.Tokenizer;

/**
 * Turns a stream of token ids into a stream of text. Decoding token by token would break byte-fallback tokens
 * (a UTF-8 character spread over several {@code <0x..>} tokens) and SentencePiece's leading-space rule, so a short
 * window of recent tokens is decoded and only the text it gained is emitted; text ending in an incomplete character
 * (U+FFFD) is held back until the next token completes it. The window restarts once everything in it is out, so the
 * cost per token stays constant.
 */
public final class TextStreamer {
    private static final int WINDOW = 8;

    private final Tokenizer tokenizer;
    private final Consumer<String> sink;
    private int[] window = new int[16];
    private int size;       // tokens in the window
    private int emitted;    // characters of decode(window) already emitted

    public TextStreamer(Tokenizer tokenizer, Consumer<String> sink) {
        this(tokenizer, sink, new int[0]);
    }

    /**
     * @param context the tokens before the stream (the prompt): the last one is kept as context, so that the first
     *                streamed token keeps its leading space ("Lily" + "▁loved" streams " loved")
     */
    public TextStreamer(Tokenizer tokenizer, Consumer<String> sink, int[] context) {
        this.tokenizer = tokenizer;
        this.sink = sink;
        if (context.length > 0) {
            window[0] = context[context.length - 1];
            size = 1;
            emitted = tokenizer.decode(new int[] {window[0]}).length();
        }
    }

    public void accept(int token) {
        if (size == window.length) window = Arrays.copyOf(window, size * 2);
        window[size++] = token;
        String text = tokenizer.decode(Arrays.copyOf(window, size));
        if (text.endsWith("\uFFFD")) return;
        emit(text);
        if (size >= WINDOW) {
            // keep the last token as context for the next one's leading space; everything before it is out
            window[0] = window[size - 1];
            size = 1;
            emitted = tokenizer.decode(Arrays.copyOf(window, 1)).length();
        }
    }

    /** Emits whatever is held back (at the end of generation). */
    public void flush() {
        emit(tokenizer.decode(Arrays.copyOf(window, size)));
    }

    private void emit(String text) {
        if (text.length() > emitted && sink != null) sink.accept(text.substring(emitted));
        emitted = Math.max(emitted, text.length());
    }
}
