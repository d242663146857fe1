package org.crs4j.models.tokenizer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads the protocol-buffers wire format (varints, fixed32/64, length-delimited fields, groups) from a byte array,
 * enough to read SentencePiece's {@code ModelProto} without a protobuf dependency. Errors name the file, the message
 * being read and the byte offset.
 */
final class ProtoReader {
    static final int VARINT = 0, FIXED64 = 1, LEN = 2, START_GROUP = 3, END_GROUP = 4, FIXED32 = 5;

    private final byte[] buf;
    private final Path file;
    private final String message;
    private int pos;
    private final int limit;
    private int lastTagOffset;

    ProtoReader(byte[] buf, Path file, String message) {
        this(buf, 0, buf.length, file, message);
    }

    private ProtoReader(byte[] buf, int pos, int limit, Path file, String message) {
        this.buf = buf;
        this.pos = pos;
        this.limit = limit;
        this.file = file;
        this.message = message;
    }

    boolean hasMore() {
        return pos < limit;
    }

    /** Reads a field tag; returns it as {@code field << 3 | wireType}. */
    int readTag() throws TokenizerFormatException {
        lastTagOffset = pos;
        long tag = readVarint();
        int wire = (int) (tag & 7);
        long field = tag >>> 3;
        if (field == 0 || field > (1 << 29) - 1)
            throw error("invalid field number " + field + " at byte " + lastTagOffset);
        if (wire > FIXED32)
            throw error("bad wire type " + wire + " for field " + field + " at byte " + lastTagOffset);
        return (int) tag;
    }

    static int field(int tag) {
        return tag >>> 3;
    }

    static int wireType(int tag) {
        return tag & 7;
    }

    long readVarint() throws TokenizerFormatException {
        int start = pos;
        long result = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (pos >= limit)
                throw error("truncated varint at byte " + start + " (" + where() + ")");
            byte b = buf[pos++];
            result |= (long) (b & 0x7F) << shift;
            if (b >= 0) return result;
        }
        throw error("varint longer than 10 bytes at byte " + start);
    }

    int readFixed32() throws TokenizerFormatException {
        need(4, "fixed32");
        int v = (buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8 | (buf[pos + 2] & 0xFF) << 16 | (buf[pos + 3] & 0xFF) << 24;
        pos += 4;
        return v;
    }

    long readFixed64() throws TokenizerFormatException {
        long lo = readFixed32() & 0xFFFFFFFFL;
        long hi = readFixed32() & 0xFFFFFFFFL;
        return lo | hi << 32;
    }

    /** A reader over the next length-delimited field, for an embedded message named {@code name}. */
    ProtoReader readMessage(String name) throws TokenizerFormatException {
        int len = readLength(name);
        ProtoReader sub = new ProtoReader(buf, pos, pos + len, file, name);
        pos += len;
        return sub;
    }

    byte[] readBytes(String name) throws TokenizerFormatException {
        int len = readLength(name);
        byte[] out = Arrays.copyOfRange(buf, pos, pos + len);
        pos += len;
        return out;
    }

    String readString(String name) throws TokenizerFormatException {
        return new String(readBytes(name), StandardCharsets.UTF_8);
    }

    boolean readBool() throws TokenizerFormatException {
        return readVarint() != 0;
    }

    /** int32 fields: negative values are sign-extended 10-byte varints. */
    int readInt32() throws TokenizerFormatException {
        return (int) readVarint();
    }

    /** Skips a field the reader does not need, per its wire type. */
    void skip(int tag) throws TokenizerFormatException {
        switch (wireType(tag)) {
            case VARINT -> readVarint();
            case FIXED64 -> { need(8, "fixed64"); pos += 8; }
            case LEN -> {
                int len = readLength("field " + field(tag)); // read before adding: pos moves past the length
                pos += len;
            }
            case FIXED32 -> { need(4, "fixed32"); pos += 4; }
            case START_GROUP -> {
                while (true) {
                    if (!hasMore())
                        throw error("group of field " + field(tag) + " starting at byte " + lastTagOffset + " has no end");
                    int inner = readTag();
                    if (wireType(inner) == END_GROUP) {
                        if (field(inner) != field(tag))
                            throw error("group of field " + field(tag) + " closed by field " + field(inner));
                        return;
                    }
                    skip(inner);
                }
            }
            case END_GROUP -> throw error("unexpected end of group (field " + field(tag) + ") at byte " + lastTagOffset);
            default -> throw error("bad wire type " + wireType(tag) + " at byte " + lastTagOffset);
        }
    }

    /** Fails unless the field just read has the expected wire type. */
    void expect(int tag, int wireType, String fieldName) throws TokenizerFormatException {
        if (wireType(tag) != wireType)
            throw error(message + "." + fieldName + " (field " + field(tag) + ") has wire type " + wireType(tag)
                    + ", expected " + wireType + ", at byte " + lastTagOffset);
    }

    TokenizerFormatException error(String what) {
        return new TokenizerFormatException(file, "malformed SentencePiece model: " + what);
    }

    private int readLength(String name) throws TokenizerFormatException {
        int start = pos;
        long len = readVarint();
        if (len < 0 || len > limit - pos)
            throw error("length " + len + " of " + name + " at byte " + start + " runs past the end of " + where()
                    + " (" + (limit - pos) + " bytes left)");
        return (int) len;
    }

    private void need(int n, String what) throws TokenizerFormatException {
        if (limit - pos < n)
            throw error("truncated " + what + " at byte " + pos + " (" + where() + ")");
    }

    private String where() {
        return message + " ending at byte " + limit;
    }
}
