package org.crs4j.models.t5;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.io.SafetensorsWriter;

/**
 * Writes a Hugging Face T5 folder of Flan-T5-Large's exact shape (783M parameters; config.json as google/flan-t5-large
 * has it) with random weights, sharded like {@code save_pretrained}: to show that a model of that shape loads
 * memory-mapped and generates, and to time it, without the real weights (which could not be had here). The text it
 * generates is meaningless.
 *
 * <pre>java -cp crs/target/crs4j.jar org.crs4j.models.t5.SyntheticT5 OUTPUT_FOLDER [bf16|f32]</pre>
 */
public final class SyntheticT5 {
    private SyntheticT5() {}

    /** google/flan-t5-large's config.json. */
    static Map<String, Object> flanT5Large(String torchDtype) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("architectures", List.of("T5ForConditionalGeneration"));
        c.put("d_ff", 2816);
        c.put("d_kv", 64);
        c.put("d_model", 1024);
        c.put("decoder_start_token_id", 0);
        c.put("dense_act_fn", "gelu_new");
        c.put("dropout_rate", 0.1);
        c.put("eos_token_id", 1);
        c.put("feed_forward_proj", "gated-gelu");
        c.put("initializer_factor", 1.0);
        c.put("is_encoder_decoder", true);
        c.put("is_gated_act", true);
        c.put("layer_norm_epsilon", 1e-6);
        c.put("model_type", "t5");
        c.put("n_positions", 512);
        c.put("num_decoder_layers", 24);
        c.put("num_heads", 16);
        c.put("num_layers", 24);
        c.put("pad_token_id", 0);
        c.put("relative_attention_max_distance", 128);
        c.put("relative_attention_num_buckets", 32);
        c.put("tie_word_embeddings", false);
        c.put("torch_dtype", torchDtype);
        c.put("vocab_size", 32128);
        return c;
    }

    /** Writes config.json, generation_config.json, the shards and the index; returns the weight bytes written. */
    public static long write(Path folder, DType dtype) throws IOException {
        Files.createDirectories(folder);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Map<String, Object> cfg = flanT5Large(dtype == DType.BF16 ? "bfloat16" : "float32");
        json.writeValue(folder.resolve("config.json").toFile(), cfg);
        json.writeValue(folder.resolve("generation_config.json").toFile(),
                Map.of("decoder_start_token_id", 0, "eos_token_id", 1, "pad_token_id", 0));
        T5Config c = T5Config.fromJson(folder.resolve("config.json"));
        // the module itself lists every name and shape (placeholders cost nothing)
        Map<String, int[]> shapes = new LinkedHashMap<>();
        new T5Model(c, null).namedParameters().forEach((n, p) -> shapes.put(n, p.shape()));
        long shardBytes = 1L << 30, total = 0;
        Map<String, String> weightMap = new LinkedHashMap<>();
        Map<String, Tensor> shard = new LinkedHashMap<>();
        long inShard = 0;
        int shardNo = 0;
        List<String> names = List.copyOf(shapes.keySet());
        int count = (int) Math.ceil(c.parameterCount() * (double) (dtype == DType.BF16 ? 2 : 4) / shardBytes);
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            int[] shape = shapes.get(name);
            Tensor t = name.endsWith("layer_norm.weight") ? Tensor.ones(shape)
                    : Tensor.randn(new Generator(name.hashCode()), 0, std(name, c), DType.F32, shape);
            t = t.to(dtype);
            shard.put(name, t);
            inShard += (long) t.numel() * dtype.byteSize();
            if (inShard >= shardBytes || i == names.size() - 1) {
                String file = String.format("model-%05d-of-%05d.safetensors", ++shardNo, count);
                SafetensorsWriter.write(folder.resolve(file), shard, Map.of("format", "pt"));
                for (String n : shard.keySet()) weightMap.put(n, file);
                total += inShard;
                shard.clear();
                inShard = 0;
            }
        }
        if (shardNo != count) throw new IllegalStateException("wrote " + shardNo + " shards, named as " + count);
        json.writeValue(folder.resolve("model.safetensors.index.json").toFile(),
                Map.of("metadata", Map.of("total_size", total), "weight_map", weightMap));
        return total;
    }

    /** Scales that keep activations in a sane range (about what T5's initialisation uses). */
    private static double std(String name, T5Config c) {
        if (name.equals("shared.weight")) return 1.0;
        if (name.contains("relative_attention_bias")) return 0.5;
        if (name.endsWith(".wo.weight")) return 1 / Math.sqrt(c.dFf());
        if (name.endsWith(".o.weight")) return 1 / Math.sqrt(c.innerDim());
        return 1 / Math.sqrt(c.dModel());
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: SyntheticT5 OUTPUT_FOLDER [bf16|f32]");
            System.exit(2);
        }
        DType dtype = args.length == 2 && args[1].equals("f32") ? DType.F32 : DType.BF16;
        long t0 = System.nanoTime();
        long bytes = write(Path.of(args[0]), dtype);
        System.out.printf("wrote %s: Flan-T5-Large shape, %s, %.2f GB of weights in %.1f s%n", args[0], dtype, bytes / 1e9,
                (System.nanoTime() - t0) / 1e9);
    }
}
