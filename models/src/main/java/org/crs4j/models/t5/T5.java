package org.crs4j.models.t5;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.crs4j.autograd.Variable;
import org.crs4j.io.InputFiles;
import org.crs4j.models.DeclaredSizes;
import org.crs4j.models.JsonFields;
import org.crs4j.models.LoadedModel;
import org.crs4j.models.ModelFormatException;
import org.crs4j.models.Quantization;
import org.crs4j.models.generation.GenerationConfig;
import org.crs4j.models.tokenizer.DecodeStream;
import org.crs4j.models.tokenizer.Tokenizer;
import org.crs4j.models.tokenizer.Tokenizers;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.io.Safetensors;
import org.crs4j.tensor.io.TensorInfo;

/**
 * A loaded T5-family model (original T5, T5 v1.1, Flan-T5, mT5) with its tokenizer and generation defaults:
 * text-to-text generation and differentiable scoring.
 *
 * <pre>{@code
 * try (T5 t5 = T5.load(Path.of("flan-t5-large"))) {                         // a Hugging Face folder
 *     String out = t5.generate("translate English to German: The house is wonderful.", t5.defaults(), null);
 *     Variable logP = t5.logProb("Recommend a movie about sharks.", "Jaws");  // log p(Jaws </s> | prompt)
 * }
 * }</pre>
 *
 * <p>From a folder: {@code config.json} ({@link T5Config}), {@code model.safetensors} or
 * {@code model.safetensors.index.json} with its shards, {@code generation_config.json} when present, and the folder's
 * tokenizer ({@code tokenizer.json} or {@code spiece.model}). Weights stay memory-mapped in their stored dtype (F32,
 * BF16, F16), or are quantized to Q8_0 while loading ({@link Quantization#Q8}). Checkpoints may store the shared embedding as {@code shared.weight} or only under its aliases
 * {@code encoder.embed_tokens.weight} / {@code decoder.embed_tokens.weight}; a tied checkpoint's copy of
 * {@code lm_head.weight} and the unused decoder cross-attention relative bias of old exports are ignored.
 */
public final class T5 extends LoadedModel {
    /** Weights that old exports carry and T5 never uses (Hugging Face ignores them too). */
    private static final String UNUSED_CROSS_BIAS = "decoder.block.0.layer.1.EncDecAttention.relative_attention_bias.weight";

    private final T5Model model;

    /** The tokenizer is padded to the model's whole vocabulary (ids past the tokenizer's decode to nothing). */
    private T5(Path source, T5Model model, Tokenizer tokenizer, GenerationConfig defaults, AutoCloseable weights) {
        super(source, model, tokenizer == null ? null : PaddedTokenizer.of(tokenizer, model.config().vocabSize()), defaults, weights);
        this.model = model;
    }

    /** Loads a Hugging Face folder with the tokenizer it holds (if any). */
    public static T5 load(Path folder) throws IOException {
        return load(folder, null);
    }

    /**
     * @param tokenizerFile a tokenizer file (tokenizer.json, spiece.model) overriding the folder's, or null
     */
    public static T5 load(Path folder, Path tokenizerFile) throws IOException {
        return load(folder, tokenizerFile, Quantization.NONE);
    }

    /** As {@link #load(Path, Path)}, with the weights held as {@code quantization} says (see {@link Quantization}). */
    public static T5 load(Path folder, Path tokenizerFile, Quantization quantization) throws IOException {
        InputFiles.requireFolder(folder);
        Path configFile = folder.resolve("config.json");
        T5Config config = T5Config.fromJson(configFile);
        Path gen = folder.resolve("generation_config.json");
        if (Files.exists(gen)) config = withDecoderStart(config, gen);
        Safetensors st = Safetensors.open(folder);
        try {
            Map<String, Tensor> weights = weights(st, config);
            checkSizes(config, configFile, st.path(), weights);
            T5Model model = new T5Model(config, null);
            install(model, quantize(weights, quantization, st.path()), st.path());
            GenerationConfig defaults = GenerationConfig.greedy(256, config.eosTokenIds());
            if (Files.exists(gen)) defaults = GenerationConfig.fromJson(gen, defaults);
            Tokenizer tok = tokenizerFile != null ? Tokenizers.fromFile(tokenizerFile) : findTokenizer(folder);
            if (tok != null) DeclaredSizes.tokenizer(tok, config.vocabSize(), configFile);
            return new T5(folder, model, tok, defaults, release(st, quantization));
        } catch (IOException | RuntimeException e) {
            st.close();
            throw e;
        }
    }

    /** config.json's sizes against the checkpoint's tensors (the shared embedding under any alias), before any allocation. */
    private static void checkSizes(T5Config c, Path configFile, Path weightsFile, Map<String, Tensor> weights)
            throws ModelFormatException {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        weights.forEach((name, t) -> shapes.put(name, Arrays.stream(t.shape()).asLongStream().toArray()));
        String attention = "encoder.block.0.layer.0.SelfAttention.";
        String ff = "encoder.block.0.layer.1.DenseReluDense.";
        var sizes = new DeclaredSizes(configFile, weightsFile, shapes)
                .dim("vocab_size", c.vocabSize(), "shared.weight", 0)
                .dim("d_model", c.dModel(), "shared.weight", 1)
                .blocks("num_layers", c.numLayers(), "encoder.block.")
                .blocks("num_decoder_layers", c.numDecoderLayers(), "decoder.block.")
                .dim("num_heads x d_kv", (long) c.numHeads() * c.dKv(), attention + "q.weight", 0)
                .dim("relative_attention_num_buckets", c.relativeAttentionNumBuckets(), attention + "relative_attention_bias.weight", 0)
                .dim("num_heads", c.numHeads(), attention + "relative_attention_bias.weight", 1)
                .dim("d_ff", c.dFf(), ff + "wo.weight", 1);
        if (!c.tieWordEmbeddings()) {
            sizes.requires("tie_word_embeddings", "false means an output layer of its own", "lm_head.weight")
                    .dim("vocab_size", c.vocabSize(), "lm_head.weight", 0);
        }
    }

    /** generation_config.json's decoder_start_token_id wins over config.json's, as in transformers. */
    private static T5Config withDecoderStart(T5Config c, Path gen) throws IOException {
        JsonFields f = JsonFields.read(gen);
        if (!f.has("decoder_start_token_id")) return c;
        try {
            return new T5Config(c.vocabSize(), c.dModel(), c.dKv(), c.dFf(), c.numLayers(), c.numDecoderLayers(), c.numHeads(),
                    c.relativeAttentionNumBuckets(), c.relativeAttentionMaxDistance(), c.feedForward(), c.tieWordEmbeddings(),
                    c.layerNormEpsilon(), f.integer("decoder_start_token_id", 0), c.eosTokenIds(), c.padTokenId(), c.dropoutRate());
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(gen, e.getMessage());
        }
    }

    /** The checkpoint's tensors under the module's names (aliases resolved, unused tensors dropped), unconverted. */
    static Map<String, Tensor> weights(Safetensors st, T5Config config) throws ModelFormatException {
        Map<String, Tensor> weights = new LinkedHashMap<>();
        for (TensorInfo info : st.tensors()) {
            String name = info.name();
            if (name.equals(UNUSED_CROSS_BIAS)) continue;
            if (config.tieWordEmbeddings() && name.equals("lm_head.weight")) continue; // the shared embedding is used
            weights.put(name, storedWeight(st, info));
        }
        // The shared embedding is also saved (or only saved) as encoder.embed_tokens / decoder.embed_tokens.
        Tensor shared = weights.get("shared.weight");
        for (String alias : List.of("encoder.embed_tokens.weight", "decoder.embed_tokens.weight")) {
            Tensor t = weights.remove(alias);
            if (t == null) continue;
            if (shared == null) {
                shared = t;
                weights.put("shared.weight", t);
            } else if (!Arrays.equals(shared.shape(), t.shape())) {
                throw new ModelFormatException(st.path(), "\"" + alias + "\" " + Arrays.toString(t.shape())
                        + " does not have the shape of the shared embedding " + Arrays.toString(shared.shape()));
            }
        }
        return weights;
    }

    public T5Model model() {
        return model;
    }

    public T5Config config() {
        return model.config();
    }

    @Override
    public boolean isEncoderDecoder() {
        return true;
    }

    /** The text's tokens and EOS, as Hugging Face's T5 tokenizer writes input_ids. */
    @Override
    public int[] encodePrompt(String text) {
        return withEos(tokenizer().encode(text));
    }

    /** The text's tokens and EOS: a complete output, as T5 labels (and generated sequences) end. */
    @Override
    public int[] encodeTarget(String text) {
        return withEos(tokenizer().encode(text));
    }

    private int[] withEos(int[] ids) {
        int[] eos = config().eosTokenIds();
        if (eos.length == 0) return ids;
        int[] out = Arrays.copyOf(ids, ids.length + 1);
        out[ids.length] = eos[0];
        return out;
    }

    /** T5's output is a new sequence: its stream starts empty (the first piece loses its leading space). */
    @Override
    public DecodeStream outputStream(int[] prompt) {
        return tokenizer().decodeStream();
    }

    @Override
    public Variable logProbs(int[][] prompts, int[][] targets) {
        return T5Scoring.logProbs(model, List.of(prompts), List.of(targets));
    }
}
