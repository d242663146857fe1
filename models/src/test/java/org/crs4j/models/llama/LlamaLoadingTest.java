package org.crs4j.models.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.crs4j.autograd.GradMode;
import org.crs4j.models.ModelFormatException;
import org.crs4j.nn.transformer.RotaryEmbedding;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.io.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading paths and their errors: llama2.c version 0 (shared and unshared classifier) and version 1 files against
 * the same weights in a Hugging Face folder (q/k rows permuted as Hugging Face's conversion does), and malformed
 * checkpoints of both kinds.
 */
class LlamaLoadingTest {
    @TempDir Path dir;

    private static final int DIM = 16, HIDDEN = 24, LAYERS = 2, HEADS = 4, KV = 2, VOCAB = 40, SEQ = 32, HS = DIM / HEADS;

    /** Random llama2.c-layout weights (interleaved RoPE convention). */
    private static Map<String, Tensor> randomWeights(boolean shared) {
        LlamaConfig c = new LlamaConfig(VOCAB, DIM, HIDDEN, LAYERS, HEADS, KV, HS, 1e-5, 10000, null,
                RotaryEmbedding.Pairing.INTERLEAVED, SEQ, shared, 1, new int[] {2}, -1, false, false);
        LlamaModel m = new LlamaModel(c, new Generator(shared ? 1 : 2));
        Map<String, Tensor> w = new LinkedHashMap<>();
        m.stateDict().forEach((k, v) -> w.put(k, k.endsWith("layernorm.weight") || k.endsWith("norm.weight")
                ? Tensor.rand(new Generator(k.hashCode()), 0.5, 1.5, DType.F32, v.shape()) : v));
        return w;
    }

    private static void put(ByteBuffer b, Tensor t) {
        for (float f : t.toFloatArray()) b.putFloat(f);
    }

    private static void putLayers(ByteBuffer b, Map<String, Tensor> w, String name) {
        for (int l = 0; l < LAYERS; l++) put(b, w.get("model.layers." + l + "." + name));
    }

    private Path writeV0(Map<String, Tensor> w, boolean shared, String fileName) throws IOException {
        int floats = 0;
        for (Tensor t : w.values()) floats += t.numel();
        floats += SEQ * HS; // the unused RoPE tables
        ByteBuffer b = ByteBuffer.allocate(28 + 4 * floats).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : new int[] {DIM, HIDDEN, LAYERS, HEADS, KV, shared ? VOCAB : -VOCAB, SEQ}) b.putInt(v);
        put(b, w.get("model.embed_tokens.weight"));
        putLayers(b, w, "input_layernorm.weight");
        putLayers(b, w, "self_attn.q_proj.weight");
        putLayers(b, w, "self_attn.k_proj.weight");
        putLayers(b, w, "self_attn.v_proj.weight");
        putLayers(b, w, "self_attn.o_proj.weight");
        putLayers(b, w, "post_attention_layernorm.weight");
        putLayers(b, w, "mlp.gate_proj.weight");
        putLayers(b, w, "mlp.down_proj.weight");
        putLayers(b, w, "mlp.up_proj.weight");
        put(b, w.get("model.norm.weight"));
        for (int i = 0; i < SEQ * HS; i++) b.putFloat(0.25f);
        if (!shared) put(b, w.get("lm_head.weight"));
        Path f = dir.resolve(fileName);
        Files.write(f, b.array());
        return f;
    }

    private Path writeV1(Map<String, Tensor> w, boolean shared) throws IOException {
        int floats = 0;
        for (Tensor t : w.values()) floats += t.numel();
        ByteBuffer b = ByteBuffer.allocate(256 + 4 * floats).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x616b3432).putInt(1);
        for (int v : new int[] {DIM, HIDDEN, LAYERS, HEADS, KV, VOCAB, SEQ}) b.putInt(v);
        b.put((byte) (shared ? 1 : 0));
        b.position(256);
        putLayers(b, w, "input_layernorm.weight");
        putLayers(b, w, "post_attention_layernorm.weight");
        put(b, w.get("model.norm.weight"));
        put(b, w.get("model.embed_tokens.weight"));
        for (String n : new String[] {"self_attn.q_proj.weight", "self_attn.k_proj.weight", "self_attn.v_proj.weight",
                "self_attn.o_proj.weight", "mlp.gate_proj.weight", "mlp.down_proj.weight", "mlp.up_proj.weight"}) {
            putLayers(b, w, n);
        }
        if (!shared) put(b, w.get("lm_head.weight"));
        Path f = dir.resolve("v1.bin");
        Files.write(f, b.array());
        return f;
    }

    /** Hugging Face's export permutation: rows of each head reordered so that rotate_half equals pair rotation. */
    private static Tensor permuteRows(Tensor w, int heads) {
        int rows = w.size(0), cols = w.size(1);
        return w.view(heads, rows / heads / 2, 2, cols).transpose(1, 2).reshape(rows, cols);
    }

    private Path writeHf(Map<String, Tensor> w, boolean tied) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("hf"));
        Map<String, Tensor> hf = new LinkedHashMap<>();
        w.forEach((k, v) -> {
            if (k.endsWith("q_proj.weight")) hf.put(k, permuteRows(v, HEADS));
            else if (k.endsWith("k_proj.weight")) hf.put(k, permuteRows(v, KV));
            else hf.put(k, v);
        });
        SafetensorsWriter.write(folder.resolve("model.safetensors"), hf, Map.of("format", "pt"));
        Files.writeString(folder.resolve("config.json"), """
                {"model_type": "llama", "vocab_size": %d, "hidden_size": %d, "intermediate_size": %d, "num_hidden_layers": %d,
                 "num_attention_heads": %d, "num_key_value_heads": %d, "max_position_embeddings": %d, "rms_norm_eps": 1e-5,
                 "tie_word_embeddings": %b, "bos_token_id": 1, "eos_token_id": 2}""".formatted(VOCAB, DIM, HIDDEN, LAYERS, HEADS, KV, SEQ, tied));
        return folder;
    }

    private static Tensor logits(Llama llama) {
        long[] ids = {1, 5, 9, 33, 7, 7, 20, 3, 11, 39};
        try (var off = GradMode.off()) {
            return llama.model().forward(Tensor.of(ids, 1, ids.length), null, null, null).data();
        }
    }

    @Test
    void llama2cVersions0And1EqualTheHuggingFaceLayoutOfTheSameWeights() throws Exception {
        for (boolean shared : new boolean[] {true, false}) {
            Map<String, Tensor> w = randomWeights(shared);
            try (Llama v0 = Llama.load(writeV0(w, shared, "v0.bin")); Llama v1 = Llama.load(writeV1(w, shared));
                 Llama hf = Llama.load(writeHf(w, shared))) {
                assertEquals(shared, v0.config().tieWordEmbeddings());
                assertEquals(RotaryEmbedding.Pairing.INTERLEAVED, v0.config().ropePairing());
                Tensor a = logits(v0), b = logits(v1), c = logits(hf);
                assertEquals(0, a.sub(b).abs().max().item(), "version 0 vs 1, shared " + shared);
                double err = a.sub(c).abs().max().item();
                assertTrue(err < 1e-5, "llama2.c vs Hugging Face layout, shared " + shared + ": " + err);
                assertTrue(a.abs().max().item() > 0.1, "logits are not trivially zero");
            }
            deleteAll();
        }
    }

    private void deleteAll() throws IOException {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).filter(p -> !p.equals(dir)).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void malformedLlama2cFilesAreNamed() throws Exception {
        Path good = writeV0(randomWeights(true), true, "good.bin");
        byte[] bytes = Files.readAllBytes(good);
        Path f = dir.resolve("bad.bin");
        Files.write(f, java.util.Arrays.copyOf(bytes, bytes.length - 4));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Llama.load(f));
        assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains("does not match its header"), e.getMessage());
        Files.write(f, new byte[10]);
        e = assertThrows(ModelFormatException.class, () -> Llama.load(f));
        assertTrue(e.getMessage().contains("too short"), e.getMessage());
        byte[] zeroDim = bytes.clone();
        zeroDim[0] = 0;
        Files.write(f, zeroDim);
        e = assertThrows(ModelFormatException.class, () -> Llama.load(f));
        assertTrue(e.getMessage().contains("header dim: 0"), e.getMessage());
        byte[] badKv = bytes.clone();
        badKv[16] = 3; // n_kv_heads = 3 does not divide 4
        Files.write(f, badKv);
        e = assertThrows(ModelFormatException.class, () -> Llama.load(f));
        assertTrue(e.getMessage().contains("n_kv_heads"), e.getMessage());
        ByteBuffer v2 = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN).putInt(0x616b3432).putInt(2);
        Files.write(f, v2.array());
        e = assertThrows(ModelFormatException.class, () -> Llama.load(f));
        assertTrue(e.getMessage().contains("version 2"), e.getMessage());
        ByteBuffer v7 = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN).putInt(0x616b3432).putInt(7);
        Files.write(f, v7.array());
        e = assertThrows(ModelFormatException.class, () -> Llama.load(f));
        assertTrue(e.getMessage().contains("version: 7"), e.getMessage());
    }

    @Test
    void malformedHuggingFaceCheckpointsNameTheTensor() throws Exception {
        Map<String, Tensor> w = randomWeights(false);
        Path folder = writeHf(w, false);
        Path st = folder.resolve("model.safetensors");
        // a missing layer weight
        Map<String, Tensor> missing = new LinkedHashMap<>(w);
        missing.remove("model.layers.1.mlp.up_proj.weight");
        SafetensorsWriter.write(st, missing, Map.of());
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Llama.load(folder));
        assertTrue(e.getMessage().contains("model.layers.1.mlp.up_proj.weight") && e.getMessage().contains("missing"), e.getMessage());
        // a wrong shape
        Map<String, Tensor> shape = new LinkedHashMap<>(w);
        shape.put("model.layers.0.self_attn.k_proj.weight", Tensor.zeros(DIM, DIM));
        SafetensorsWriter.write(st, shape, Map.of());
        e = assertThrows(ModelFormatException.class, () -> Llama.load(folder));
        // layer 0 is where config.json's sizes meet the weights, before the model is built
        assertTrue(e.getMessage().equals(folder.resolve("config.json") + ": num_key_value_heads x head_dim: 8, but"
                + " model.layers.0.self_attn.k_proj.weight in model.safetensors is [16, 16]"), e.getMessage());
        shape.put("model.layers.0.self_attn.k_proj.weight", w.get("model.layers.0.self_attn.k_proj.weight"));
        shape.put("model.layers.1.self_attn.k_proj.weight", Tensor.zeros(DIM, DIM));
        SafetensorsWriter.write(st, shape, Map.of());
        e = assertThrows(ModelFormatException.class, () -> Llama.load(folder));
        assertTrue(e.getMessage().contains("model.layers.1.self_attn.k_proj.weight [16, 16] vs [8, 16]"), e.getMessage());
        // an unexpected tensor
        Map<String, Tensor> extra = new LinkedHashMap<>(w);
        extra.put("model.layers.0.self_attn.q_norm.weight", Tensor.zeros(4));
        SafetensorsWriter.write(st, extra, Map.of());
        e = assertThrows(ModelFormatException.class, () -> Llama.load(folder));
        assertTrue(e.getMessage().contains("unexpected [model.layers.0.self_attn.q_norm.weight]"), e.getMessage());
        // an integer weight
        Map<String, Tensor> ints = new LinkedHashMap<>(w);
        ints.put("model.norm.weight", Tensor.zeros(DType.I32, DIM));
        SafetensorsWriter.write(st, ints, Map.of());
        e = assertThrows(ModelFormatException.class, () -> Llama.load(folder));
        assertTrue(e.getMessage().contains("model.norm.weight") && e.getMessage().contains("I32"), e.getMessage());
        // old exports' rotary buffers are ignored
        Map<String, Tensor> old = new LinkedHashMap<>(w);
        old.put("model.layers.0.self_attn.rotary_emb.inv_freq", Tensor.zeros(HS / 2));
        SafetensorsWriter.write(st, old, Map.of());
        try (Llama l = Llama.load(folder)) {
            assertTrue(!l.config().tieWordEmbeddings());
        }
        // an untied config whose checkpoint lacks lm_head.weight is refused (it used to be taken as tied, silently)
        old.remove("lm_head.weight");
        SafetensorsWriter.write(st, old, Map.of());
        e = assertThrows(ModelFormatException.class, () -> Llama.load(folder));
        assertTrue(e.getMessage().endsWith("tie_word_embeddings: false (or absent) means an output layer of its own, but"
                + " model.safetensors has no lm_head.weight"), e.getMessage());
        Files.delete(st);
        assertThrows(java.nio.file.NoSuchFileException.class, () -> Llama.load(folder));
        assertThrows(java.nio.file.NoSuchFileException.class, () -> Llama.load(dir.resolve("nothing-here")));
    }

    @Test
    void loadingAllocatesNoWeightCopies() throws Exception {
        Path folder = writeHf(randomWeights(false), false);
        try (Llama l = Llama.load(folder)) {
            // every parameter is a view of the mapped file, not a heap array
            l.model().parameters().forEach(p -> {
                var s = (org.crs4j.tensor.cpu.CpuStorage) p.data().storage();
                assertEquals(null, s.floats(), "a heap copy of a weight");
            });
        }
    }
}
