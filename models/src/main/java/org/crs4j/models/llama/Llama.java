package org.crs4j.models.llama;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.crs4j.autograd.Variable;
import org.crs4j.io.InputFiles;
import org.crs4j.models.DeclaredSizes;
import org.crs4j.models.LoadedModel;
import org.crs4j.models.ModelFormatException;
import org.crs4j.models.Quantization;
import org.crs4j.models.generation.Generation;
import org.crs4j.models.generation.GenerationConfig;
import org.crs4j.models.generation.TokenListener;
import org.crs4j.models.tokenizer.DecodeStream;
import org.crs4j.models.tokenizer.Tokenizer;
import org.crs4j.models.tokenizer.Tokenizers;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.io.Safetensors;
import org.crs4j.tensor.io.TensorInfo;

/**
 * A loaded LLaMA-family model with its tokenizer and generation defaults, ready to generate and score text.
 *
 * <pre>{@code
 * try (Llama llama = Llama.load(Path.of("models/TinyLlama-1.1B"))) {          // a Hugging Face folder
 *     String text = llama.generate("Once upon a time", llama.defaults().withMaxNewTokens(50), System.out::print);
 *     Variable lp = llama.logProb("The capital of France is", " Paris");    // differentiable
 * }
 * }</pre>
 *
 * <p>Sources: a Hugging Face folder ({@code config.json}, {@code model.safetensors} or a sharded index,
 * {@code generation_config.json} when present, the tokenizer the folder holds), or a llama2.c {@code .bin} file (with
 * a tokenizer file given separately). Weights stay memory-mapped in their stored dtype (F32, BF16, F16): loading a 7B
 * BF16 model costs page cache, not heap. {@link #close()} unmaps them. With {@link Quantization#Q8} the matrices are
 * quantized to Q8_0 while loading (faster generation) and the files are unmapped at once.
 */
public final class Llama extends LoadedModel {
    private final LlamaModel model;

    private Llama(Path source, LlamaModel model, Tokenizer tokenizer, GenerationConfig defaults, AutoCloseable weights) {
        this(source, model, tokenizer, null, defaults, weights);
    }

    private Llama(Path source, LlamaModel model, Tokenizer tokenizer, String missingTokenizer, GenerationConfig defaults,
                  AutoCloseable weights) {
        super(source, model, tokenizer, missingTokenizer, defaults, weights);
        this.model = model;
    }

    /** Loads a Hugging Face folder or a llama2.c file, with the tokenizer found beside it (if any). */
    public static Llama load(Path path) throws IOException {
        return load(path, null);
    }

    /** As {@link #load(Path, Path)}, with the weights held as {@code quantization} says (see {@link Quantization}). */
    public static Llama load(Path path, Path tokenizerFile, Quantization quantization) throws IOException {
        if (Files.isDirectory(InputFiles.requireFileOrFolder(path))) return loadHuggingFace(path, tokenizerFile, quantization);
        return loadLlama2c(path, tokenizerFile, quantization);
    }

    /**
     * Loads a Hugging Face folder or a llama2.c file.
     *
     * @param tokenizerFile a tokenizer file (tokenizer.json, SentencePiece .model, llama2.c tokenizer.bin) overriding
     *                      the folder's, or null
     */
    public static Llama load(Path path, Path tokenizerFile) throws IOException {
        return load(path, tokenizerFile, Quantization.NONE);
    }

    private static Llama loadHuggingFace(Path folder, Path tokenizerFile, Quantization quantization) throws IOException {
        Path configFile = folder.resolve("config.json");
        LlamaConfig config = LlamaConfig.fromJson(configFile);
        Safetensors st = Safetensors.open(folder);
        try {
            Map<String, TensorInfo> infos = new LinkedHashMap<>();
            for (TensorInfo info : st.tensors()) {
                if (info.name().endsWith(".rotary_emb.inv_freq")) continue; // a buffer older exports saved; recomputed here
                infos.put(info.name(), info);
            }
            // A tied checkpoint may still carry a copy of the embedding as lm_head, which is ignored.
            if (config.tieWordEmbeddings()) infos.remove("lm_head.weight");
            checkSizes(config, configFile, st.path(), infos);
            Map<String, Tensor> weights = new LinkedHashMap<>();
            for (TensorInfo info : infos.values()) weights.put(info.name(), storedWeight(st, info));
            LlamaModel model = new LlamaModel(config, null);
            install(model, quantize(weights, quantization, st.path()), st.path());
            GenerationConfig defaults = GenerationConfig.greedy(256, config.eosTokenIds());
            Path gen = folder.resolve("generation_config.json");
            if (Files.exists(gen)) defaults = GenerationConfig.fromJson(gen, defaults);
            Tokenizer tok = tokenizerFile != null ? Tokenizers.fromFile(tokenizerFile) : findTokenizer(folder);
            if (tok != null) DeclaredSizes.tokenizer(tok, config.vocabSize(), configFile);
            return new Llama(folder, model, tok, defaults, release(st, quantization));
        } catch (IOException | RuntimeException e) {
            st.close();
            throw e;
        }
    }

    /** config.json's sizes against the checkpoint's tensors, before the model allocates anything. */
    private static void checkSizes(LlamaConfig c, Path configFile, Path weightsFile, Map<String, TensorInfo> infos)
            throws ModelFormatException {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        infos.forEach((name, info) -> shapes.put(name, info.shape()));
        String layer0 = "model.layers.0.";
        var sizes = new DeclaredSizes(configFile, weightsFile, shapes)
                .dim("vocab_size", c.vocabSize(), "model.embed_tokens.weight", 0)
                .dim("hidden_size", c.hiddenSize(), "model.embed_tokens.weight", 1)
                .blocks("num_hidden_layers", c.numLayers(), "model.layers.")
                .dim("intermediate_size", c.intermediateSize(), layer0 + "mlp.gate_proj.weight", 0)
                .dim("num_attention_heads x head_dim", (long) c.numHeads() * c.headDim(), layer0 + "self_attn.q_proj.weight", 0)
                .dim("num_key_value_heads x head_dim", (long) c.numKvHeads() * c.headDim(), layer0 + "self_attn.k_proj.weight", 0);
        if (!c.tieWordEmbeddings()) {
            sizes.requires("tie_word_embeddings", "false (or absent) means an output layer of its own", "lm_head.weight")
                    .dim("vocab_size", c.vocabSize(), "lm_head.weight", 0);
        }
    }

    private static Llama loadLlama2c(Path file, Path tokenizerFile, Quantization quantization) throws IOException {
        Llama2cCheckpoint ckpt = Llama2cCheckpoint.open(file);
        try {
            LlamaConfig config = ckpt.config();
            LlamaModel model = new LlamaModel(config, null);
            install(model, quantize(ckpt.weights(), quantization, file), file);
            Tokenizer tok = null;
            String missing = null;
            if (tokenizerFile != null) {
                tok = Tokenizers.fromFile(tokenizerFile);
            } else {
                // run.c's default is tokenizer.bin beside it; llama2.c's custom vocabularies ship as tok<VOCAB>.bin
                List<String> names = List.of("tokenizer.bin", "tok" + config.vocabSize() + ".bin");
                Path dir = file.toAbsolutePath().getParent();
                for (String name : names) {
                    if (dir != null && Files.isRegularFile(dir.resolve(name))) {
                        tok = Tokenizers.fromFile(dir.resolve(name));
                        break;
                    }
                }
                if (tok == null) {
                    missing = file + ": a llama2.c checkpoint holds no tokenizer, and neither " + String.join(" nor ", names)
                            + " is beside it; give the tokenizer file (--tokenizer)";
                }
            }
            if (tok != null) DeclaredSizes.tokenizer(tok, config.vocabSize(), file);
            return new Llama(file, model, tok, missing, GenerationConfig.greedy(256, config.eosTokenIds()), release(ckpt, quantization));
        } catch (IOException | RuntimeException e) {
            ckpt.close();
            throw e;
        }
    }

    public LlamaModel model() {
        return model;
    }

    public LlamaConfig config() {
        return model.config();
    }

    @Override
    public boolean isEncoderDecoder() {
        return false;
    }

    /** Prompt ids as LLaMA expects them: BOS, then the text's tokens. */
    @Override
    public int[] encodePrompt(String text) {
        int[] ids = tokenizer().encode(text);
        int bos = config().bosTokenId();
        if (bos < 0) return ids;
        int[] out = new int[ids.length + 1];
        out[0] = bos;
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }

    /** A continuation's tokens as they follow a prompt (no BOS, no EOS). */
    @Override
    public int[] encodeTarget(String text) {
        return tokenizer().encode(text);
    }

    @Override
    public DecodeStream outputStream(int[] prompt) {
        return streamAfter(tokenizer(), prompt);
    }

    /**
     * Generates a continuation of {@code prompt} and returns its text (with its leading space, so that prompt +
     * result reads right); {@code textStream} (may be null) receives the same text piece by piece as tokens are
     * produced.
     */
    @Override
    public String generate(String prompt, GenerationConfig config, Consumer<String> textStream) {
        int[] ids = encodePrompt(prompt);
        DecodeStream stream = streamAfter(tokenizer(), ids);
        int[][] out = Generation.generate(model, new int[][] {ids}, config, (row, token) -> emit(stream.next(token), textStream));
        emit(stream.flush(), textStream);
        return decodeOutput(ids, out[0]);
    }

    /** The continuation's text as it reads after the prompt (its leading space kept). */
    @Override
    public String decodeOutput(int[] prompt, int[] generated) {
        String full = tokenizer().decode(concat(prompt, generated)), head = tokenizer().decode(prompt);
        return full.startsWith(head) ? full.substring(head.length()) : tokenizer().decode(generated);
    }

    /**
     * A decoder for the tokens generated after {@code prompt}: the prompt's last token is fed first as context, so that
     * the first generated piece keeps its leading space ("Lily" + "▁loved" streams " loved").
     */
    public static DecodeStream streamAfter(Tokenizer tokenizer, int[] prompt) {
        DecodeStream stream = tokenizer.decodeStream();
        if (prompt.length > 0) stream.next(prompt[prompt.length - 1]);
        return stream;
    }

    private static void emit(String piece, Consumer<String> sink) {
        if (sink != null && !piece.isEmpty()) sink.accept(piece);
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** Generates for several prompts at once (left padding); returns the new tokens of each. */
    public int[][] generate(List<String> prompts, GenerationConfig config, TokenListener listener) {
        int[][] ids = new int[prompts.size()][];
        for (int i = 0; i < ids.length; i++) ids[i] = encodePrompt(prompts.get(i));
        return Generation.generate(model, ids, config, listener);
    }

    /** sum log p(continuation | prompt) as a scalar that backpropagates into the trainable parameters. */
    @Override
    public Variable logProb(String prompt, String continuation) {
        return LlamaScoring.logProb(model, encodePrompt(prompt), tokenizer().encode(continuation));
    }

    @Override
    public Variable logProbs(int[][] prompts, int[][] continuations) {
        return LlamaScoring.logProbs(model, List.of(prompts), List.of(continuations));
    }
}
