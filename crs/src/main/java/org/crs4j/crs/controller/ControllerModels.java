package org.crs4j.crs.controller;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.crs4j.models.LanguageModel;
import org.crs4j.models.LanguageModels;
import org.crs4j.models.cli.ModelLocator;
import org.crs4j.models.generation.GenerationConfig;
import org.crs4j.models.hub.Hub;
import org.crs4j.models.t5.T5;
import org.crs4j.models.t5.T5Config;
import org.crs4j.models.t5.T5Model;
import org.crs4j.models.tokenizer.Tokenizer;
import org.crs4j.models.tokenizer.Tokenizers;
import org.crs4j.nn.Parameter;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.io.AtomicFiles;
import org.crs4j.tensor.io.SafetensorsWriter;

/**
 * The controller LLM as a Hugging Face model folder, from creation to saving: a small T5 built from scratch with
 * crs4j's T5 classes (the settings in {@code controller-small.json}, the SentencePiece vocabulary trained by
 * {@code scripts/train_controller_tokenizer.py}), or any T5/LLaMA folder or Hugging Face id opened for
 * fine-tuning; the choice of layers to train; and saving, so that what a trainer writes is a normal model folder
 * (config.json, model.safetensors, tokenizer) that {@code LanguageModels.load} and {@code Llms.open} read.
 */
public final class ControllerModels {
    private static final String RESOURCES = "/org/crs4j/crs/controller/";
    /** The bundled settings of the small controller (a T5 config.json without vocab_size). */
    public static final String SMALL = "controller-small.json";
    /** The bundled 8,000-piece SentencePiece vocabulary (ReDial, INSPIRED and TG-ReDial training text). */
    public static final String TOKENIZER = "controller-spm-8k.model";
    private static final String GENERATION = "controller-generation.json";
    /** Files of a model folder that describe it besides its weights; a saved copy carries them along. */
    private static final List<String> DESCRIPTION = List.of("config.json", "generation_config.json", "tokenizer_config.json",
            "special_tokens_map.json", "tokenizer.json", "tokenizer.model", "spiece.model");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ControllerModels() {}

    /**
     * Writes a new controller's description into {@code folder} (config.json with the vocabulary size of the
     * tokenizer rounded up to a multiple of 64, generation_config.json, the tokenizer) and returns the model, randomly
     * initialised from {@code rng} (torch's layer defaults), with dropout at the config's rate in training mode. Its
     * weights reach the folder with {@link #save}.
     *
     * @param config    a T5 config.json, or null for the bundled small controller
     * @param tokenizer a SentencePiece .model or tokenizer.json, or null for the bundled vocabulary
     */
    public static T5 create(Path folder, Path config, Path tokenizer, Generator rng) throws IOException {
        Files.createDirectories(folder);
        byte[] tokBytes = tokenizer == null ? resource(TOKENIZER) : Files.readAllBytes(tokenizer);
        String tokName = tokenizer != null && tokenizer.getFileName().toString().endsWith(".json") ? "tokenizer.json" : "spiece.model";
        writeAtomically(folder.resolve(tokName), tokBytes);
        Tokenizer tok = Tokenizers.fromFile(folder.resolve(tokName));
        JsonNode node;
        String configName = config == null ? SMALL + " (bundled)" : config.toString();
        try {
            node = JSON.readTree(config == null ? resource(SMALL) : Files.readAllBytes(config));
        } catch (JacksonException e) {
            throw new IOException(configName + ": invalid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) throw new IOException(configName + ": expected a JSON object (a T5 config.json)");
        ObjectNode c = ((ObjectNode) node).deepCopy();
        c.put("vocab_size", (tok.vocabSize() + 63) / 64 * 64);
        c.put("model_type", "t5");
        writeAtomically(folder.resolve("config.json"), JSON.writeValueAsBytes(c));
        writeAtomically(folder.resolve("generation_config.json"), resource(GENERATION));
        T5Config t5 = T5Config.fromJson(folder.resolve("config.json"));
        GenerationConfig defaults = GenerationConfig.fromJson(folder.resolve("generation_config.json"),
                GenerationConfig.greedy(100, t5.eosTokenIds()));
        return T5.of(folder, new T5Model(t5, rng), tok, defaults);
    }

    /**
     * The controller a run created in {@code folder} (its config.json, generation_config.json and tokenizer), rebuilt
     * with the same random initialisation and dropout stream: what a resumed run trains on before its saved state
     * overwrites the weights.
     */
    public static T5 rebuild(Path folder, Generator rng) throws IOException {
        T5Config t5 = T5Config.fromJson(folder.resolve("config.json"));
        GenerationConfig defaults = GenerationConfig.fromJson(folder.resolve("generation_config.json"),
                GenerationConfig.greedy(100, t5.eosTokenIds()));
        return T5.of(folder, new T5Model(t5, rng), Tokenizers.forModelFolder(folder), defaults);
    }

    /**
     * Opens a model folder, model file or Hugging Face id for fine-tuning (T5 or LLaMA), refusing one without a
     * tokenizer; the loader refuses a tokenizer that does not fit the vocabulary (one taken from another model).
     */
    public static LanguageModel open(String spec) throws IOException {
        Path path = ModelLocator.locate(spec, null, true, Hub::fromEnvironment);
        LanguageModel lm = LanguageModels.load(path);
        try {
            // a tokenizer from another vocabulary is refused by the loader itself (models.DeclaredSizes)
            if (!lm.hasTokenizer()) throw new IOException(spec + ": no tokenizer beside the model (tokenizer.json, spiece.model, ...)");
            return lm;
        } catch (IOException | RuntimeException e) {
            lm.close();
            throw e;
        }
    }

    /**
     * Trains only the parameters whose Hugging Face name matches {@code regex} entirely (null: all), freezing the
     * others; trained weights stored in 16 bits are widened to F32 copies (optimizers update F32). Returns the number
     * of trained values.
     *
     * @throws IllegalArgumentException naming {@code --train-layers} when the pattern is invalid or matches nothing
     */
    public static long trainOnly(LanguageModel lm, String regex) {
        Pattern p;
        try {
            p = regex == null ? null : Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("--train-layers: not a regular expression: " + e.getDescription());
        }
        long count = 0;
        Map<String, Parameter> params = lm.module().namedParameters();
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            Parameter param = e.getValue();
            boolean train = p == null || p.matcher(e.getKey()).matches();
            if (train && param.data().dtype() != DType.F32 && param.data().dtype() != DType.F64) {
                param.set(param.data().to(DType.F32));
            }
            param.setTrainable(train);
            if (train) count += param.numel();
        }
        if (count == 0) {
            throw new IllegalArgumentException("--train-layers: no parameter matches \"" + regex + "\" (names look like "
                    + params.keySet().iterator().next() + ")");
        }
        return count;
    }

    /**
     * Saves the model as a folder: {@code model.safetensors} with every parameter (trained ones in F32, frozen ones as
     * stored), written atomically, and — when {@code folder} is not where the model came from — the source folder's
     * config, generation config and tokenizer files.
     */
    public static void save(LanguageModel lm, Path folder) throws IOException {
        Path source = lm.source();
        Files.createDirectories(folder);
        if (!Files.isDirectory(source)) {
            throw new IOException(source + ": a single-file checkpoint cannot be saved as a model folder; convert it to a Hugging Face folder first");
        }
        if (!Files.isSameFile(source, folder)) {
            if (Files.exists(source.resolve("model.safetensors.index.json")) && Files.exists(folder.resolve("model.safetensors.index.json"))) {
                throw new IOException(folder + ": holds a sharded checkpoint; save into a new folder");
            }
            for (String name : DESCRIPTION) {
                Path f = source.resolve(name);
                if (Files.isRegularFile(f)) writeAtomically(folder.resolve(name), Files.readAllBytes(f));
            }
        }
        SafetensorsWriter.write(folder.resolve("model.safetensors"), lm.module().stateDict(), Map.of("format", "pt"));
    }

    /** Parameter names of the model whose values are trained, in order. */
    public static List<String> trainableNames(LanguageModel lm) {
        List<String> names = new ArrayList<>();
        lm.module().namedParameters().forEach((n, p) -> {
            if (p.trainable()) names.add(n);
        });
        return names;
    }

    /** A short description of the model's shape, stored with a run's state and compared when it resumes. */
    public static String fingerprint(LanguageModel lm) {
        StringBuilder sb = new StringBuilder().append(lm.isEncoderDecoder() ? "t5" : "llama").append(" vocab ")
                .append(lm.decoder().vocabSize()).append(", tokenizer ").append(lm.tokenizer().vocabSize()).append(" ids, ")
                .append(lm.module().parameterCount()).append(" parameters");
        return sb.toString();
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = ControllerModels.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) throw new IOException("resource " + RESOURCES + name + " is missing from the build");
            return in.readAllBytes();
        }
    }

    static void writeAtomically(Path file, byte[] bytes) throws IOException {
        AtomicFiles.write(file, ch -> {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) ch.write(b);
        });
    }
}
