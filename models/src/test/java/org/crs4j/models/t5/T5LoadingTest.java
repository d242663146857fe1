package org.crs4j.models.t5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.crs4j.models.LanguageModel;
import org.crs4j.models.LanguageModels;
import org.crs4j.models.ModelFormatException;
import org.crs4j.models.llama.Llama;
import org.crs4j.models.tokenizer.Tokenizer;
import org.crs4j.nn.transformer.FeedForward;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.io.Safetensors;
import org.crs4j.tensor.io.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** config.json reading, weight loading (aliases, dtypes, zero copy) and every way a T5 folder can be broken. */
class T5LoadingTest {
    @TempDir
    Path tmp;

    /** A copy of a fixture folder to break. */
    Path copy(String variant) throws Exception {
        Path src = PyTorchParityTest.fixture(variant), dst = Files.createTempDirectory(tmp, variant);
        try (var files = Files.list(src)) {
            for (Path f : files.toList()) Files.copy(f, dst.resolve(f.getFileName()));
        }
        return dst;
    }

    Path config(String json) throws IOException {
        Path f = tmp.resolve("config-" + Math.abs(json.hashCode()) + ".json");
        Files.writeString(f, json);
        return f;
    }

    @Test
    void flanT5LargeConfigAndT5ConfigDefaults() throws Exception {
        // google/flan-t5-large's config.json
        T5Config flan = T5Config.fromJson(config("""
                {"architectures": ["T5ForConditionalGeneration"], "d_ff": 2816, "d_kv": 64, "d_model": 1024,
                 "decoder_start_token_id": 0, "dense_act_fn": "gelu_new", "dropout_rate": 0.1, "eos_token_id": 1,
                 "feed_forward_proj": "gated-gelu", "initializer_factor": 1.0, "is_encoder_decoder": true,
                 "is_gated_act": true, "layer_norm_epsilon": 1e-06, "model_type": "t5", "n_positions": 512,
                 "num_decoder_layers": 24, "num_heads": 16, "num_layers": 24, "output_past": true, "pad_token_id": 0,
                 "relative_attention_max_distance": 128, "relative_attention_num_buckets": 32,
                 "tie_word_embeddings": false, "torch_dtype": "float32", "transformers_version": "4.23.1",
                 "use_cache": true, "vocab_size": 32128}"""));
        assertEquals(FeedForward.Kind.GATED_GELU, flan.feedForward());
        assertFalse(flan.tieWordEmbeddings());
        assertEquals(783_150_080L, flan.parameterCount(), "Flan-T5-Large's parameter count");
        // t5-small's: no feed_forward_proj, no tie_word_embeddings, no num_decoder_layers
        T5Config small = T5Config.fromJson(config("""
                {"architectures": ["T5ForConditionalGeneration"], "d_ff": 2048, "d_kv": 64, "d_model": 512,
                 "decoder_start_token_id": 0, "dropout_rate": 0.1, "eos_token_id": 1, "initializer_factor": 1.0,
                 "is_encoder_decoder": true, "layer_norm_epsilon": 1e-06, "model_type": "t5", "n_positions": 512,
                 "num_heads": 8, "num_layers": 6, "output_past": true, "pad_token_id": 0,
                 "relative_attention_num_buckets": 32, "vocab_size": 32128}"""));
        assertEquals(FeedForward.Kind.RELU, small.feedForward());
        assertTrue(small.tieWordEmbeddings());
        assertEquals(6, small.numDecoderLayers());
        assertEquals(128, small.relativeAttentionMaxDistance());
        assertEquals(60_506_624L, small.parameterCount(), "t5-small's parameter count");
        assertArrayEquals(new int[] {1}, small.eosTokenIds());
    }

    @Test
    void configErrorsNameTheFileAndField() throws Exception {
        String[][] cases = {
                {"{\"model_type\": \"bert\"}", "model_type"},
                {"{\"model_type\": \"t5\", \"feed_forward_proj\": \"gated-silu\"}", "feed_forward_proj"},
                {"{\"model_type\": \"t5\", \"feed_forward_proj\": \"gelu-new\"}", "feed_forward_proj"},
                {"{\"model_type\": \"t5\", \"num_heads\": 0}", "num_heads"},
                {"{\"model_type\": \"t5\", \"d_kv\": \"64\"}", "d_kv"},
                {"{\"model_type\": \"t5\", \"decoder_start_token_id\": 40000}", "decoder_start_token_id"},
                {"{\"model_type\": \"t5\", \"relative_attention_num_buckets\": 1}", "relative_attention_num_buckets"},
                {"{\"model_type\": \"t5\", \"tie_word_embeddings\": \"no\"}", "tie_word_embeddings"},
                {"{\"model_type\": \"t5\", \"eos_token_id\": [1, \"x\"]}", "eos_token_id[1]"},
                {"{\"model_type\": \"t5\",", "invalid JSON"},
                {"[1, 2]", "expected a JSON object"},
        };
        for (String[] c : cases) {
            Path f = config(c[0]);
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> T5Config.fromJson(f), c[0]);
            assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
        }
        assertThrows(NoSuchFileException.class, () -> T5Config.fromJson(tmp.resolve("nope.json")));
    }

    @Test
    void weightsStayMappedInTheirStoredDtype() throws Exception {
        for (String variant : PyTorchParityTest.VARIANTS) {
            try (T5 t5 = T5.load(PyTorchParityTest.fixture(variant))) {
                DType want = variant.equals("sharded-bf16") ? DType.BF16 : DType.F32;
                t5.model().parameters().forEach(p -> {
                    var s = (org.crs4j.tensor.cpu.CpuStorage) p.data().storage();
                    assertEquals(want, p.data().dtype());
                    assertTrue(s.segment() != null && s.segment().isNative() && s.floats() == null, variant + ": a heap copy of a weight");
                });
            }
        }
    }

    /** Rewrites a fixture's weights with {@code edit} applied to the tensor map. */
    Path withWeights(String variant, java.util.function.Consumer<Map<String, Tensor>> edit) throws Exception {
        Path dir = copy(variant);
        Map<String, Tensor> w = new LinkedHashMap<>();
        try (Safetensors st = Safetensors.open(dir)) {
            for (var info : st.tensors()) w.put(info.name(), st.tensor(info.name()).to(info.dtype()).copy());
        }
        edit.accept(w);
        SafetensorsWriter.write(dir.resolve("model.safetensors"), w, Map.of("format", "pt"));
        return dir;
    }

    @Test
    void brokenWeightsAreReportedByName() throws Exception {
        Path missing = withWeights("v1_1", w -> w.remove("encoder.block.1.layer.0.SelfAttention.q.weight"));
        assertMessage(missing, "missing [encoder.block.1.layer.0.SelfAttention.q.weight]");
        Path noHead = withWeights("v1_1", w -> w.remove("lm_head.weight"));
        assertMessage(noHead, "tie_word_embeddings: false means an output layer of its own, but model.safetensors has no lm_head.weight");
        Path shape = withWeights("v1_1", w -> w.put("decoder.final_layer_norm.weight", Tensor.ones(17)));
        assertMessage(shape, "decoder.final_layer_norm.weight [17] vs [16]");
        Path ints = withWeights("v1_1", w -> w.put("decoder.final_layer_norm.weight", Tensor.zeros(DType.I32, 16)));
        assertMessage(ints, "\"decoder.final_layer_norm.weight\" has dtype I32");
        Path extra = withWeights("v1_1", w -> w.put("encoder.block.9.layer.0.SelfAttention.q.weight", Tensor.zeros(18, 16)));
        assertMessage(extra, "num_layers: 2, but model.safetensors holds 3 blocks (encoder.block.0, 1, 9)");
        Path alias = withWeights("v1_1", w -> w.put("decoder.embed_tokens.weight", Tensor.zeros(63, 16)));
        assertMessage(alias, "\"decoder.embed_tokens.weight\" [63, 16] does not have the shape of the shared embedding");
        Path noShared = withWeights("v1_1", w -> w.remove("shared.weight"));
        assertMessage(noShared, "vocab_size: 64, but model.safetensors has no shared.weight");
        Path noWeights = copy("original");
        Files.delete(noWeights.resolve("model.safetensors"));
        assertThrows(NoSuchFileException.class, () -> T5.load(noWeights));
        assertThrows(NoSuchFileException.class, () -> T5.load(tmp.resolve("nothing-here")));
    }

    private static void assertMessage(Path dir, String part) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> T5.load(dir));
        assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains(part), e.getMessage());
    }

    @Test
    void aliasesAndLegacyTensorsOfTiedCheckpoints() throws Exception {
        // "original" stores the embedding only as encoder./decoder.embed_tokens and carries a legacy cross bias
        try (Safetensors st = Safetensors.open(PyTorchParityTest.fixture("original"))) {
            assertFalse(st.contains("shared.weight"));
            assertTrue(st.contains("decoder.block.0.layer.1.EncDecAttention.relative_attention_bias.weight"));
        }
        // a tied checkpoint that also carries lm_head.weight: ignored (tied means the shared embedding, rescaled)
        Path withHead = withWeights("original", w -> w.put("lm_head.weight", Tensor.zeros(64, 16)));
        try (T5 a = T5.load(withHead); T5 b = T5.load(PyTorchParityTest.fixture("original"))) {
            assertEquals(b.logProb("recommend a funny movie", "a movie").item(), a.logProb("recommend a funny movie", "a movie").item(), 0);
        }
    }

    @Test
    void languageModelsPicksTheArchitectureAndGenerationConfigIsRead() throws Exception {
        try (LanguageModel lm = LanguageModels.load(PyTorchParityTest.fixture("v1_1"))) {
            assertTrue(lm instanceof T5 && lm.isEncoderDecoder());
            assertArrayEquals(new int[] {1}, lm.defaults().stopTokens());
            assertEquals(0, lm.defaults().temperature());
            assertEquals(256, lm.defaults().maxNewTokens());
        }
        Path llamaFixture = Path.of(T5LoadingTest.class.getResource("/org/crs4j/models/llama/fixtures/untied-gqa/config.json").toURI()).getParent();
        try (LanguageModel lm = LanguageModels.load(llamaFixture)) {
            assertTrue(lm instanceof Llama && !lm.isEncoderDecoder());
        }
        Path other = copy("v1_1");
        Files.writeString(other.resolve("config.json"), "{\"model_type\": \"gpt2\"}");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> LanguageModels.load(other));
        assertTrue(e.getMessage().contains("model_type") && e.getMessage().contains("gpt2"), e.getMessage());
        // generation_config.json's decoder_start_token_id wins over config.json's
        Path start = copy("v1_1");
        Files.writeString(start.resolve("generation_config.json"), "{\"decoder_start_token_id\": 5, \"eos_token_id\": [1, 7]}");
        try (T5 t5 = T5.load(start)) {
            assertEquals(5, t5.config().decoderStartTokenId());
            assertArrayEquals(new int[] {1, 7}, t5.defaults().stopTokens());
        }
    }

    @Test
    void idsBeyondTheTokenizerDecodeToNothing() throws Exception {
        try (T5 t5 = T5.load(PyTorchParityTest.fixture("v1_1"))) {
            Tokenizer tok = t5.tokenizer();
            assertEquals(64, tok.vocabSize(), "the model's 64 rows, not the tokenizer's 60 pieces");
            int[] ids = t5.encodePrompt("recommend a funny movie");
            assertEquals(1, ids[ids.length - 1], "T5 prompts end with </s>");
            assertEquals(tok.decode(java.util.Arrays.copyOf(ids, ids.length - 1)), tok.decode(ids));
            int[] withExtra = java.util.Arrays.copyOf(ids, ids.length + 2);
            withExtra[ids.length] = 60;
            withExtra[ids.length + 1] = 63;
            assertEquals(tok.decode(ids), tok.decode(withExtra));
            assertTrue(tok.isSpecial(61));
            assertEquals("<extra_id_99>", tok.piece(60));
            assertEquals(60, tok.pieceId("<extra_id_99>"));
            assertEquals(-1, tok.pieceId("<extra_id_95>"), "past the model's rows");
            var stream = t5.outputStream(ids);
            assertEquals("", stream.next(62));
            assertThrows(IllegalArgumentException.class, () -> tok.decode(new int[] {64}));
        }
    }
}
