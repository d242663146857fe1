package org.crs4j.models.tokenizer;

import java.nio.file.Path;

/**
 * SentencePiece's compiled normalization rules ({@code precompiled_charsmap}): a little-endian uint32 trie size, a
 * Darts-clone double-array trie over UTF-8 keys, then a blob of NUL-terminated replacement strings that the trie's
 * values point into. {@link #longestMatch} is Darts' {@code commonPrefixSearch} keeping the longest key, which is
 * what SentencePiece's {@code Normalizer::NormalizePrefix} uses.
 */
final class PrecompiledCharsMap {
    private final int[] units;
    private final byte[] replacements;

    /** Where the last successful {@link #longestMatch} replacement starts and ends in {@link #replacements()}. */
    record Match(int keyLength, int start, int end) {}

    PrecompiledCharsMap(byte[] blob, Path file) throws TokenizerFormatException {
        if (blob.length <= 4)
            throw new TokenizerFormatException(file, "precompiled_charsmap is broken: " + blob.length + " bytes, no trie");
        long trieSize = (blob[0] & 0xFFL) | (blob[1] & 0xFFL) << 8 | (blob[2] & 0xFFL) << 16 | (blob[3] & 0xFFL) << 24;
        if (trieSize >= blob.length)
            throw new TokenizerFormatException(file, "precompiled_charsmap is broken: trie size " + trieSize
                    + " is not below the blob size " + blob.length);
        if (trieSize % 4 != 0 || trieSize == 0)
            throw new TokenizerFormatException(file, "precompiled_charsmap is broken: trie size " + trieSize
                    + " is not a positive multiple of 4");
        int n = (int) (trieSize / 4);
        units = new int[n];
        for (int i = 0; i < n; i++) {
            int p = 4 + 4 * i;
            units[i] = (blob[p] & 0xFF) | (blob[p + 1] & 0xFF) << 8 | (blob[p + 2] & 0xFF) << 16 | (blob[p + 3] & 0xFF) << 24;
        }
        replacements = java.util.Arrays.copyOfRange(blob, 4 + (int) trieSize, blob.length);
    }

    byte[] replacements() {
        return replacements;
    }

    /**
     * The longest key that is a prefix of {@code s[pos, end)}: returns its length and the replacement's range, or null
     * when no key matches.
     */
    Match longestMatch(byte[] s, int pos, int end) {
        int nodePos = 0;
        int unit = unit(0);
        nodePos ^= offset(unit);
        int bestLen = 0, bestValue = -1;
        for (int i = pos; i < end; i++) {
            int c = s[i] & 0xFF;
            nodePos ^= c;
            unit = unit(nodePos);
            if (label(unit) != c) break;
            nodePos ^= offset(unit);
            if (hasLeaf(unit)) {
                bestLen = i - pos + 1;
                bestValue = value(unit(nodePos));
            }
        }
        if (bestLen == 0) return null;
        return replacementMatch(bestLen, bestValue);
    }

    /**
     * The first (shortest) key that is a prefix of {@code s[pos, end)}, stopping at a NUL byte: the lookup of Hugging
     * Face's {@code Precompiled} normalizer, which applies it to whole grapheme clusters.
     */
    Match shortestMatch(byte[] s, int pos, int end) {
        int nodePos = 0;
        int unit = unit(0);
        nodePos ^= offset(unit);
        for (int i = pos; i < end; i++) {
            int c = s[i] & 0xFF;
            if (c == 0) break;
            nodePos ^= c;
            unit = unit(nodePos);
            if (label(unit) != c) break;
            nodePos ^= offset(unit);
            if (hasLeaf(unit)) return replacementMatch(i - pos + 1, value(unit(nodePos)));
        }
        return null;
    }

    private Match replacementMatch(int keyLength, int value) {
        int start = Math.min(value, replacements.length);
        int stop = start;
        while (stop < replacements.length && replacements[stop] != 0) stop++;
        return new Match(keyLength, start, stop);
    }

    // Units outside the array read as 0 (label 0, no leaf): a broken trie then matches nothing instead of failing.
    private int unit(int i) {
        return i >= 0 && i < units.length ? units[i] : 0;
    }

    private static boolean hasLeaf(int unit) {
        return ((unit >>> 8) & 1) == 1;
    }

    private static int value(int unit) {
        return unit & 0x7FFFFFFF;
    }

    private static int label(int unit) {
        return unit & (0x80000000 | 0xFF);
    }

    private static int offset(int unit) {
        return (unit >>> 10) << ((unit & (1 << 9)) >>> 6);
    }
}
