package org.crs4j.models.tokenizer;

/**
 * Text to token ids and back. Every implementation is immutable and safe to share between threads.
 *
 * <p>{@link #encode(String)} never adds BOS/EOS: it returns what SentencePiece's {@code encode} (or
 * {@code spm_encode --output_format=id}) returns; models add their own special tokens with
 * {@link #encode(String, boolean, boolean)}. {@link #decode(int[])} drops control/special tokens, like
 * {@code spm_decode}.
 */
public interface Tokenizer {

    /** Token ids of {@code text}, without BOS or EOS. */
    int[] encode(String text);

    /** Token ids of {@code text}, with this tokenizer's BOS in front and/or EOS at the end when asked for. */
    default int[] encode(String text, boolean addBos, boolean addEos) {
        int[] ids = encode(text);
        SpecialTokens sp = specialTokens();
        if (addBos && sp.bos() < 0) throw new IllegalStateException(describe() + " has no BOS token");
        if (addEos && sp.eos() < 0) throw new IllegalStateException(describe() + " has no EOS token");
        int front = addBos ? 1 : 0;
        int[] out = new int[ids.length + front + (addEos ? 1 : 0)];
        if (addBos) out[0] = sp.bos();
        System.arraycopy(ids, 0, out, front, ids.length);
        if (addEos) out[out.length - 1] = sp.eos();
        return out;
    }

    /** The text of {@code ids}; control and special tokens (BOS, EOS, pad) produce nothing. */
    String decode(int[] ids);

    /** Number of token ids: every id in {@code [0, vocabSize())} has a piece. */
    int vocabSize();

    /** The vocabulary entry of {@code id} as stored in the file (e.g. {@code "▁the"}, {@code "<0x0A>"}, {@code "Ġthe"}). */
    String piece(int id);

    /** The id of a vocabulary entry, or -1 when {@code piece} is not in the vocabulary. */
    int pieceId(String piece);

    /** BOS, EOS, pad and unknown ids (-1 where the tokenizer has none). */
    SpecialTokens specialTokens();

    /** True for ids that {@link #decode(int[])} renders as nothing (control symbols, special added tokens). */
    boolean isSpecial(int id);

    /** One line for logs and errors: the kind of tokenizer and the file it came from. */
    String describe();

    /** A decoder for ids that arrive one at a time (streaming generation output). */
    default DecodeStream decodeStream() {
        return new DecodeStream(this);
    }

    /** Checks an id coming from outside (a model, the command line) and names it in the error. */
    default void checkId(int id) {
        if (id < 0 || id >= vocabSize())
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + vocabSize()
                    + ") of " + describe());
    }
}
