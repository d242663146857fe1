package org.crs4j.models.llama;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.crs4j.autograd.Variable;
import org.crs4j.models.LoadedModel;
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
        super(source, model, tokenizer, defaults, weights);
        this.model = model;
    }

    /** Loads a Hugging Face folder or a llama2.c file, with the tokenizer found beside it (if any). */
    public static Llama load(Path path) throws IOException {
        return load(path, null);
    }

    /** As {@link #load(Path, Path)}, with the weights held as {@code quantization} says (see {@link Quantization}). */
    public static Llama load(Path path, Path tokenizerFile, Quantization quantization) throws IOException {
        if (Files.isDirectory(path)) return loadHuggingFace(path, tokenizerFile, quantization);
        if (Files.isRegularFile(path)) return loadLlama2c(path, tokenizerFile, quantization);
        throw new NoSuchFileException(path.toString(), null, "neither a model folder nor a checkpoint file");
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
        LlamaConfig config = LlamaConfig.fromJson(folder.resolve("config.json"));
        Safetensors st = Safetensors.open(folder);
        try {
            Map<String, Tensor> weights = new LinkedHashMap<>();
            for (TensorInfo info : st.tensors()) {
                String name = info.name();
                if (name.endsWith(".rotary_emb.inv_freq")) continue; // a buffer older exports saved; recomputed here
                weights.put(name, storedWeight(st, info));
            }
            // Tied embeddings are saved without lm_head (a missing lm_head means tied, as in the shared stories260K);
            // some tied checkpoints still carry a copy, which is ignored.
            if (!config.tieWordEmbeddings() && !weights.containsKey("lm_head.weight")) config = tied(config);
            if (config.tieWordEmbeddings()) weights.remove("lm_head.weight");
            LlamaModel model = new LlamaModel(config, null);
            install(model, quantize(weights, quantization, st.path()), st.path());
            GenerationConfig defaults = GenerationConfig.greedy(256, config.eosTokenIds());
            Path gen = folder.resolve("generation_config.json");
            if (Files.isRegularFile(gen)) defaults = GenerationConfig.fromJson(gen, defaults);
            Tokenizer tok = tokenizerFile != null ? Tokenizers.fromFile(tokenizerFile) : findTokenizer(folder);
            return new Llama(folder, model, tok, defaults, release(st, quantization));
        } catch (IOException | RuntimeException e) {
            st.close();
            throw e;
        }
    }

    private static Llama loadLlama2c(Path file, Path tokenizerFile, Quantization quantization) throws IOException {
        Llama2cCheckpoint ckpt = Llama2cCheckpoint.open(file);
        try {
            LlamaModel model = new LlamaModel(ckpt.config(), null);
            install(model, quantize(ckpt.weights(), quantization, file), file);
            Tokenizer tok = tokenizerFile != null ? Tokenizers.fromFile(tokenizerFile) : null;
            if (tok == null && file.getParent() != null && Files.isRegularFile(file.getParent().resolve("tokenizer.bin"))) {
                tok = Tokenizers.fromFile(file.getParent().resolve("tokenizer.bin")); // run.c's default
            }
            return new Llama(file, model, tok, GenerationConfig.greedy(256, ckpt.config().eosTokenIds()), release(ckpt, quantization));
        } catch (IOException | RuntimeException e) {
            ckpt.close();
            throw e;
        }
    }

    private static LlamaConfig tied(LlamaConfig c) {
        return new LlamaConfig(c.vocabSize(), c.hiddenSize(), c.intermediateSize(), c.numLayers(), c.numHeads(), c.numKvHeads(),
                c.headDim(), c.rmsNormEps(), c.ropeTheta(), c.ropeScaling(), c.ropePairing(), c.maxPositionEmbeddings(), true,
                c.bosTokenId(), c.eosTokenIds(), c.padTokenId(), c.attentionBias(), c.mlpBias());
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
