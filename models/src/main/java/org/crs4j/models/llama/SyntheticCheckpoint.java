package org.crs4j.models.llama;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.crs4j.tensor.cpu.Half;

/**
 * Writes a Hugging Face LLaMA folder of a given shape with synthetic BF16 weights, streamed to disk (never held in
 * memory): for showing that big shapes load and generate (LLaMA-7B in 24 GiB) and for measuring decoding speed
 * against the memory-bandwidth limit without downloading real weights.
 *
 * <p>Weights are a 16 MiB block of N(0, std) BF16 values repeated (norms are 1): real, non-zero data that the CPU has
 * to stream like any checkpoint, written at disk speed. Sharded like {@code save_pretrained} (index + shards of at most
 * {@code shardBytes}). The text it generates is meaningless.
 *
 * <pre>java -cp crs/target/crs4j.jar org.crs4j.models.llama.SyntheticCheckpoint 7b|1b|tiny OUTPUT_FOLDER</pre>
 */
public final class SyntheticCheckpoint {
    private SyntheticCheckpoint() {}

    /** LLaMA-2-7B's shape: 6.74B parameters, 13.5 GB in BF16. */
    public static final Map<String, Object> LLAMA2_7B = shape(32000, 4096, 11008, 32, 32, 32, false);
    /** TinyLlama-1.1B's shape (GQA, 4 kv heads): 1.10B parameters, 2.2 GB in BF16. */
    public static final Map<String, Object> TINYLLAMA_1B = shape(32000, 2048, 5632, 22, 32, 4, false);

    private static Map<String, Object> shape(int vocab, int hidden, int inter, int layers, int heads, int kvHeads, boolean tied) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("architectures", List.of("LlamaForCausalLM"));
        c.put("model_type", "llama");
        c.put("hidden_act", "silu");
        c.put("vocab_size", vocab);
        c.put("hidden_size", hidden);
        c.put("intermediate_size", inter);
        c.put("num_hidden_layers", layers);
        c.put("num_attention_heads", heads);
        c.put("num_key_value_heads", kvHeads);
        c.put("max_position_embeddings", 4096);
        c.put("rms_norm_eps", 1e-5);
        c.put("rope_theta", 10000.0);
        c.put("tie_word_embeddings", tied);
        c.put("bos_token_id", 1);
        c.put("eos_token_id", 2);
        c.put("torch_dtype", "bfloat16");
        return c;
    }

    /** Writes config.json, the shards and model.safetensors.index.json into {@code folder}; returns the bytes written. */
    public static long write(Path folder, Map<String, Object> config, long shardBytes, long seed) throws IOException {
        Files.createDirectories(folder);
        ObjectMapper json = new ObjectMapper();
        json.writerWithDefaultPrettyPrinter().writeValue(folder.resolve("config.json").toFile(), config);
        LlamaConfig c = LlamaConfig.fromJson(folder.resolve("config.json"));
        // names and shapes, in Hugging Face's order
        Map<String, long[]> tensors = new LinkedHashMap<>();
        long d = c.hiddenSize(), q = (long) c.numHeads() * c.headDim(), kv = (long) c.numKvHeads() * c.headDim();
        tensors.put("model.embed_tokens.weight", new long[] {c.vocabSize(), d});
        for (int i = 0; i < c.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            tensors.put(p + "input_layernorm.weight", new long[] {d});
            tensors.put(p + "self_attn.q_proj.weight", new long[] {q, d});
            tensors.put(p + "self_attn.k_proj.weight", new long[] {kv, d});
            tensors.put(p + "self_attn.v_proj.weight", new long[] {kv, d});
            tensors.put(p + "self_attn.o_proj.weight", new long[] {d, q});
            tensors.put(p + "post_attention_layernorm.weight", new long[] {d});
            tensors.put(p + "mlp.gate_proj.weight", new long[] {c.intermediateSize(), d});
            tensors.put(p + "mlp.up_proj.weight", new long[] {c.intermediateSize(), d});
            tensors.put(p + "mlp.down_proj.weight", new long[] {d, c.intermediateSize()});
        }
        tensors.put("model.norm.weight", new long[] {d});
        if (!c.tieWordEmbeddings()) tensors.put("lm_head.weight", new long[] {c.vocabSize(), d});

        // group into shards
        List<Map<String, long[]>> shards = new ArrayList<>();
        Map<String, long[]> current = new LinkedHashMap<>();
        long size = 0;
        for (Map.Entry<String, long[]> e : tensors.entrySet()) {
            long bytes = numel(e.getValue()) * 2;
            if (!current.isEmpty() && size + bytes > shardBytes) {
                shards.add(current);
                current = new LinkedHashMap<>();
                size = 0;
            }
            current.put(e.getKey(), e.getValue());
            size += bytes;
        }
        shards.add(current);

        short[] block = randomBlock(seed, 8 << 20, 0.02);
        ObjectNode index = json.createObjectNode();
        ObjectNode weightMap = json.createObjectNode();
        long total = 0;
        for (int s = 0; s < shards.size(); s++) {
            String name = String.format("model-%05d-of-%05d.safetensors", s + 1, shards.size());
            total += writeShard(folder.resolve(name), shards.get(s), block, json);
            for (String t : shards.get(s).keySet()) weightMap.put(t, name);
        }
        index.putObject("metadata").put("total_size", total);
        index.set("weight_map", weightMap);
        json.writerWithDefaultPrettyPrinter().writeValue(folder.resolve("model.safetensors.index.json").toFile(), index);
        return total;
    }

    private static long numel(long[] shape) {
        long n = 1;
        for (long s : shape) n *= s;
        return n;
    }

    private static short[] randomBlock(long seed, int n, double std) {
        SplittableRandom r = new SplittableRandom(seed);
        short[] b = new short[n];
        for (int i = 0; i < n; i++) {
            // Box-Muller from two uniforms
            double u1 = 1 - r.nextDouble(), u2 = r.nextDouble();
            b[i] = Half.floatToBf16((float) (std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)));
        }
        return b;
    }

    private static long writeShard(Path file, Map<String, long[]> tensors, short[] block, ObjectMapper json) throws IOException {
        ObjectNode header = json.createObjectNode();
        header.putObject("__metadata__").put("format", "pt");
        long offset = 0;
        for (Map.Entry<String, long[]> e : tensors.entrySet()) {
            long bytes = numel(e.getValue()) * 2;
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", "BF16");
            var shape = t.putArray("shape");
            for (long s : e.getValue()) shape.add(s);
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] h = json.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(h);
        while (head.position() < head.capacity()) head.put((byte) ' ');
        head.flip();
        ByteBuffer ones = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer data = ByteBuffer.allocateDirect(block.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        data.asShortBuffer().put(block);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            while (head.hasRemaining()) ch.write(head);
            long blockPos = 0;
            for (Map.Entry<String, long[]> e : tensors.entrySet()) {
                long bytes = numel(e.getValue()) * 2;
                boolean norm = e.getValue().length == 1;
                long left = bytes;
                while (left > 0) {
                    ByteBuffer src;
                    if (norm) {
                        ones.clear();
                        while (ones.hasRemaining()) ones.putShort(Half.floatToBf16(1f));
                        ones.flip();
                        src = ones;
                    } else {
                        data.clear();
                        data.position((int) blockPos);
                        src = data;
                    }
                    int n = (int) Math.min(left, src.remaining());
                    src.limit(src.position() + n);
                    while (src.hasRemaining()) ch.write(src);
                    left -= n;
                    if (!norm) blockPos = (blockPos + n) % data.capacity();
                }
            }
            ch.force(false);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return offset;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: SyntheticCheckpoint 7b|1b OUTPUT_FOLDER");
            System.exit(2);
        }
        Map<String, Object> shape = switch (args[0]) {
            case "7b" -> LLAMA2_7B;
            case "1b" -> TINYLLAMA_1B;
            default -> throw new IllegalArgumentException("unknown shape " + args[0] + " (7b, 1b)");
        };
        long t0 = System.nanoTime();
        long bytes = write(Path.of(args[1]), shape, 5_000_000_000L, 1);
        System.out.printf("wrote %s: %,d bytes of BF16 weights in %.1f s%n", args[1], bytes, (System.nanoTime() - t0) / 1e9);
    }
}
