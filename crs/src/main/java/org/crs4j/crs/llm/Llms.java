package org.crs4j.crs.llm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.crs4j.models.LanguageModels;
import org.crs4j.models.cli.ModelLocator;
import org.crs4j.models.hub.Hub;

/** Opens the LLM a {@code --llm} option names. */
public final class Llms {
    private Llms() {}

    /**
     * A model folder or file (Flan-T5, LLaMA, llama2.c), or a Hugging Face id found in the cache or downloaded into it.
     *
     * @throws LlmException naming the option value when it cannot be opened
     */
    public static Llm open(String spec) {
        if (spec == null || spec.isBlank()) throw new LlmException("--llm: empty value: give a model folder, a Hugging Face id (ORG/NAME) or an endpoint URL");
        try {
            Path path = ModelLocator.locate(spec, null, true, Hub::fromEnvironment);
            return new LocalLlm(LanguageModels.load(path), spec, true);
        } catch (IOException e) {
            throw new LlmException("--llm " + spec + ": " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw new LlmException("--llm " + spec + ": " + e.getCause().getMessage(), e);
        }
    }
}
