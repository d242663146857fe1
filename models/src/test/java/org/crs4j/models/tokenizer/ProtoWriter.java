package org.crs4j.models.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Writes protobuf wire format for tests: small SentencePiece models and deliberately broken ones. */
final class ProtoWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    ProtoWriter varint(long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
        return this;
    }

    ProtoWriter tag(int field, int wire) {
        return varint((long) field << 3 | wire);
    }

    ProtoWriter varintField(int field, long v) {
        return tag(field, 0).varint(v);
    }

    ProtoWriter bytesField(int field, byte[] b) {
        tag(field, 2).varint(b.length);
        out.writeBytes(b);
        return this;
    }

    ProtoWriter stringField(int field, String s) {
        return bytesField(field, s.getBytes(StandardCharsets.UTF_8));
    }

    ProtoWriter floatField(int field, float f) {
        tag(field, 5);
        int bits = Float.floatToIntBits(f);
        for (int i = 0; i < 4; i++) out.write((bits >>> (8 * i)) & 0xFF);
        return this;
    }

    ProtoWriter raw(int... bytes) {
        for (int b : bytes) out.write(b);
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    static byte[] piece(String text, float score, int type) {
        return new ProtoWriter().stringField(1, text).floatField(2, score).varintField(3, type).bytes();
    }

    /** A minimal valid BPE model: unk, bos, eos, "a", "b", "ab", "▁", "▁a" (+ all 256 byte pieces when asked). */
    static ProtoWriter minimalBpe(boolean byteFallback) {
        ProtoWriter w = new ProtoWriter();
        w.bytesField(1, piece("<unk>", 0, 2)).bytesField(1, piece("<s>", 0, 3)).bytesField(1, piece("</s>", 0, 3));
        if (byteFallback) for (int b = 0; b < 256; b++) w.bytesField(1, piece(String.format("<0x%02X>", b), 0, 6));
        w.bytesField(1, piece("a", -1, 1)).bytesField(1, piece("b", -2, 1)).bytesField(1, piece("ab", -3, 1))
                .bytesField(1, piece("\u2581", -4, 1)).bytesField(1, piece("\u2581a", -5, 1));
        ProtoWriter trainer = new ProtoWriter().varintField(3, 2).varintField(35, byteFallback ? 1 : 0);
        w.bytesField(2, trainer.bytes());
        w.bytesField(3, new ProtoWriter().stringField(1, "identity").varintField(4, 0).bytes());
        return w;
    }
}
