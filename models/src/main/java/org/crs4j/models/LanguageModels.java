package org.crs4j.models;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.crs4j.models.llama.Llama;
import org.crs4j.models.t5.T5;

/**
 * Loads whichever {@link LanguageModel} a folder or file holds: a Hugging Face folder by its config.json's
 * {@code model_type} ("llama"; "t5", "mt5") or, without one, its {@code architectures}; any other file as a llama2.c
 * checkpoint.
 */
public final class LanguageModels {
    private LanguageModels() {}

    public static LanguageModel load(Path path) throws IOException {
        return load(path, null);
    }

    /**
     * @param tokenizerFile a tokenizer overriding the folder's (or the one a llama2.c file lacks), or null
     */
    public static LanguageModel load(Path path, Path tokenizerFile) throws IOException {
        return load(path, tokenizerFile, Quantization.NONE);
    }

    /** As {@link #load(Path, Path)}, with the weights held as {@code quantization} says (see {@link Quantization}). */
    public static LanguageModel load(Path path, Path tokenizerFile, Quantization quantization) throws IOException {
        if (Files.isDirectory(path) && Files.isRegularFile(path.resolve("config.json"))) {
            return switch (architecture(path.resolve("config.json"))) {
                case T5 -> T5.load(path, tokenizerFile, quantization);
                case LLAMA -> Llama.load(path, tokenizerFile, quantization);
            };
        }
        return Llama.load(path, tokenizerFile, quantization); // a llama2.c file, or a folder whose missing config.json Llama reports
    }

    enum Architecture { LLAMA, T5 }

    static Architecture architecture(Path config) throws IOException {
        JsonFields f = JsonFields.read(config);
        String type = f.string("model_type", null);
        if (type == null) {
            // older exports: only "architectures", e.g. ["T5ForConditionalGeneration"]
            var arch = f.node.get("architectures");
            if (arch != null && arch.isArray()) {
                for (var a : arch) if (a.isTextual() && a.asText().endsWith("T5ForConditionalGeneration")) return Architecture.T5;
            }
            return Architecture.LLAMA;
        }
        return switch (type) {
            case "llama" -> Architecture.LLAMA;
            case "t5", "mt5" -> Architecture.T5;
            default -> throw f.error("model_type", "\"" + type + "\" is not supported (crs4j loads \"llama\", \"t5\" and \"mt5\")");
        };
    }
}
