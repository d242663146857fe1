package org.crs4j.models.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * Seeded random Unicode strings (control characters, combining marks, fullwidth and compatibility forms, CJK, emoji
 * with joiners, zero-width and exotic spaces, literal "<s>" and "▁"...) against SentencePiece 0.1.97's ids and
 * decodes for the three real tokenizers in ../shared, and the llama2.c files of the same vocabularies.
 */
class RandomStringsTest {
    static final List<JsonNode> CASES = Fixtures.jsonLines("random_strings.jsonl.gz");

    private static void check(Tokenizer tok, String column) {
        int n = 0;
        for (JsonNode c : CASES) {
            String text = c.get("text").asText();
            // llama2.c stores '▁' as a space, so a literal U+2581 in the text is not a vocabulary character for it
            // (SentencePiece merges it like a space); llama2.c byte-encodes it. That difference is llama2.c's own.
            if (tok instanceof Llama2cTokenizer && text.indexOf('\u2581') >= 0) continue;
            n++;
            int[] ids = Fixtures.ids(c.get(column));
            assertArrayEquals(ids, tok.encode(text), () -> tok.describe() + " encode " + SharedReferenceTest.quote(text));
            assertEquals(c.get(column + "_decoded").asText(), tok.decode(ids), () -> tok.describe() + " decode " + SharedReferenceTest.quote(text));
        }
        System.out.println(tok.describe() + ": " + n + " random strings identical (encode and decode)");
    }

    @Test
    void t5() throws IOException {
        check(SentencePieceTokenizer.load(Shared.require("models/t5-tokenizer/spiece.model")), "t5");
    }

    @Test
    void llama2() throws IOException {
        check(SentencePieceTokenizer.load(Shared.require("models/llama2-tokenizer/tokenizer.model")), "llama2");
        check(Llama2cTokenizer.load(Shared.require("models/llama2-tokenizer/tokenizer.bin")), "llama2");
    }

    @Test
    void tok512() throws IOException {
        check(SentencePieceTokenizer.load(Shared.require("models/stories260K/tok512.model")), "tok512");
        check(Llama2cTokenizer.load(Shared.require("models/stories260K/tok512.bin")), "tok512");
    }
}
