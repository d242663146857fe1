package org.crs4j.models.tokenizer;

import java.util.Collection;

/** Longest-match lookup of a fixed set of byte strings at a text position (SentencePiece's user-defined symbols). */
final class PrefixMatcher {
    private final ByteTrie trie = new ByteTrie();

    PrefixMatcher(Collection<byte[]> keys) {
        for (byte[] k : keys) trie.put(k, 1);
    }

    /** Length of the longest key that starts at {@code s[pos]}, or 0. */
    int longestMatch(byte[] s, int pos, int end) {
        int node = 0, best = 0;
        for (int i = pos; i < end; i++) {
            node = trie.next(node, s[i] & 0xFF);
            if (node < 0) break;
            if (trie.value(node) >= 0) best = i - pos + 1;
        }
        return best;
    }
}
