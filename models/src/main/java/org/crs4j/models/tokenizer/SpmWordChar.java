package org.crs4j.models.tokenizer;

/** SentencePiece's two lookup-only models: WORD (whitespace-delimited words) and CHAR (one character per piece). */
final class SpmWordChar {
    private SpmWordChar() {}

    /** {@code word::Model::Encode}: each word of {@code SplitIntoWords} (a '▁' starts a new word) is looked up whole. */
    static SpmSegmenter word(SpmVocab vocab) {
        return (s, size, ends, ids) -> {
            if (size == 0) return;
            int wordStart = 0;
            for (int pos = 0; pos < size; ) {
                int m = Math.min(Utf8.oneCharLen(s[pos]), size - pos);
                boolean isWs = isSpaceSymbol(s, pos, m);
                if (pos > 0 && isWs) {
                    // SplitIntoWords (no suffix, no whitespace-only pieces): every '▁' begins a new word.
                    ends.add(pos);
                    ids.add(vocab.pieceToId(s, wordStart, pos - wordStart));
                    wordStart = pos;
                }
                pos += m;
            }
            ends.add(size);
            ids.add(vocab.pieceToId(s, wordStart, size - wordStart));
        };
    }

    /** {@code character::Model::Encode}: user-defined symbols whole, everything else one character at a time. */
    static SpmSegmenter character(SpmVocab vocab) {
        return (s, size, ends, ids) -> {
            for (int pos = 0; pos < size; ) {
                int m = vocab.symbolLength(s, pos, size);
                ends.add(pos + m);
                ids.add(vocab.pieceToId(s, pos, m));
                pos += m;
            }
        };
    }

    static boolean isSpaceSymbol(byte[] s, int pos, int len) {
        return len == 3 && s[pos] == SpmNormalizer.SPACE_SYMBOL[0] && s[pos + 1] == SpmNormalizer.SPACE_SYMBOL[1]
                && s[pos + 2] == SpmNormalizer.SPACE_SYMBOL[2];
    }
}
