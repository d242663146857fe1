package org.crs4j.models.tokenizer;

/**
 * GPT-2's byte-to-character table used by byte-level BPE (GPT-2, LLaMA 3): printable Latin-1 bytes stand for
 * themselves, the other 68 bytes map to U+0100 onwards, so that every byte string is a string of visible characters
 * (a space becomes 'Ġ', a newline 'Ċ').
 */
final class ByteLevelAlphabet {
    private ByteLevelAlphabet() {}

    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            BYTE_TO_CHAR[b] = printable ? (char) b : (char) (256 + n++);
            CHAR_TO_BYTE[BYTE_TO_CHAR[b]] = b;
        }
    }

    /** The UTF-8 bytes of {@code s}, each written as its byte-level character. */
    static String encode(String s) {
        byte[] b = Utf8.bytes(s);
        char[] out = new char[b.length];
        for (int i = 0; i < b.length; i++) out[i] = BYTE_TO_CHAR[b[i] & 0xFF];
        return new String(out);
    }

    /** The byte a character stands for, or -1 when it is not in the alphabet. */
    static int byteOf(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }
}
