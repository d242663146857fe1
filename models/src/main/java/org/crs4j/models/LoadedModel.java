package org.crs4j.models;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.crs4j.models.generation.GenerationConfig;
import org.crs4j.models.generation.TokenDecoder;
import org.crs4j.models.tokenizer.Tokenizer;
import org.crs4j.models.tokenizer.Tokenizers;
import org.crs4j.nn.Module;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.io.Safetensors;
import org.crs4j.tensor.io.TensorInfo;

/**
 * What every loaded {@link LanguageModel} holds whatever its architecture: where it came from, the network, its
 * tokenizer, its generation defaults and the checkpoint that maps its weights; and the loading steps the architectures
 * share (checking stored dtypes, quantizing, installing weights by name, finding the folder's tokenizer).
 * {@code models.llama.Llama} and {@code models.t5.T5} add what differs: how prompts are encoded and scored.
 */
public abstract class LoadedModel implements LanguageModel {
    private final Path source;
    private final Module module;
    private final TokenDecoder decoder;
    private final Tokenizer tokenizer; // null when none was found
    private final String missingTokenizer; // what was looked for, when none was found
    private final GenerationConfig defaults;
    private final AutoCloseable weights;

    /** @param network the model, both the module trained and the decoder generation drives */
    protected <M extends Module & TokenDecoder> LoadedModel(Path source, M network, Tokenizer tokenizer,
                                                            GenerationConfig defaults, AutoCloseable weights) {
        this(source, network, tokenizer, null, defaults, weights);
    }

    /** @param missingTokenizer when {@code tokenizer} is null, what was looked for (the message {@link #tokenizer()} throws) */
    protected <M extends Module & TokenDecoder> LoadedModel(Path source, M network, Tokenizer tokenizer, String missingTokenizer,
                                                            GenerationConfig defaults, AutoCloseable weights) {
        this.missingTokenizer = missingTokenizer != null ? missingTokenizer : source + ": no tokenizer found in the folder (looked for "
                + String.join(", ", Tokenizers.FOLDER_FILES) + "); give a tokenizer file (--tokenizer)";
        this.source = source;
        this.module = network;
        this.decoder = network;
        this.tokenizer = tokenizer;
        this.defaults = defaults;
        this.weights = weights;
    }

    @Override
    public Path source() {
        return source;
    }

    @Override
    public Module module() {
        return module;
    }

    @Override
    public TokenDecoder decoder() {
        return decoder;
    }

    @Override
    public boolean hasTokenizer() {
        return tokenizer != null;
    }

    @Override
    public Tokenizer tokenizer() {
        if (tokenizer == null) throw new IllegalStateException(missingTokenizer);
        return tokenizer;
    }

    /** Generation defaults: generation_config.json when the folder has one, else greedy with the config's EOS. */
    @Override
    public GenerationConfig defaults() {
        return defaults;
    }

    /** Unmaps the weights: the model must not be used afterwards. */
    @Override
    public void close() {
        try {
            weights.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing " + source + ": " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ loading steps shared by the architectures

    /** The checkpoint's tensor {@code info}, mapped; its dtype must be one weights are stored in (F32, BF16, F16). */
    protected static Tensor storedWeight(Safetensors st, TensorInfo info) throws ModelFormatException {
        DType dt = info.dtype();
        if (dt != DType.F32 && dt != DType.BF16 && dt != DType.F16) {
            throw new ModelFormatException(st.path(), "tensor \"" + info.name() + "\" has dtype " + dt + "; weights must be F32, BF16 or F16");
        }
        try {
            return st.tensor(info.name());
        } catch (IllegalArgumentException e) { // a tensor past crs4j's 2^31-element limit
            throw new ModelFormatException(st.path(), "tensor \"" + info.name() + "\": " + e.getMessage());
        }
    }

    /** The weights as {@code quantization} holds them; a tensor that cannot be quantized is named with its file. */
    protected static Map<String, Tensor> quantize(Map<String, Tensor> weights, Quantization quantization, Path file)
            throws ModelFormatException {
        try {
            return quantization.apply(weights);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, e.getMessage(), e);
        }
    }

    /** Installs the weights by name, without copying; any missing, unexpected or mis-shaped tensor is named. */
    protected static void install(Module model, Map<String, Tensor> weights, Path file) throws ModelFormatException {
        try {
            model.loadStateDict(weights, true);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, "weights do not match config: "
                    + e.getMessage().replaceFirst("^state dict does not match \\w+: ", ""));
        }
    }

    /** What the model must close: the checkpoint while its mapping holds the weights, nothing once they were copied. */
    protected static AutoCloseable release(AutoCloseable checkpoint, Quantization quantization) throws IOException {
        if (quantization == Quantization.NONE) return checkpoint;
        try {
            checkpoint.close(); // the weights are in-memory copies now: unmap the files
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
        return () -> {};
    }

    /** The folder's tokenizer (tokenizer.json, tokenizer.model, spiece.model, ...), or null when it has none. */
    protected static Tokenizer findTokenizer(Path folder) throws IOException {
        for (String name : Tokenizers.FOLDER_FILES) {
            if (Files.exists(folder.resolve(name))) return Tokenizers.forModelFolder(folder);
        }
        return null;
    }
}
