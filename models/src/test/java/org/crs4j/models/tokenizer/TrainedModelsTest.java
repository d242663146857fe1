package org.crs4j.models.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Small models trained by SentencePiece's own trainer (committed with scripts/make_tokenizer_parity.py), one per
 * option the encoder must honour, against SentencePiece 0.1.97's ids and decodes. Needs nothing outside the repository.
 */
class TrainedModelsTest {
    static final List<JsonNode> CASES = Fixtures.jsonLines("spm/cases.jsonl.gz");

    @ParameterizedTest
    @ValueSource(strings = {"bpe_bytefallback", "bpe_suffix", "unigram_user_symbols", "unigram_no_prefix", "unigram_rules",
            "char", "word"})
    void matchesSentencePiece(String name) throws IOException {
        SentencePieceTokenizer tok = SentencePieceTokenizer.load(Fixtures.resourcePath("spm/" + name + ".model"));
        for (JsonNode c : CASES) {
            String text = c.get("text").asText();
            int[] ids = Fixtures.ids(c.get(name));
            assertArrayEquals(ids, tok.encode(text), () -> name + " encode " + SharedReferenceTest.quote(text));
            assertEquals(c.get(name + "_decoded").asText(), tok.decode(ids), () -> name + " decode " + SharedReferenceTest.quote(text));
        }
    }
}
