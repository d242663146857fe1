package org.crs4j.crs.llm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.crs4j.models.LanguageModels;
import org.crs4j.models.cli.ModelLocator;
import org.crs4j.models.hub.Hub;

/**
 * Opens the LLM a {@code --llm} option names:
 * <ul>
 *   <li>{@code replay:TRACE} — answers from a trace file ({@link ReplayLlm});</li>
 *   <li>{@code http://…} or {@code https://…} — an OpenAI-compatible endpoint, the model after {@code #}:
 *       {@code http://127.0.0.1:8000/v1#gpt-4o-mini} ({@link RemoteLlm});</li>
 *   <li>anything else — a model folder or file (Flan-T5, LLaMA, llama2.c), or a Hugging Face id found in the cache or
 *       downloaded into it ({@link LocalLlm}).</li>
 * </ul>
 * With {@link Options#trace()} set, every call is also recorded to that file ({@link TracingLlm}).
 */
public final class Llms {
    private Llms() {}

    /**
     * @param apiKeyEnv environment variable holding a remote endpoint's API key, or null to send none
     * @param remote    timeouts, retries and the answer size limit of remote endpoints
     * @param trace     JSON Lines file every call is appended to, or null
     */
    public record Options(String apiKeyEnv, RemoteLlm.Settings remote, Path trace) {
        public static Options defaults() {
            return new Options(null, RemoteLlm.Settings.defaults(), null);
        }
    }

    public static Llm open(String spec) {
        return open(spec, Options.defaults());
    }

    /**
     * @throws LlmException naming the option value when it cannot be opened
     */
    public static Llm open(String spec, Options options) {
        if (spec == null || spec.isBlank()) throw new LlmException("--llm: empty value: give a model folder, a Hugging Face id (ORG/NAME), an endpoint URL#MODEL or replay:TRACE");
        Llm llm;
        if (spec.startsWith("replay:")) {
            llm = ReplayLlm.open(Path.of(spec.substring("replay:".length())));
        } else if (spec.startsWith("http://") || spec.startsWith("https://")) {
            llm = RemoteLlm.open(spec, options.remote(), options.apiKeyEnv());
        } else {
            llm = openLocal(spec);
        }
        if (options.trace() == null) return llm;
        try {
            return new TracingLlm(llm, options.trace());
        } catch (LlmException e) {
            llm.close();
            throw e;
        }
    }

    private static Llm openLocal(String spec) {
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
