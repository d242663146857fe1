package org.crs4j.crs.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.crs4j.crs.serve.ApiServer;
import org.crs4j.crs.serve.ChatFormat;
import org.crs4j.crs.serve.OpenAiApi;
import org.crs4j.crs.serve.ServeLimits;
import org.crs4j.crs.serve.ServedModel;
import org.crs4j.models.LanguageModel;
import org.crs4j.models.LanguageModels;
import org.crs4j.models.Quantization;
import org.crs4j.models.cli.ModelLocator;
import org.crs4j.models.hub.Hub;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code crs4j serve}: an OpenAI-compatible HTTP API over the models loaded at start (see crs/README.md, "crs4j
 * serve"). Runs until interrupted; one log line per request goes to stderr.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serves models over an OpenAI-compatible HTTP API, batching concurrent requests.",
                "GET /v1/models, POST /v1/chat/completions, POST /v1/completions (stream: true for",
                "server-sent events); with --crs, the conversational recommender (POST /v1/crs/turn,",
                "the chat page at /, its experts at /v1/experts/ID). Binds 127.0.0.1 unless --host says otherwise; clients must",
                "send an API key when $CRS4J_API_KEY is set. See crs/README.md."})
public final class ServeCommand implements Callable<Integer> {

    /** One --model with the options that belong to it. */
    static final class ModelOption {
        @Option(names = "--model", required = true, paramLabel = "DIR|ID|FILE",
                description = "a Hugging Face model folder, a Hugging Face model id (ORG/NAME, from the HF cache or downloaded)"
                        + " or a llama2.c checkpoint; repeat --model to serve several")
        String model;

        @Option(names = "--name", paramLabel = "NAME", description = "the name requests use (default: the model id, or the folder"
                + " or file name)")
        String name;

        @Option(names = "--tokenizer", paramLabel = "FILE", description = "tokenizer file for a checkpoint without one beside it")
        Path tokenizer;

        @Option(names = "--chat-format", paramLabel = "NAME|FILE", description = "how chat messages become a prompt: "
                + "chatml, llama3, llama2, zephyr, plain, raw (the text as sent), or a format FILE (default: recognised from the"
                + " model's chat template, else plain)")
        String chatFormat;
    }

    @ArgGroup(exclusive = false, multiplicity = "0..*")
    List<ModelOption> models = new ArrayList<>();

    @Option(names = "--crs", description = "also serve the conversational recommender of `crs4j chat`: POST /v1/crs/turn, the chat page at /,"
            + " and its experts at /v1/experts/ID (LLMCRS's HTTP expert protocol)")
    boolean crs;

    @Option(names = "--rec-model", paramLabel = "DIR", description = "with --crs: a trained recommender directory (default: the cached"
            + " ReDial model that `crs4j chat` trains on first use)")
    Path recModel;

    @Option(names = "--crs-llm", paramLabel = "SPEC", description = "with --crs: the LLM leading the turns (folder, Hugging Face id,"
            + " URL#MODEL; default: chat's order: a trained controller, google/flan-t5-large if cached, else none)")
    String crsLlm;

    @picocli.CommandLine.Mixin DataOptions data = new DataOptions();

    @Option(names = "--host", paramLabel = "H", defaultValue = "127.0.0.1",
            description = "address to bind (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 exposes the server)")
    String host;

    @Option(names = "--port", paramLabel = "N", defaultValue = "8000", description = "port (default: ${DEFAULT-VALUE}; 0 = any free port)")
    int port;

    @Option(names = "--api-key-env", paramLabel = "VAR", defaultValue = "CRS4J_API_KEY",
            description = "environment variable holding the API key clients must send as 'Authorization: Bearer KEY' (default:"
                    + " ${DEFAULT-VALUE}; no key is required when it is unset or empty)")
    String apiKeyEnv;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "8",
            description = "generations of one model decoded together in one batch (default: ${DEFAULT-VALUE}, the most"
                    + " rows the CPU kernels serve without repacking the weights)")
    int batch;

    @Option(names = "--queue", paramLabel = "N", defaultValue = "32",
            description = "generations that may wait for a batch; beyond them requests get 429 (default: ${DEFAULT-VALUE})")
    int queue;

    @Option(names = "--batch-window-ms", paramLabel = "MS", defaultValue = "10",
            description = "the least an idle model waits for more requests to batch with the first (default: ${DEFAULT-VALUE};"
                    + " a slow model waits up to half a decoding step, at most 250 ms)")
    long windowMillis;

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "2048",
            description = "largest max_tokens a request may ask for (default: ${DEFAULT-VALUE}; the context bounds it too)")
    int maxTokens;

    @Option(names = "--max-body", paramLabel = "BYTES", defaultValue = "1048576",
            description = "largest request body (default: ${DEFAULT-VALUE})")
    long maxBody;

    @Option(names = "--timeout", paramLabel = "S", defaultValue = "300",
            description = "seconds a request may wait and generate before it is ended (default: ${DEFAULT-VALUE})")
    long timeoutSeconds;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "256",
            description = "HTTP exchanges handled at once, each on a virtual thread (default: ${DEFAULT-VALUE})")
    int maxConnections;

    @Option(names = "--quantize", paramLabel = "none|q8", defaultValue = "none",
            description = "q8: quantize weight matrices to Q8_0 while loading (faster on the CPU); none: as stored (default)")
    String quantize;

    @picocli.CommandLine.Mixin org.crs4j.models.cli.DeviceOption device = new org.crs4j.models.cli.DeviceOption();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ServeLimits limits = limits();
        Quantization quantization;
        try {
            quantization = Quantization.parse(quantize);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--quantize: " + e.getMessage());
        }
        device.resolve(quantization); // an unusable --device fails here, before any model is read
        String apiKey = System.getenv(apiKeyEnv);
        if (apiKey != null && apiKey.isBlank()) apiKey = null;
        if (models.isEmpty() && !crs) throw new ParameterException(spec.commandLine(), "--model: give at least one model to serve, or --crs");
        if (!crs && (recModel != null || crsLlm != null))
            throw new ParameterException(spec.commandLine(), (recModel != null ? "--rec-model" : "--crs-llm") + ": only with --crs");

        List<ServedModel> served = new ArrayList<>();
        ApiServer server = null;
        org.crs4j.crs.chat.CrsSystem crsSystem = null;
        try {
            Set<String> names = new HashSet<>();
            for (ModelOption m : models) {
                ServedModel s = load(m, quantization, limits);
                served.add(s);
                if (!names.add(s.name())) throw new ParameterException(spec.commandLine(), "--name " + s.name() + ": two models have this name");
            }
            server = new OpenAiApi(served, limits).install(new ApiServer(host, port, limits, apiKey, System.err::println));
            if (crs) {
                ConsoleProgress progress = new ConsoleProgress(System.err, new java.io.PrintWriter(System.err, true));
                var a = org.crs4j.crs.chat.ChatSetup.assemble(new org.crs4j.crs.chat.ChatSetup.Options(recModel, null, crsLlm, false,
                        data.dataDir(), data.cacheDir()), progress, progress, note -> System.err.println("crs4j serve: " + note));
                crsSystem = a.system();
                new org.crs4j.crs.serve.CrsTurnApi(crsSystem, limits).install(server);
                org.crs4j.crs.serve.ChatPage.install(server);
                org.crs4j.crs.serve.ExpertRoutes.install(server, crsSystem.registry(), crsSystem.environment());
                System.err.printf("crs4j serve: CRS %s with %s (%s), LLM %s%n", crsSystem.environment().data().name(),
                        crsSystem.recommendationExpert(), a.recModel(), a.llmHow());
            }
            try {
                server.start();
            } catch (IOException e) {
                throw new IOException("--port " + port + ": cannot listen on " + host + ":" + port + " (" + e.getMessage() + ")", e);
            }
            InetSocketAddress at = server.address();
            System.err.printf("crs4j serve: listening on http://%s:%d/v1 (%s), API key %s; Ctrl-C stops%n", at.getHostString(),
                    at.getPort(), String.join(", ", java.util.stream.Stream.concat(served.stream().map(ServedModel::name),
                            crs ? java.util.stream.Stream.of("the CRS: POST /v1/crs/turn, the chat page at /") : java.util.stream.Stream.empty()).toList()),
                    apiKey == null ? "not required" : "required ($" + apiKeyEnv + ")");
            if (apiKey == null && !InetAddress.getByName(host).isLoopbackAddress()) {
                System.err.println("crs4j serve: warning: --host " + host + " accepts connections from other machines and no API key is"
                        + " set; set $" + apiKeyEnv + " to require one");
            }
            ApiServer toStop = server;
            var crsToClose = crsSystem;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                toStop.close();
                served.forEach(ServedModel::close);
                if (crsToClose != null) crsToClose.close();
            }));
            server.join();
            return 0;
        } catch (Exception | Error e) {
            if (server != null) server.close();
            served.forEach(ServedModel::close);
            if (crsSystem != null) crsSystem.close();
            throw e;
        }
    }

    private ServeLimits limits() {
        try {
            return new ServeLimits(maxBody, maxTokens, batch, queue, Duration.ofMillis(windowMillis), Duration.ofSeconds(timeoutSeconds),
                    maxConnections, Duration.ofSeconds(30));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private ServedModel load(ModelOption m, Quantization quantization, ServeLimits limits) throws IOException {
        Path path = ModelLocator.locate(m.model, null, true, Hub::fromEnvironment);
        ChatFormat format = m.chatFormat != null ? ChatFormat.named(m.chatFormat) : ChatFormat.forModel(path);
        String name = m.name != null ? m.name : defaultName(m.model, path);
        if (name.isBlank()) throw new ParameterException(spec.commandLine(), "--name: must not be empty");
        long t0 = System.nanoTime();
        LanguageModel lm = LanguageModels.load(path, m.tokenizer, quantization);
        try {
            lm.module().to(device.resolve(quantization));
            if (!lm.hasTokenizer()) throw new IOException("--model " + m.model + ": no tokenizer found beside it; pass --tokenizer FILE");
            ServedModel s = new ServedModel(name, lm, format, limits);
            System.err.printf("crs4j serve: %s = %s (%s, context %d, chat format %s%s), loaded in %.2f s%n", name, path,
                    lm.isEncoderDecoder() ? "encoder-decoder" : "decoder-only", ServeLimits.contextLength(lm), format.name(),
                    kvNote(lm, limits), (System.nanoTime() - t0) / 1e9);
            return s;
        } catch (IOException | RuntimeException e) {
            lm.close();
            throw e;
        }
    }

    /** What a batch's session may take, so that the memory a full batch needs is known at start. */
    private static String kvNote(LanguageModel lm, ServeLimits limits) {
        int context = ServeLimits.contextLength(lm);
        long full = lm.isEncoderDecoder() ? lm.decoder().sessionBytes(limits.maxBatch(), context, context)
                : lm.decoder().sessionBytes(limits.maxBatch(), context / 2, context - context / 2);
        return String.format(", session budget %.0f MiB per batch; %d rows at the full context would need %.0f MiB",
                ServeLimits.kvBudgetBytes() / 1048576.0, limits.maxBatch(), full / 1048576.0);
    }

    static String defaultName(String spec, Path path) {
        if (Hub.isRepoId(spec) && !java.nio.file.Files.exists(Path.of(spec))) return spec;
        String file = path.getFileName() == null ? spec : path.getFileName().toString();
        return file.endsWith(".bin") ? file.substring(0, file.length() - 4) : file;
    }
}
