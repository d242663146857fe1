package org.crs4j.models.tokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.crs4j.models.tokenizer.SentencePieceModel.Piece;
import org.crs4j.models.tokenizer.SentencePieceModel.PieceType;

/**
 * The pieces of a SentencePiece model indexed the way {@code ModelInterface::InitializePieces} indexes them: normal,
 * user-defined and unused pieces in one map (the ones segmentation may produce), control, unknown and byte pieces in
 * another that {@link #pieceToId} consults first. Construction applies SentencePiece's checks.
 */
final class SpmVocab {
    final byte[][] bytes;
    final String[] text;
    final float[] scores;
    final PieceType[] types;
    final BytesIntMap normal = new BytesIntMap();
    final BytesIntMap reserved = new BytesIntMap();
    final int unkId;
    final PrefixMatcher userDefined; // null when the model has none
    final int[] byteToId = new int[256]; // byte-fallback piece of each byte, -1 without byte fallback
    final int[] byteValue;                // byte of a BYTE piece, -1 for other pieces
    final boolean byteFallback;

    SpmVocab(SentencePieceModel model) throws TokenizerFormatException {
        Path file = model.file();
        List<Piece> pieces = model.pieces();
        int n = pieces.size();
        bytes = new byte[n][];
        text = new String[n];
        scores = new float[n];
        types = new PieceType[n];
        byteValue = new int[n];
        byteFallback = model.trainerSpec().byteFallback();
        List<byte[]> userSymbols = new ArrayList<>();
        boolean[] byteFound = new boolean[256];
        int unk = -1;
        for (int i = 0; i < n; i++) {
            Piece p = pieces.get(i);
            bytes[i] = p.bytes();
            text[i] = p.text();
            scores[i] = p.score();
            types[i] = p.type();
            byteValue[i] = -1;
            boolean isNormal = p.type() == PieceType.NORMAL || p.type() == PieceType.USER_DEFINED
                    || p.type() == PieceType.UNUSED;
            if (!(isNormal ? normal : reserved).putIfAbsent(p.bytes(), i))
                throw new TokenizerFormatException(file, "malformed SentencePiece model: piece " + i + " \"" + p.text()
                        + "\" is already defined");
            if (p.type() == PieceType.USER_DEFINED) userSymbols.add(p.bytes());
            if (p.type() == PieceType.UNKNOWN) {
                if (unk >= 0)
                    throw new TokenizerFormatException(file, "malformed SentencePiece model: unknown piece defined twice (ids "
                            + unk + " and " + i + ")");
                unk = i;
            }
            if (p.type() == PieceType.BYTE) {
                if (!byteFallback)
                    throw new TokenizerFormatException(file, "malformed SentencePiece model: byte piece " + p.text()
                            + " (id " + i + ") is found although byte_fallback is false");
                int b = pieceToByte(p.text());
                if (b < 0)
                    throw new TokenizerFormatException(file, "malformed SentencePiece model: byte piece \"" + p.text()
                            + "\" (id " + i + ") is not of the form <0xNN>");
                byteFound[b] = true;
                byteValue[i] = b;
            }
        }
        if (unk < 0) throw new TokenizerFormatException(file, "malformed SentencePiece model: no piece has type UNKNOWN");
        unkId = unk;
        if (byteFallback) {
            for (int b = 0; b < 256; b++) {
                if (!byteFound[b])
                    throw new TokenizerFormatException(file, "malformed SentencePiece model: byte_fallback is true but "
                            + "there is no byte piece " + byteToPiece(b));
                byteToId[b] = pieceToId(Utf8.bytes(byteToPiece(b)));
            }
        } else {
            java.util.Arrays.fill(byteToId, -1);
        }
        userDefined = userSymbols.isEmpty() ? null : new PrefixMatcher(userSymbols);
    }

    int size() {
        return bytes.length;
    }

    /** {@code ModelInterface::PieceToId}: reserved pieces first, then the others, else the unknown id. */
    int pieceToId(byte[] s, int off, int len) {
        int id = reserved.get(s, off, len);
        if (id >= 0) return id;
        id = normal.get(s, off, len);
        return id >= 0 ? id : unkId;
    }

    int pieceToId(byte[] s) {
        return pieceToId(s, 0, s.length);
    }

    /** Length of the next initial symbol: a user-defined symbol, else one UTF-8 character. */
    int symbolLength(byte[] s, int pos, int end) {
        if (userDefined != null) {
            int m = userDefined.longestMatch(s, pos, end);
            if (m > 0) return m;
        }
        return Math.min(Utf8.oneCharLen(s[pos]), end - pos);
    }

    boolean isUserDefinedAt(byte[] s, int pos, int end) {
        return userDefined != null && userDefined.longestMatch(s, pos, end) > 0;
    }

    static String byteToPiece(int b) {
        return String.format("<0x%02X>", b);
    }

    /** The byte of a piece {@code <0xNN>} (upper-case hex, as SentencePiece writes it), or -1. */
    static int pieceToByte(String piece) {
        if (piece.length() != 6 || !piece.startsWith("<0x") || piece.charAt(5) != '>') return -1;
        int hi = hex(piece.charAt(3)), lo = hex(piece.charAt(4));
        return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }
}
