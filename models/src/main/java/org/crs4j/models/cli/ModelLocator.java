package org.crs4j.models.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.crs4j.models.hub.Hub;

/**
 * What {@code --model} names: a folder or file that exists, else a Hugging Face model id (ORG/NAME) resolved in the
 * Hub cache and downloaded into it when missing ({@link Hub}).
 */
public final class ModelLocator {
    private ModelLocator() {}

    /**
     * @param weights true for a whole model (config, weights, tokenizer), false for its tokenizer files only
     */
    public static Path locate(String spec, String revision, boolean weights, Supplier<Hub> hub) throws IOException {
        if (spec == null || spec.isBlank()) {
            throw new IOException("--model: empty value: give a model folder, a checkpoint file or a Hugging Face id (ORG/NAME)");
        }
        Path p = Path.of(spec);
        if (Files.exists(p)) return p;
        if (Hub.isRepoId(spec)) {
            Hub h = hub.get();
            String rev = revision == null ? Hub.MAIN : revision;
            return weights ? h.model(spec, rev) : h.tokenizer(spec, rev);
        }
        throw new IOException("--model " + spec + ": no such folder or file, and not a Hugging Face model id (ORG/NAME)");
    }
}
