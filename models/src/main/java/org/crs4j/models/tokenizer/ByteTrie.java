package org.crs4j.models.tokenizer;

import java.util.Arrays;

/**
 * A trie over byte strings with an int value per key, for common-prefix search (every vocabulary piece that starts at a
 * position of the text). Transitions live in one open-addressing table keyed by (node, byte), so a step is one probe
 * into a flat array; SentencePiece's double-array trie gives the same matches, which depend only on the key set.
 */
final class ByteTrie {
    private long[] keys;   // node * 256 + byte + 1; 0 = empty slot
    private int[] children;
    private int mask;
    private int transitions;
    private int[] values = new int[64]; // value per node, -1 = not a key
    private int nodes = 1;

    ByteTrie() {
        keys = new long[64];
        children = new int[64];
        mask = 63;
        Arrays.fill(values, -1);
    }

    /** Adds {@code key[off, off+len)} with {@code value}; a key added twice keeps the first value. */
    void put(byte[] key, int off, int len, int value) {
        int node = 0;
        for (int i = 0; i < len; i++) {
            int b = key[off + i] & 0xFF;
            int next = next(node, b);
            if (next < 0) next = addChild(node, b);
            node = next;
        }
        if (values[node] < 0) values[node] = value;
    }

    void put(byte[] key, int value) {
        put(key, 0, key.length, value);
    }

    /** The child of {@code node} on byte {@code b} (0..255), or -1. */
    int next(int node, int b) {
        long k = ((long) node << 8) + b + 1;
        int i = slot(k);
        while (true) {
            long kk = keys[i];
            if (kk == k) return children[i];
            if (kk == 0) return -1;
            i = (i + 1) & mask;
        }
    }

    /** The value stored at {@code node}, or -1 when no key ends there. */
    int value(int node) {
        return values[node];
    }

    /** The value of exactly {@code key[off, off+len)}, or -1. */
    int get(byte[] key, int off, int len) {
        int node = 0;
        for (int i = 0; i < len && node >= 0; i++) node = next(node, key[off + i] & 0xFF);
        return node < 0 ? -1 : values[node];
    }

    boolean isEmpty() {
        return nodes == 1 && values[0] < 0;
    }

    private int addChild(int node, int b) {
        if (nodes == values.length) {
            int old = values.length;
            values = Arrays.copyOf(values, old * 2);
            Arrays.fill(values, old, values.length, -1);
        }
        int child = nodes++;
        if ((transitions + 1) * 2 > keys.length) grow();
        insert(((long) node << 8) + b + 1, child);
        transitions++;
        return child;
    }

    private void insert(long k, int child) {
        int i = slot(k);
        while (keys[i] != 0) i = (i + 1) & mask;
        keys[i] = k;
        children[i] = child;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldChildren = children;
        keys = new long[oldKeys.length * 2];
        children = new int[oldKeys.length * 2];
        mask = keys.length - 1;
        for (int i = 0; i < oldKeys.length; i++) if (oldKeys[i] != 0) insert(oldKeys[i], oldChildren[i]);
    }

    private int slot(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29)) & mask;
    }
}
