package org.crs4j.crs.controller;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.crs4j.models.tokenizer.SpecialTokens;
import org.crs4j.models.tokenizer.Tokenizer;
import org.crs4j.models.tokenizer.Tokenizers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller's bundled vocabulary (scripts/train_controller_tokenizer.py) encodes as SentencePiece itself does:
 * ids written by Debian's python3-sentencepiece for synthetic strings (committed with their text) and for the first 200
 * test utterances of ReDial, INSPIRED and TG-ReDial (ids committed, text read from ../shared).
 */
class ControllerTokenizerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Tokenizer bundled(Path tmp) throws Exception {
        Path f = tmp.resolve("spiece.model");
        Files.write(f, ControllerModels.resource(ControllerModels.TOKENIZER));
        return Tokenizers.fromFile(f);
    }

    private static List<JsonNode> fixture() throws Exception {
        List<JsonNode> rows = new ArrayList<>();
        try (var in = ControllerTokenizerTest.class.getResourceAsStream("/org/crs4j/crs/controller/tokenizer_parity.jsonl.gz");
             BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(in), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) rows.add(JSON.readTree(line));
        }
        return rows;
    }

    private static int[] ids(JsonNode n) {
        int[] a = new int[n.size()];
        for (int i = 0; i < a.length; i++) a[i] = n.get(i).asInt();
        return a;
    }

    @Test
    void hasTheT5LayoutAndEncodesSyntheticStringsAsSentencePiece(@TempDir Path tmp) throws Exception {
        Tokenizer tok = bundled(tmp);
        assertEquals(8000, tok.vocabSize());
        SpecialTokens sp = tok.specialTokens();
        assertEquals(0, sp.pad());
        assertEquals(1, sp.eos());
        assertEquals(2, sp.unk());
        int synthetic = 0;
        for (JsonNode row : fixture()) {
            if (!row.has("text")) continue;
            String text = row.get("text").asText();
            assertArrayEquals(ids(row.get("ids")), tok.encode(text), text);
            assertEquals(row.get("decoded").asText(), tok.decode(ids(row.get("ids"))), text);
            synthetic++;
        }
        assertEquals(12, synthetic);
        for (int id : tok.encode("我想看一部周星驰的喜剧。")) assertTrue(id != 2, "Chinese text has pieces, not <unk>");
    }

    @Test
    void encodesRealTestUtterancesAsSentencePiece(@TempDir Path tmp) throws Exception {
        String shared = System.getProperty("crs4j.shared");
        Path data = shared == null ? null : Path.of(shared, "data");
        assumeTrue(data != null && Files.isDirectory(data.resolve("tgredial")), "../shared/data not found under crs4j.shared=" + shared);
        Map<String, List<String>> texts = new LinkedHashMap<>();
        texts.put("redial", lines(data.resolve("redial/raw/test_data.jsonl.gz"), n -> n.get("messages"), "text"));
        texts.put("inspired", lines(data.resolve("inspired/unicrs/test_data_dbpedia.jsonl.gz"), n -> n, "text"));
        List<String> tg = new ArrayList<>();
        try (var in = new GZIPInputStream(Files.newInputStream(data.resolve("tgredial/test_data.json.gz")))) {
            for (JsonNode conv : JSON.readTree(in)) for (JsonNode m : conv.get("messages")) if (tg.size() < 200) tg.add(m.get("content").asText());
        }
        texts.put("tgredial", tg);
        Tokenizer tok = bundled(tmp);
        int compared = 0;
        for (JsonNode row : fixture()) {
            if (!row.has("dataset")) continue;
            String text = texts.get(row.get("dataset").asText()).get(row.get("utterance").asInt());
            assertArrayEquals(ids(row.get("ids")), tok.encode(text), text);
            compared++;
        }
        assertEquals(600, compared);
    }

    private static List<String> lines(Path file, java.util.function.Function<JsonNode, JsonNode> turns, String field) throws Exception {
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null && out.size() < 200; ) {
                for (JsonNode t : turns.apply(JSON.readTree(line))) if (out.size() < 200) out.add(t.get(field).asText());
            }
        }
        return out;
    }
}
