package org.crs4j.models.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.crs4j.models.ModelFormatException;
import org.crs4j.models.generation.GenerationConfig;
import org.crs4j.nn.transformer.RotaryEmbedding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlamaConfigTest {
    @TempDir Path dir;

    private static final String BASE = """
            {"model_type": "llama", "vocab_size": 128256, "hidden_size": 64, "intermediate_size": 128,
             "num_hidden_layers": 2, "num_attention_heads": 8, "rms_norm_eps": 1e-6 %s}""";

    private Path write(String extra) throws Exception {
        Path f = dir.resolve("config.json");
        Files.writeString(f, BASE.formatted(extra));
        return f;
    }

    @Test
    void defaultsAndLlama2Fields() throws Exception {
        LlamaConfig c = LlamaConfig.fromJson(write(""));
        assertEquals(8, c.numKvHeads(), "kv heads default to heads (LLaMA 1)");
        assertEquals(8, c.headDim());
        assertEquals(10000, c.ropeTheta());
        assertNull(c.ropeScaling());
        assertEquals(RotaryEmbedding.Pairing.HALF, c.ropePairing());
        assertEquals(false, c.tieWordEmbeddings());
        assertArrayEquals(new int[0], c.eosTokenIds());
        assertEquals(-1, c.padTokenId());
    }

    @Test
    void llama3Fields() throws Exception {
        LlamaConfig c = LlamaConfig.fromJson(write(", \"num_key_value_heads\": 2, \"rope_theta\": 500000.0,"
                + " \"eos_token_id\": [128001, 128008, 128009], \"bos_token_id\": 128000, \"head_dim\": 16,"
                + " \"rope_scaling\": {\"factor\": 8.0, \"low_freq_factor\": 1.0, \"high_freq_factor\": 4.0,"
                + " \"original_max_position_embeddings\": 8192, \"rope_type\": \"llama3\"}"));
        assertEquals(2, c.numKvHeads());
        assertEquals(16, c.headDim());
        assertArrayEquals(new int[] {128001, 128008, 128009}, c.eosTokenIds());
        assertEquals(new RotaryEmbedding.Scaling.Llama3(8, 1, 4, 8192), c.ropeScaling());
        assertEquals(new RotaryEmbedding.Scaling.Linear(2), LlamaConfig.fromJson(write(
                ", \"rope_scaling\": {\"type\": \"linear\", \"factor\": 2.0}")).ropeScaling());
        assertEquals(new RotaryEmbedding.Scaling.Dynamic(4, 4096), LlamaConfig.fromJson(write(
                ", \"max_position_embeddings\": 4096, \"rope_scaling\": {\"rope_type\": \"dynamic\", \"factor\": 4}")).ropeScaling());
        assertNull(LlamaConfig.fromJson(write(", \"rope_scaling\": {\"rope_type\": \"default\"}")).ropeScaling());
    }

    private void assertError(String extra, String... fragments) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> LlamaConfig.fromJson(write(extra)));
        assertTrue(e.getMessage().contains("config.json"), e.getMessage());
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
    }

    @Test
    void badFieldsAreNamed() throws Exception {
        assertError(", \"num_key_value_heads\": 3", "num_key_value_heads", "divide");
        assertError(", \"hidden_act\": \"gelu\"", "hidden_act");
        assertError(", \"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4}", "rope_scaling.rope_type", "yarn");
        assertError(", \"rope_scaling\": {\"rope_type\": \"linear\"}", "rope_scaling.factor", "missing");
        assertError(", \"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8, \"low_freq_factor\": 4, \"high_freq_factor\": 1,"
                + " \"original_max_position_embeddings\": 10}", "high_freq_factor");
        assertError(", \"eos_token_id\": \"two\"", "eos_token_id");
        assertError(", \"eos_token_id\": [2, \"x\"]", "eos_token_id[1]");
        assertError(", \"rms_norm_eps\": \"small\"", "rms_norm_eps");
        assertError(", \"tie_word_embeddings\": 1", "tie_word_embeddings");
        assertError(", \"head_dim\": 0", "head_dim");
        assertError(", \"model_type\": \"t5\"", "Duplicate field 'model_type'"); // a repeated key is ambiguous, so refused
        Files.writeString(dir.resolve("config.json"), BASE.formatted("").replace("\"llama\"", "\"t5\""));
        ModelFormatException t5 = assertThrows(ModelFormatException.class, () -> LlamaConfig.fromJson(dir.resolve("config.json")));
        assertTrue(t5.getMessage().contains("model_type") && t5.getMessage().contains("t5"), t5.getMessage());
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"llama\", \"vocab_size\": 10}");
        ModelFormatException missing = assertThrows(ModelFormatException.class, () -> LlamaConfig.fromJson(dir.resolve("config.json")));
        assertTrue(missing.getMessage().contains("hidden_size: missing"), missing.getMessage());
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"llama\",");
        ModelFormatException json = assertThrows(ModelFormatException.class, () -> LlamaConfig.fromJson(dir.resolve("config.json")));
        assertTrue(json.getMessage().contains("invalid JSON") && json.getMessage().contains("line"), json.getMessage());
        Files.writeString(dir.resolve("config.json"), "[1, 2]");
        assertThrows(ModelFormatException.class, () -> LlamaConfig.fromJson(dir.resolve("config.json")));
        assertThrows(java.nio.file.NoSuchFileException.class, () -> LlamaConfig.fromJson(dir.resolve("none.json")));
    }

    @Test
    void generationConfigDefaults() throws Exception {
        Path f = dir.resolve("generation_config.json");
        GenerationConfig base = GenerationConfig.greedy(256, 2);
        Files.writeString(f, "{\"do_sample\": true, \"temperature\": 0.6, \"top_p\": 0.9, \"eos_token_id\": [2, 7], \"max_new_tokens\": 40}");
        GenerationConfig g = GenerationConfig.fromJson(f, base);
        assertEquals(0.6, g.temperature());
        assertEquals(0.9, g.topP());
        assertEquals(50, g.topK(), "Hugging Face's default top_k when sampling");
        assertEquals(40, g.maxNewTokens());
        assertArrayEquals(new int[] {2, 7}, g.stopTokens());
        Files.writeString(f, "{\"bos_token_id\": 1, \"eos_token_id\": 2}");
        GenerationConfig greedy = GenerationConfig.fromJson(f, base);
        assertEquals(0, greedy.temperature());
        assertEquals(256, greedy.maxNewTokens());
        Files.writeString(f, "{\"do_sample\": \"yes\"}");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> GenerationConfig.fromJson(f, base));
        assertTrue(e.getMessage().contains("do_sample"), e.getMessage());
        Files.writeString(f, "{\"do_sample\": true, \"top_p\": 1.5}");
        e = assertThrows(ModelFormatException.class, () -> GenerationConfig.fromJson(f, base));
        assertTrue(e.getMessage().contains("top-p"), e.getMessage());
    }

    @Test
    void parameterCountOfKnownShapes() {
        // TinyLlama-1.1B: 1,100,048,384 parameters
        LlamaConfig tiny = new LlamaConfig(32000, 2048, 5632, 22, 32, 4, 64, 1e-5, 10000, null, RotaryEmbedding.Pairing.HALF,
                2048, false, 1, new int[] {2}, -1, false, false);
        assertEquals(1_100_048_384L, tiny.parameterCount());
        // LLaMA-2-7B: 6,738,415,616
        LlamaConfig l7 = new LlamaConfig(32000, 4096, 11008, 32, 32, 32, 128, 1e-5, 10000, null, RotaryEmbedding.Pairing.HALF,
                4096, false, 1, new int[] {2}, -1, false, false);
        assertEquals(6_738_415_616L, l7.parameterCount());
    }
}
