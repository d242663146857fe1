package org.crs4j.crs.controller;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.crs4j.models.generation.GenerationConfig;
import org.crs4j.models.t5.T5;
import org.crs4j.models.t5.T5Config;
import org.crs4j.models.t5.T5Model;
import org.crs4j.models.tokenizer.Tokenizers;
import org.crs4j.nn.transformer.FeedForward;
import org.crs4j.tensor.Generator;

/** Tiny T5 models over the 40-id character tokenizer of the tests (scripts/make_rlpf_fixtures.py). */
public final class TinyT5 {
    private TinyT5() {}

    public static Path tokenizer() {
        try {
            return Path.of(TinyT5.class.getResource("/org/crs4j/crs/rlpf/tiny-char.model").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A T5 config.json for a small model over the tiny vocabulary. */
    public static Path config(Path dir, int dModel, int heads, int dKv, int dFf, int layers, double dropout) {
        String json = """
                {"model_type": "t5", "d_model": %d, "num_heads": %d, "d_kv": %d, "d_ff": %d, "num_layers": %d,
                 "num_decoder_layers": %d, "feed_forward_proj": "gated-gelu", "tie_word_embeddings": false,
                 "relative_attention_num_buckets": 8, "relative_attention_max_distance": 16, "dropout_rate": %s,
                 "decoder_start_token_id": 0, "eos_token_id": 1, "pad_token_id": 0}
                """.formatted(dModel, heads, dKv, dFf, layers, layers, dropout);
        try {
            Files.createDirectories(dir);
            Path p = dir.resolve("tiny-config.json");
            Files.writeString(p, json);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A randomly initialised T5 (vocabulary 40, F32) that lives in memory only. */
    public static T5 inMemory(int dModel, int dFf, int layers, long seed) throws IOException {
        T5Config c = new T5Config(64, dModel, dModel / 2, dFf, layers, layers, 2, 8, 16, FeedForward.Kind.GATED_GELU, false, 1e-6,
                0, new int[] {1}, 0, 0.0);
        return T5.of(Path.of("tiny-t5"), new T5Model(c, new Generator(seed)), Tokenizers.fromFile(tokenizer()), GenerationConfig.greedy(8, 1));
    }
}
