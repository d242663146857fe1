package org.crs4j.models.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * The reference encodings shipped in ../shared: SentencePiece 0.1.97's ids, pieces and decodes for T5 and LLaMA-2,
 * llama.cpp's independent LLaMA-2 test vectors, and the stories260K prompt ids.
 */
class SharedReferenceTest {

    record Case(String text, int[] ids, List<String> pieces, String decoded) {}

    static List<Case> cases(Path json) throws IOException {
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        List<Case> out = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            int[] ids = new int[c.get("ids").size()];
            for (int i = 0; i < ids.length; i++) ids[i] = c.get("ids").get(i).asInt();
            List<String> pieces = new ArrayList<>();
            c.get("pieces").forEach(p -> pieces.add(p.asText()));
            out.add(new Case(c.get("text").asText(), ids, pieces, c.get("decoded").asText()));
        }
        return out;
    }

    private static void checkCases(Tokenizer tok, Path json, boolean checkDecode) throws IOException {
        List<Case> cases = cases(json);
        for (Case c : cases) {
            int[] ids = tok.encode(c.text());
            assertArrayEquals(c.ids(), ids, () -> tok.describe() + " encode " + quote(c.text()));
            if (checkDecode) assertEquals(c.decoded(), tok.decode(c.ids()), () -> tok.describe() + " decode " + quote(c.text()));
        }
        System.out.println(tok.describe() + ": " + cases.size() + " reference cases identical");
    }

    @Test
    void t5SpieceMatchesSentencePiece() throws IOException {
        Path dir = Shared.require("models/t5-tokenizer");
        SentencePieceTokenizer tok = SentencePieceTokenizer.load(dir.resolve("spiece.model"));
        checkCases(tok, dir.resolve("reference_encodings.json"), true);
        // Pieces too: byte-exact piece strings except merged unknown runs (SentencePiece reports their surface).
        for (Case c : cases(dir.resolve("reference_encodings.json"))) {
            for (int i = 0; i < c.ids().length; i++)
                if (c.ids()[i] != tok.specialTokens().unk()) assertEquals(c.pieces().get(i), tok.piece(c.ids()[i]));
        }
        assertEquals(new SpecialTokens(-1, 1, 0, 2), tok.specialTokens());
        assertEquals(32000, tok.vocabSize());
    }

    @Test
    void llama2ModelMatchesSentencePiece() throws IOException {
        Path dir = Shared.require("models/llama2-tokenizer");
        SentencePieceTokenizer tok = SentencePieceTokenizer.load(dir.resolve("tokenizer.model"));
        checkCases(tok, dir.resolve("reference_encodings.json"), true);
        assertEquals(new SpecialTokens(1, 2, -1, 0), tok.specialTokens());
    }

    @Test
    void llama2TokenizerBinMatchesSentencePiece() throws IOException {
        Path dir = Shared.require("models/llama2-tokenizer");
        Llama2cTokenizer tok = Llama2cTokenizer.load(dir.resolve("tokenizer.bin"));
        checkCases(tok, dir.resolve("reference_encodings.json"), true);
        assertEquals(32000, tok.vocabSize());
    }

    static List<String> llamaCppInputs(Path inp) throws IOException {
        String all = Files.readString(inp, StandardCharsets.UTF_8);
        String sep = "\n__ggml_vocab_test__\n";
        List<String> out = new ArrayList<>();
        int from = 0;
        for (int at = all.indexOf(sep); at >= 0; at = all.indexOf(sep, from)) {
            out.add(all.substring(from, at));
            from = at + sep.length();
        }
        return out;
    }

    static List<int[]> llamaCppOutputs(Path out) throws IOException {
        List<int[]> ids = new ArrayList<>();
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            String t = line.trim();
            ids.add(t.isEmpty() ? new int[0] : java.util.Arrays.stream(t.split(" +")).mapToInt(Integer::parseInt).toArray());
        }
        return ids;
    }

    @Test
    void llamaCppVectors() throws IOException {
        Path dir = Shared.require("models/llama2-tokenizer");
        List<String> inputs = llamaCppInputs(dir.resolve("llamacpp-vocab-test.inp"));
        List<int[]> expected = llamaCppOutputs(dir.resolve("llamacpp-vocab-test.out"));
        assertEquals(46, inputs.size());
        assertEquals(inputs.size(), expected.size());
        for (Tokenizer tok : List.of(SentencePieceTokenizer.load(dir.resolve("tokenizer.model")),
                Llama2cTokenizer.load(dir.resolve("tokenizer.bin")))) {
            for (int i = 0; i < inputs.size(); i++) {
                int k = i;
                assertArrayEquals(expected.get(i), tok.encode(inputs.get(i)), () -> tok.describe() + " case " + k + " " + quote(inputs.get(k)));
            }
            System.out.println(tok.describe() + ": " + inputs.size() + " llama.cpp vectors identical");
        }
    }

    @Test
    void stories260kPrompt() throws IOException {
        Path dir = Shared.require("models/stories260K");
        int[] expected = {1, 403, 407, 261, 378, 432, 383, 286, 261, 400, 428};
        String prompt = "Once upon a time, there was a dog";
        for (Tokenizer tok : List.of(SentencePieceTokenizer.load(dir.resolve("tok512.model")),
                Llama2cTokenizer.load(dir.resolve("tok512.bin")), Tokenizers.load(dir.resolve("hf")))) {
            assertArrayEquals(expected, tok.encode(prompt, true, false), tok.describe());
            assertEquals(prompt, tok.decode(expected), tok.describe());
        }
        JsonNode ref = new ObjectMapper().readTree(dir.resolve("reference.json").toFile());
        JsonNode greedy = ref.get("greedy_from_bos");
        if (greedy != null && greedy.has("ids") && greedy.has("text")) {
            int[] ids = new int[greedy.get("ids").size()];
            for (int i = 0; i < ids.length; i++) ids[i] = greedy.get("ids").get(i).asInt();
            Tokenizer tok = SentencePieceTokenizer.load(dir.resolve("tok512.model"));
            assertEquals(greedy.get("text").asText(), tok.decode(ids));
        }
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        s.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7F) b.append(String.format("\\u%04x", c));
            else b.appendCodePoint(c);
        });
        return b.append('"').toString();
    }
}
