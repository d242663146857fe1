package org.crs4j.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.crs4j.io.FileFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Declared sizes are checked against the weights present, and ids and types against the vocabulary and the format,
 * before the model allocates anything: each refusal names config.json, the field, and the weights where they decide.
 */
class DeclaredSizesTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path dir;

    /** A copy of a fixture folder whose config.json {@code edit} changed. */
    Path folder(String fixture, Consumer<ObjectNode> edit) throws Exception {
        Path src = Path.of(getClass().getResource("/org/crs4j/models/" + fixture + "/config.json").toURI()).getParent();
        Path dst = Files.createTempDirectory(dir, "m");
        try (Stream<Path> files = Files.list(src)) {
            for (Path f : files.toList()) if (!f.getFileName().toString().equals("reference.json")) Files.copy(f, dst.resolve(f.getFileName()));
        }
        ObjectNode config = (ObjectNode) JSON.readTree(dst.resolve("config.json").toFile());
        edit.accept(config);
        Files.writeString(dst.resolve("config.json"), config.toPrettyString());
        return dst;
    }

    /** Loading refuses the folder, with a message that starts with its config.json and contains each of {@code parts}. */
    void refused(Path folder, String... parts) {
        long before = allocated();
        var e = assertThrows(FileFormatException.class, () -> LanguageModels.load(folder).close());
        long bytes = allocated() - before;
        assertTrue(e.getMessage().startsWith(folder.resolve("config.json") + ": "), e.getMessage());
        for (String p : parts) assertTrue(e.getMessage().contains(p), "\"" + p + "\" not in: " + e.getMessage());
        assertTrue(bytes < 64L << 20, "refused only after allocating " + (bytes >> 20) + " MiB");
    }

    static long allocated() {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        return mx.getThreadAllocatedBytes(Thread.currentThread().threadId());
    }

    @Test
    void absurdLlamaSizesAreRefusedAgainstTheWeightsBeforeAllocating() throws Exception {
        String f = "llama/fixtures/untied-gqa";
        refused(folder(f, c -> c.put("hidden_size", 2_000_000_000)),
                "hidden_size: 2000000000, but model.embed_tokens.weight in model.safetensors is [96, 32]");
        refused(folder(f, c -> c.put("num_hidden_layers", 2_147_483_647)),
                "num_hidden_layers: 2147483647, but model.safetensors holds 2 blocks (model.layers.0 to model.layers.1)");
        refused(folder(f, c -> c.put("vocab_size", 2_000_000_000)), "vocab_size: 2000000000, but model.embed_tokens.weight");
        refused(folder(f, c -> c.put("intermediate_size", 1 << 30)), "intermediate_size: 1073741824, but model.layers.0.mlp.gate_proj.weight");
        refused(folder(f, c -> c.put("num_key_value_heads", 4)), "num_key_value_heads x head_dim: 32, but model.layers.0.self_attn.k_proj.weight");
        refused(folder(f, c -> c.put("num_hidden_layers", 1)), "num_hidden_layers: 1, but model.safetensors holds 2 blocks");
    }

    @Test
    void absurdT5SizesAreRefusedAgainstTheWeights() throws Exception {
        String f = "t5/fixtures/v1_1";
        refused(folder(f, c -> c.put("d_model", 1 << 30)), "d_model: 1073741824, but shared.weight in model.safetensors is [64, 16]");
        refused(folder(f, c -> c.put("num_decoder_layers", 100000)), "num_decoder_layers: 100000, but model.safetensors holds 3 blocks");
        refused(folder(f, c -> c.put("d_ff", 1 << 28)), "d_ff: 268435456, but encoder.block.0.layer.1.DenseReluDense.wo.weight");
        refused(folder(f, c -> c.put("num_heads", 1 << 20)), "num_heads x d_kv");
        refused(folder(f, c -> c.put("relative_attention_num_buckets", 1 << 20)), "relative_attention_num_buckets: 1048576");
    }

    @Test
    void anUntiedHeadWithoutLmHeadIsRefused() throws Exception {
        // linear-tied holds no lm_head.weight: declaring it untied (or leaving the field out: false) is an error
        refused(folder("llama/fixtures/linear-tied", c -> c.put("tie_word_embeddings", false)),
                "tie_word_embeddings: false (or absent) means an output layer of its own, but model.safetensors has no lm_head.weight");
        refused(folder("llama/fixtures/linear-tied", c -> c.remove("tie_word_embeddings")), "has no lm_head.weight");
        refused(folder("t5/fixtures/original", c -> c.put("tie_word_embeddings", false)), "has no lm_head.weight");
    }

    @Test
    void idsOutsideTheVocabularyAreRefused() throws Exception {
        refused(folder("llama/fixtures/untied-gqa", c -> c.put("bos_token_id", 96)), "bos_token_id: 96 is outside the vocabulary [0, 96)");
        refused(folder("llama/fixtures/untied-gqa", c -> c.put("eos_token_id", 99999)), "eos_token_id: 99999 is outside");
        refused(folder("llama/fixtures/untied-gqa", c -> c.putArray("eos_token_id").add(2).add(-5)), "eos_token_id: -5 is outside");
        refused(folder("llama/fixtures/untied-gqa", c -> c.put("pad_token_id", 1000)), "pad_token_id: 1000 is outside");
        refused(folder("t5/fixtures/v1_1", c -> c.put("pad_token_id", 64)), "pad_token_id: 64 is outside");
        refused(folder("t5/fixtures/v1_1", c -> c.put("decoder_start_token_id", -1)), "decoder_start_token_id: -1 is outside");
        // pad_token_id -1 is how old LLaMA configs say "none"
        LanguageModels.load(folder("llama/fixtures/untied-gqa", c -> c.put("pad_token_id", -1))).close();
    }

    @Test
    void typesTrailingContentAndUnknownDtypesAreRefused() throws Exception {
        refused(folder("llama/fixtures/untied-gqa", c -> c.put("num_hidden_layers", 2.0)), "num_hidden_layers: expected an integer, found 2.0");
        refused(folder("llama/fixtures/untied-gqa", c -> c.put("hidden_size", 1e9)), "hidden_size: expected an integer");
        refused(folder("llama/fixtures/untied-gqa", c -> c.put("num_hidden_layers", 4294967296L)), "beyond the 32-bit range");
        refused(folder("llama/fixtures/untied-gqa", c -> c.put("torch_dtype", "float99")), "torch_dtype: \"float99\" is not a dtype");
        refused(folder("t5/fixtures/v1_1", c -> c.put("dtype", "int4")), "dtype: \"int4\" is not a dtype");
        LanguageModels.load(folder("llama/fixtures/untied-gqa", c -> c.put("torch_dtype", "torch.bfloat16"))).close();
        Path trailing = folder("llama/fixtures/untied-gqa", c -> {});
        Files.writeString(trailing.resolve("config.json"), Files.readString(trailing.resolve("config.json")) + "\n{}");
        refused(trailing, "content after the end of the top-level JSON value");
        Path generation = folder("llama/fixtures/untied-gqa", c -> {});
        Files.writeString(generation.resolve("generation_config.json"), "{\"max_new_tokens\": 1.5}");
        var e = assertThrows(FileFormatException.class, () -> LanguageModels.load(generation).close());
        assertEquals(generation.resolve("generation_config.json") + ": max_new_tokens: expected an integer, found 1.5", e.getMessage());
    }

    @Test
    void aTokenizerWithOrdinaryIdsPastTheEmbeddingIsRefused() throws Exception {
        Path f = folder("llama/fixtures/untied-gqa", c -> {});
        StringBuilder vocab = new StringBuilder("{\"<unk>\": 0");
        for (int i = 1; i < 100; i++) vocab.append(", \"t").append(i).append("\": ").append(i);
        Files.writeString(f.resolve("tokenizer.json"), "{\"model\": {\"type\": \"WordLevel\", \"vocab\": " + vocab
                + "}, \"unk_token\": \"<unk>\"}, \"pre_tokenizer\": {\"type\": \"WhitespaceSplit\"}}");
        var e = assertThrows(FileFormatException.class, () -> LanguageModels.load(f).close());
        assertTrue(e.getMessage().contains("vocab_size: 96, but the tokenizer") && e.getMessage().contains("100 ids, 4 of them ordinary"),
                e.getMessage());
    }


    @Test
    void aModelBuiltFromAConfigAloneMustFitTheHeap() {
        var config = new org.crs4j.models.llama.LlamaConfig(32000, 65536, 1 << 17, 200, 64, 64, 1024, 1e-5, 10000, null,
                org.crs4j.nn.transformer.RotaryEmbedding.Pairing.HALF, 4096, false, 1, new int[] {2}, -1, false, false);
        var e = assertThrows(IllegalArgumentException.class, () -> new org.crs4j.models.llama.LlamaModel(config, new org.crs4j.tensor.Generator(1)));
        assertTrue(e.getMessage().startsWith("a LLaMA of " + config.parameterCount() + " parameters needs ")
                && e.getMessage().contains("for its F32 weights, more than the JVM's maximum heap"), e.getMessage());
    }
}
