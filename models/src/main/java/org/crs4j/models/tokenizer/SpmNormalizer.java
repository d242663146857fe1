package org.crs4j.models.tokenizer;

import java.nio.file.Path;

/**
 * SentencePiece's {@code normalizer::Normalizer}, byte for byte: each step takes the longest rule of the precompiled
 * charsmap that matches (or one character as is; a broken UTF-8 byte becomes U+FFFD), user-defined symbols pass
 * through untouched, leading/trailing/repeated whitespace is removed when {@code remove_extra_whitespaces} is set,
 * spaces become U+2581 ('▁') when {@code escape_whitespaces} is set, and a dummy '▁' goes in front (or at the end with
 * {@code treat_whitespace_as_suffix}).
 */
final class SpmNormalizer {
    static final byte[] SPACE_SYMBOL = {(byte) 0xE2, (byte) 0x96, (byte) 0x81}; // U+2581
    private static final byte[] ONE_SPACE = {' '};

    private final PrecompiledCharsMap charsMap; // null: identity
    private final PrefixMatcher userDefined;     // null: none
    private final boolean addDummyPrefix, removeExtraWhitespaces, escapeWhitespaces, treatWhitespaceAsSuffix;

    SpmNormalizer(SentencePieceModel.NormalizerSpec spec, boolean treatWhitespaceAsSuffix, PrefixMatcher userDefined,
                  Path file) throws TokenizerFormatException {
        this.charsMap = spec.precompiledCharsmap().length == 0 ? null : new PrecompiledCharsMap(spec.precompiledCharsmap(), file);
        this.userDefined = userDefined;
        this.addDummyPrefix = spec.addDummyPrefix();
        this.removeExtraWhitespaces = spec.removeExtraWhitespaces();
        this.escapeWhitespaces = spec.escapeWhitespaces();
        this.treatWhitespaceAsSuffix = treatWhitespaceAsSuffix;
    }

    /** One normalization step at a position: the replacement bytes and how many input bytes they stand for. */
    private static final class Step {
        byte[] src;
        int start, end, consumed;

        boolean isOneSpace() {
            return end - start == 1 && src[start] == ' ';
        }
    }

    /** Normalizes {@code in[0, len)} into {@code out} (cleared first). */
    void normalize(byte[] in, int len, ByteBuf out) {
        out.setSize(0);
        if (len == 0) return;
        Step step = new Step();
        int pos = 0;
        if (removeExtraWhitespaces) {
            while (pos < len) {
                prefix(in, pos, len, step);
                if (!step.isOneSpace()) break;
                pos += step.consumed;
            }
        }
        if (pos == len) return;

        if (!treatWhitespaceAsSuffix && addDummyPrefix) addWhitespace(out);
        boolean isPrevSpace = removeExtraWhitespaces;
        while (pos < len) {
            prefix(in, pos, len, step);
            int s = step.start;
            while (isPrevSpace && s < step.end && step.src[s] == ' ') s++;
            if (s < step.end) {
                for (int i = s; i < step.end; i++) {
                    byte b = step.src[i];
                    if (escapeWhitespaces && b == ' ') out.append(SPACE_SYMBOL, 0, 3);
                    else out.append(b);
                }
                isPrevSpace = step.src[step.end - 1] == ' ';
            }
            pos += step.consumed;
            if (!removeExtraWhitespaces) isPrevSpace = false;
        }
        if (removeExtraWhitespaces) {
            byte[] space = escapeWhitespaces ? SPACE_SYMBOL : ONE_SPACE;
            while (out.endsWith(space)) out.setSize(out.size() - space.length);
        }
        if (treatWhitespaceAsSuffix && addDummyPrefix) addWhitespace(out);
    }

    private void addWhitespace(ByteBuf out) {
        if (escapeWhitespaces) out.append(SPACE_SYMBOL, 0, 3);
        else out.append((byte) ' ');
    }

    private void prefix(byte[] in, int pos, int len, Step step) {
        if (userDefined != null) {
            int m = userDefined.longestMatch(in, pos, len);
            if (m > 0) {
                set(step, in, pos, pos + m, m);
                return;
            }
        }
        if (charsMap != null) {
            PrecompiledCharsMap.Match m = charsMap.longestMatch(in, pos, len);
            if (m != null) {
                set(step, charsMap.replacements(), m.start(), m.end(), m.keyLength());
                return;
            }
        }
        int n = Utf8.validCharLen(in, pos, len);
        if (n < 0) set(step, Utf8.REPLACEMENT, 0, 3, 1);
        else set(step, in, pos, pos + n, n);
    }

    private static void set(Step step, byte[] src, int start, int end, int consumed) {
        step.src = src;
        step.start = start;
        step.end = end;
        step.consumed = consumed;
    }
}
