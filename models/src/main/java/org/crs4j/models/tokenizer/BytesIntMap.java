package org.crs4j.models.tokenizer;

import java.util.Arrays;

/**
 * Byte strings to ints, looked up by a slice of a larger array without copying it: BPE asks "is left+right a piece?"
 * for adjacent symbols of the text, which are a contiguous slice of the normalized bytes.
 */
final class BytesIntMap {
    private byte[] pool = new byte[1024];
    private int poolSize;
    private int[] offsets = new int[64];
    private int[] lengths = new int[64];
    private int[] values = new int[64];
    private int[] hashes = new int[64];
    private int size;
    private int[] table = new int[128]; // entry index + 1; 0 = empty
    private int mask = 127;

    /** Adds the key; returns false (and keeps the old value) when it is already present. */
    boolean putIfAbsent(byte[] key, int off, int len, int value) {
        int h = hash(key, off, len);
        int i = h & mask;
        while (table[i] != 0) {
            int e = table[i] - 1;
            if (hashes[e] == h && equal(e, key, off, len)) return false;
            i = (i + 1) & mask;
        }
        if (size == offsets.length) {
            int cap = size * 2;
            offsets = Arrays.copyOf(offsets, cap);
            lengths = Arrays.copyOf(lengths, cap);
            values = Arrays.copyOf(values, cap);
            hashes = Arrays.copyOf(hashes, cap);
        }
        if (poolSize + len > pool.length) pool = Arrays.copyOf(pool, Math.max(pool.length * 2, poolSize + len));
        System.arraycopy(key, off, pool, poolSize, len);
        offsets[size] = poolSize;
        lengths[size] = len;
        values[size] = value;
        hashes[size] = h;
        poolSize += len;
        table[i] = ++size;
        if (size * 2 > table.length) rehash();
        return true;
    }

    boolean putIfAbsent(byte[] key, int value) {
        return putIfAbsent(key, 0, key.length, value);
    }

    /** The value of {@code key[off, off+len)}, or -1. */
    int get(byte[] key, int off, int len) {
        int h = hash(key, off, len);
        int i = h & mask;
        while (true) {
            int t = table[i];
            if (t == 0) return -1;
            int e = t - 1;
            if (hashes[e] == h && equal(e, key, off, len)) return values[e];
            i = (i + 1) & mask;
        }
    }

    int get(byte[] key) {
        return get(key, 0, key.length);
    }

    int size() {
        return size;
    }

    private boolean equal(int e, byte[] key, int off, int len) {
        return lengths[e] == len && Arrays.equals(pool, offsets[e], offsets[e] + len, key, off, off + len);
    }

    private void rehash() {
        table = new int[table.length * 2];
        mask = table.length - 1;
        for (int e = 0; e < size; e++) {
            int i = hashes[e] & mask;
            while (table[i] != 0) i = (i + 1) & mask;
            table[i] = e + 1;
        }
    }

    private static int hash(byte[] key, int off, int len) {
        int h = 0x811C9DC5;
        for (int i = off; i < off + len; i++) h = (h ^ (key[i] & 0xFF)) * 0x01000193;
        return h ^ (h >>> 16);
    }
}
