package org.crs4j.models.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Properties on random Unicode text generated here (independent of the Python fixtures): decode(encode(s)) == s where
 * SentencePiece guarantees it (byte fallback, no whitespace folding, no normalization), and streaming decoding gives
 * the same text as decoding everything at once.
 */
class RoundTripTest {
    static final int[][] RANGES = {
            {0x20, 0x7E}, {0x09, 0x0D}, {0xA0, 0x17F}, {0x300, 0x36F}, {0x370, 0x3FF}, {0x400, 0x4FF}, {0x590, 0x6FF},
            {0x900, 0x97F}, {0x2000, 0x206F}, {0x2580, 0x259F}, {0x3000, 0x30FF}, {0x4E00, 0x4FFF}, {0xAC00, 0xAD00},
            {0xFF00, 0xFFEF}, {0x1F300, 0x1F6FF}, {0x1D400, 0x1D4FF}, {0xE000, 0xE0FF}, {0x10000, 0x100FF}};

    static String randomText(Random rnd) {
        return randomText(rnd, false);
    }

    static String randomText(Random rnd, boolean withSpaceSymbol) {
        StringBuilder b = new StringBuilder();
        int n = rnd.nextInt(40);
        for (int i = 0; i < n; i++) {
            int[] r = RANGES[rnd.nextInt(RANGES.length)];
            int c = r[0] + rnd.nextInt(r[1] - r[0] + 1);
            if (c == 0x2581 && !withSpaceSymbol) continue; // SentencePiece's whitespace symbol: text holding it is not guaranteed to survive
            b.appendCodePoint(c);
            if (rnd.nextInt(4) == 0) b.append(' ');
        }
        return b.toString();
    }

    private static void assertRoundTrip(Tokenizer tok) {
        Random rnd = new Random(1234);
        for (int i = 0; i < 2000; i++) {
            String s = randomText(rnd);
            assertEquals(s, tok.decode(tok.encode(s)), () -> tok.describe() + " " + SharedReferenceTest.quote(s));
        }
    }

    @Test
    void byteFallbackModelsRestoreAnyText() throws IOException {
        assertRoundTrip(SentencePieceTokenizer.load(Fixtures.resourcePath("spm/bpe_bytefallback.model")));
        assertRoundTrip(HfTokenizer.load(Fixtures.resourcePath("json/tok512_legacy.json")));
        assertRoundTrip(HfTokenizer.load(Fixtures.resourcePath("json/bytelevel_llama3.json")));
        assertRoundTrip(HfTokenizer.load(Fixtures.resourcePath("json/bytelevel_gpt2.json")));
    }

    @Test
    void realLlamaTokenizersRestoreAnyText() throws IOException {
        assertRoundTrip(SentencePieceTokenizer.load(Shared.require("models/llama2-tokenizer/tokenizer.model")));
        assertRoundTrip(SentencePieceTokenizer.load(Shared.require("models/stories260K/tok512.model")));
        assertRoundTrip(Llama2cTokenizer.load(Shared.require("models/stories260K/tok512.bin")));
    }

    @Test
    void streamingDecodeEqualsFullDecode() throws IOException {
        List<Tokenizer> tokenizers = List.of(
                SentencePieceTokenizer.load(Fixtures.resourcePath("spm/bpe_bytefallback.model")),
                SentencePieceTokenizer.load(Fixtures.resourcePath("spm/unigram_user_symbols.model")),
                HfTokenizer.load(Fixtures.resourcePath("json/bytelevel_llama3.json")),
                HfTokenizer.load(Fixtures.resourcePath("json/tok512_metaspace.json")));
        Random rnd = new Random(99);
        for (Tokenizer tok : tokenizers) {
            for (int i = 0; i < 300; i++) {
                checkEncoded(tok, randomText(rnd, true));
                // Random ids too: broken UTF-8 byte runs must neither be lost nor emitted twice. (Not for the library's
                // ByteFallback decoder: it turns a whole byte run into U+FFFDs when any byte of it is broken, so
                // later ids can rewrite text already shown; the library's own DecodeStream has the same limit.)
                if (tok.describe().contains("tok512_metaspace")) continue;
                int[] randomIds = rnd.ints(rnd.nextInt(12), 0, tok.vocabSize()).toArray();
                DecodeStream rs = tok.decodeStream();
                StringBuilder ro = new StringBuilder();
                for (int id : randomIds) ro.append(rs.next(id));
                ro.append(rs.flush());
                assertEquals(tok.decode(randomIds), ro.toString(), () -> tok.describe() + " ids " + java.util.Arrays.toString(randomIds));
            }
        }
    }

    private static void checkEncoded(Tokenizer tok, String s) {
        int[] ids = tok.encode(s);
        DecodeStream stream = tok.decodeStream();
        StringBuilder out = new StringBuilder();
        for (int id : ids) out.append(stream.next(id));
        out.append(stream.flush());
        assertEquals(tok.decode(ids), out.toString(), () -> tok.describe() + " " + SharedReferenceTest.quote(s));
    }
}
