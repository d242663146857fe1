package org.crs4j.crs.cli;

import java.nio.file.Path;
import java.time.Duration;
import org.crs4j.crs.llm.Llm;
import org.crs4j.crs.llm.LlmException;
import org.crs4j.crs.llm.Llms;
import org.crs4j.crs.llm.RemoteLlm;
import picocli.CommandLine.Option;

/** The options of every command that calls an LLM (a picocli mixin): which one, how to reach it, where to trace. */
public final class LlmOptions {
    @Option(names = "--llm", required = true, paramLabel = "SPEC",
            description = "A model folder or Hugging Face id (local), an OpenAI-compatible endpoint URL#MODEL "
                    + "(e.g. http://127.0.0.1:8000/v1#gpt-4o-mini), or replay:TRACE (answers from a trace file).")
    String spec;

    @Option(names = "--llm-key-env", paramLabel = "NAME",
            description = "Environment variable holding the endpoint's API key (sent as a Bearer token, never printed). Default: send no key.")
    String keyEnv;

    @Option(names = "--llm-timeout", paramLabel = "SECONDS", defaultValue = "120",
            description = "Seconds one attempt may take to answer in full (default: ${DEFAULT-VALUE}).")
    double timeoutSeconds;

    @Option(names = "--llm-retries", paramLabel = "N", defaultValue = "2",
            description = "Further attempts after a connection failure, a timeout, HTTP 408/409/429 or 5xx (default: ${DEFAULT-VALUE}).")
    int retries;

    @Option(names = "--trace", paramLabel = "FILE",
            description = "Append every LLM call (stage, prompt, output, sampling, tokens, latency, endpoint) to this JSON Lines file.")
    Path trace;

    /** Opens the LLM, wrapped in a trace writer when {@code --trace} is given. */
    public Llm open() {
        if (!(timeoutSeconds > 0) || Double.isInfinite(timeoutSeconds))
            throw new LlmException("--llm-timeout: must be a positive number of seconds, got " + timeoutSeconds);
        if (retries < 0) throw new LlmException("--llm-retries: must be >= 0, got " + retries);
        RemoteLlm.Settings remote = RemoteLlm.Settings.defaults()
                .withTimeout(Duration.ofNanos((long) (timeoutSeconds * 1e9))).withMaxRetries(retries);
        return Llms.open(spec, new Llms.Options(keyEnv, remote, trace));
    }

    public String spec() {
        return spec;
    }
}
