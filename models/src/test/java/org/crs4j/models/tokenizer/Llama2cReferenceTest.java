package org.crs4j.models.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.IOException;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** The llama2.c tokenizer against ids produced by llama2.c's own encode() (scripts/make_llama2c_fixture.py). */
class Llama2cReferenceTest {
    static final List<JsonNode> CASES = Fixtures.jsonLines("llama2c_encodings.jsonl.gz");

    private static void check(String file, String column) throws IOException {
        Llama2cTokenizer tok = Llama2cTokenizer.load(Shared.require(file));
        for (JsonNode c : CASES) {
            String text = c.get("text").asText();
            assertArrayEquals(Fixtures.ids(c.get(column)), tok.encode(text), () -> file + " " + SharedReferenceTest.quote(text));
        }
        System.out.println(tok.describe() + ": " + CASES.size() + " strings identical to llama2.c run.c encode()");
    }

    @Test
    void tok512() throws IOException {
        check("models/stories260K/tok512.bin", "tok512");
    }

    @Test
    void llama2() throws IOException {
        check("models/llama2-tokenizer/tokenizer.bin", "llama2");
    }
}
