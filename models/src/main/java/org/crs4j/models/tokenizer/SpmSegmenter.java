package org.crs4j.models.tokenizer;

/** Splits normalized text into pieces: the {@code Encode} of SentencePiece's unigram, BPE, word and char models. */
interface SpmSegmenter {
    /** Appends, for each piece of {@code s[0, len)}, its exclusive end offset to {@code ends} and its id to {@code ids}. */
    void segment(byte[] s, int len, IntList ends, IntList ids);
}
