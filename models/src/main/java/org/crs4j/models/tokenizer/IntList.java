package org.crs4j.models.tokenizer;

import java.util.Arrays;

/** A growable int array (token ids, offsets) without boxing. */
final class IntList {
    private int[] a;
    private int n;

    IntList(int capacity) {
        a = new int[Math.max(8, capacity)];
    }

    void add(int v) {
        if (n == a.length) a = Arrays.copyOf(a, a.length * 2);
        a[n++] = v;
    }

    int get(int i) {
        return a[i];
    }

    void set(int i, int v) {
        a[i] = v;
    }

    int size() {
        return n;
    }

    void clear() {
        n = 0;
    }

    void addAll(int[] v) {
        for (int x : v) add(x);
    }

    int[] toArray() {
        return Arrays.copyOf(a, n);
    }
}
