package org.crs4j.data.prepare;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** LEB128 varints, zig-zag for possibly negative ints, and length-prefixed UTF-8 strings of any length. */
final class VarIO {
    private VarIO() {}

    static void writeVarInt(DataOutputStream out, int v) throws IOException {
        while ((v & ~0x7F) != 0) {
            out.writeByte((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.writeByte(v);
    }

    static int readVarInt(DataInputStream in) throws IOException {
        int v = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = in.read();
            if (b < 0) throw new EOFException("truncated varint");
            v |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return v;
        }
        throw new IOException("varint longer than 5 bytes");
    }

    static void writeSigned(DataOutputStream out, int v) throws IOException { writeVarInt(out, (v << 1) ^ (v >> 31)); }

    static int readSigned(DataInputStream in) throws IOException {
        int z = readVarInt(in);
        return (z >>> 1) ^ -(z & 1);
    }

    static void writeLong(DataOutputStream out, long v) throws IOException { out.writeLong(v); }

    /** Non-negative length, checked against a bound so that a corrupt file cannot ask for gigabytes. */
    static int readLength(DataInputStream in, int max) throws IOException {
        int n = readVarInt(in);
        if (n < 0 || n > max) throw new IOException("corrupt length " + n);
        return n;
    }

    static void writeInts(DataOutputStream out, int[] a) throws IOException {
        writeVarInt(out, a.length);
        for (int x : a) writeSigned(out, x);
    }

    /**
     * Arrays grow as their elements arrive instead of being allocated at the length a file declares: a corrupt length
     * costs no more memory than the data actually there before the stream ends.
     */
    static int[] readInts(DataInputStream in) throws IOException {
        int n = readLength(in, Integer.MAX_VALUE - 8);
        int[] a = new int[Math.min(n, 1 << 16)];
        for (int i = 0; i < n; i++) {
            if (i == a.length) a = java.util.Arrays.copyOf(a, (int) Math.min(n, 2L * a.length));
            a[i] = readSigned(in);
        }
        return a;
    }

    /** Sorted-ish arrays (CSR sources, offsets) as deltas: most fit in one byte. */
    static void writeDeltas(DataOutputStream out, int[] a) throws IOException {
        writeVarInt(out, a.length);
        int prev = 0;
        for (int x : a) { writeSigned(out, x - prev); prev = x; }
    }

    static int[] readDeltas(DataInputStream in) throws IOException {
        int[] a = readInts(in);
        for (int i = 1; i < a.length; i++) a[i] += a[i - 1];
        return a;
    }

    static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        writeVarInt(out, b.length);
        out.write(b);
    }

    static String readString(DataInputStream in) throws IOException {
        int n = readLength(in, 1 << 28);
        byte[] b = in.readNBytes(n); // grows with the data read, as readInts does
        if (b.length < n) throw new EOFException("string of " + n + " bytes cut short at " + b.length);
        return new String(b, StandardCharsets.UTF_8);
    }
}
