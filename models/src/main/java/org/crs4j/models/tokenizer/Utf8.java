package org.crs4j.models.tokenizer;

import java.nio.charset.StandardCharsets;

/** UTF-8 the way SentencePiece reads it: byte-level, with one U+FFFD per byte that does not start a valid character. */
final class Utf8 {
    private Utf8() {}

    static final byte[] REPLACEMENT = {(byte) 0xEF, (byte) 0xBF, (byte) 0xBD};

    /** Length of the character that starts with {@code lead}, from the lead byte alone (SentencePiece's OneCharLen). */
    static int oneCharLen(byte lead) {
        int hi = (lead & 0xFF) >>> 4;
        return hi < 12 ? 1 : hi < 14 ? 2 : hi == 14 ? 3 : 4;
    }

    /**
     * Length of the valid UTF-8 character at {@code pos}, or -1 when the byte there does not start one (then one byte
     * is consumed and stands for U+FFFD). Overlong forms, surrogates and code points above U+10FFFF are invalid.
     */
    static int validCharLen(byte[] s, int pos, int end) {
        int b0 = s[pos] & 0xFF;
        int len = end - pos;
        if (b0 < 0x80) return 1;
        if (len >= 2 && (b0 & 0xE0) == 0xC0) {
            int cp = ((b0 & 0x1F) << 6) | (s[pos + 1] & 0x3F);
            if (trail(s[pos + 1]) && cp >= 0x80) return 2;
        } else if (len >= 3 && (b0 & 0xF0) == 0xE0) {
            int cp = ((b0 & 0x0F) << 12) | ((s[pos + 1] & 0x3F) << 6) | (s[pos + 2] & 0x3F);
            if (trail(s[pos + 1]) && trail(s[pos + 2]) && cp >= 0x800 && validCodepoint(cp)) return 3;
        } else if (len >= 4 && (b0 & 0xF8) == 0xF0) {
            int cp = ((b0 & 0x07) << 18) | ((s[pos + 1] & 0x3F) << 12) | ((s[pos + 2] & 0x3F) << 6) | (s[pos + 3] & 0x3F);
            if (trail(s[pos + 1]) && trail(s[pos + 2]) && trail(s[pos + 3]) && cp >= 0x10000 && validCodepoint(cp))
                return 4;
        }
        return -1;
    }

    private static boolean trail(byte b) {
        return (b & 0xC0) == 0x80;
    }

    private static boolean validCodepoint(int c) {
        return c < 0xD800 || (c >= 0xE000 && c <= 0x10FFFF);
    }

    /** Decodes bytes that may hold broken sequences: each byte that does not start a valid character becomes U+FFFD. */
    static String decodeLossy(byte[] s, int off, int len) {
        int end = off + len;
        // Fast path: the common case is valid UTF-8 throughout.
        int p = off;
        while (p < end) {
            int n = validCharLen(s, p, end);
            if (n < 0) break;
            p += n;
        }
        if (p == end) return new String(s, off, len, StandardCharsets.UTF_8);
        ByteBuf out = new ByteBuf(len + 8);
        out.append(s, off, p - off);
        while (p < end) {
            int n = validCharLen(s, p, end);
            if (n < 0) {
                out.append(REPLACEMENT, 0, 3);
                p++;
            } else {
                out.append(s, p, n);
                p += n;
            }
        }
        return new String(out.array(), 0, out.size(), StandardCharsets.UTF_8);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
