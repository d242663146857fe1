package org.crs4j.models.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable byte array: the scratch space of one encode or decode call. */
final class ByteBuf {
    private byte[] a;
    private int n;

    ByteBuf(int capacity) {
        a = new byte[Math.max(16, capacity)];
    }

    void append(byte b) {
        if (n == a.length) a = Arrays.copyOf(a, a.length * 2);
        a[n++] = b;
    }

    void append(byte[] src, int off, int len) {
        if (n + len > a.length) a = Arrays.copyOf(a, Math.max(a.length * 2, n + len));
        System.arraycopy(src, off, a, n, len);
        n += len;
    }

    void append(byte[] src) {
        append(src, 0, src.length);
    }

    byte[] array() {
        return a;
    }

    int size() {
        return n;
    }

    void setSize(int size) {
        n = size;
    }

    boolean endsWith(byte[] suffix) {
        if (n < suffix.length) return false;
        for (int i = 0; i < suffix.length; i++) if (a[n - suffix.length + i] != suffix[i]) return false;
        return true;
    }

    String toUtf8() {
        return new String(a, 0, n, StandardCharsets.UTF_8);
    }
}
