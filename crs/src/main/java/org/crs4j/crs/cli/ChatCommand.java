package org.crs4j.crs.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.crs4j.crs.chat.ChatSetup;
import org.crs4j.crs.chat.TerminalChat;
import org.crs4j.crs.serve.ApiServer;
import org.crs4j.crs.serve.ChatPage;
import org.crs4j.crs.serve.CrsTurnApi;
import org.crs4j.crs.serve.ServeLimits;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code crs4j chat}: talk to the conversational recommender, in the terminal or (--web) in a browser. */
@Command(name = "chat", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Talk to a conversational recommender: seed 003's causal recommender and LLMCRS's experts, led by an LLM when one is available.",
                "With no option: ReDial from the data directory, the recommender trained on first use into the crs4j cache (then loaded in seconds), "
                        + "and the LLM given by --llm, else a controller trained earlier (CACHE/models/controller), else google/flan-t5-large if it is "
                        + "in the Hugging Face cache, else none: then each answer is the recommendation expert's own output, and the banner says so.",
                "Commands in the chat: /why, /details TITLE, /trace, /reset, /help, /quit."})
final class ChatCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", description = "A trained recommender directory (crs4j train rec, variant full); its dataset is used.")
    Path model;

    @Option(names = "--dataset", paramLabel = "NAME", description = "The dataset of the default recommender (default: redial).")
    String dataset;

    @Option(names = "--llm", paramLabel = "SPEC", description = "The LLM: a model folder, a Hugging Face id, or an OpenAI-compatible URL#MODEL.")
    String llm;

    @Option(names = "--no-llm", description = "Seed 003's w/o-LLM variant: the recommendation expert's output is the answer, even when an LLM is available.")
    boolean noLlm;

    @Option(names = "--web", description = "Serve the chat page at http://HOST:PORT/ (and POST /v1/crs/turn) instead of the terminal.")
    boolean web;

    @Option(names = "--port", paramLabel = "N", defaultValue = "8080", description = "Port of --web (default: ${DEFAULT-VALUE}; 0 = any free port).")
    int port;

    @Option(names = "--host", paramLabel = "H", defaultValue = "127.0.0.1", description = "Address of --web (default: ${DEFAULT-VALUE}, this machine only).")
    String host;

    @Mixin DataOptions data = new DataOptions();

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) throw new ParameterException(spec.commandLine(), "--port: must be in 0..65535, got " + port);
        if (!web && spec.commandLine().getParseResult().hasMatchedOption("--port"))
            throw new ParameterException(spec.commandLine(), "--port: only with --web");
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = new PrintWriter(System.err, true);
        ConsoleProgress progress = new ConsoleProgress(System.err, err);
        var options = new ChatSetup.Options(model, dataset, llm, noLlm, data.dataDir(), data.cacheDir());
        ChatSetup.Assembled a = ChatSetup.assemble(options, progress, progress, note -> err.println("crs4j chat: " + note));
        try (var crs = a.system()) {
            if (!web) {
                TerminalChat.banner(a).forEach(out::println);
                out.flush();
                var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                new TerminalChat(crs, in, out).run();
                return 0;
            }
            ServeLimits limits = ServeLimits.defaults().withBatch(2, 8);
            ApiServer server = ChatPage.install(new CrsTurnApi(crs, limits).install(new ApiServer(host, port, limits, null, err::println)));
            try {
                server.start();
            } catch (java.io.IOException e) {
                throw new java.io.IOException("--port " + port + ": cannot listen on " + host + ":" + port + " (" + e.getMessage() + ")", e);
            }
            InetSocketAddress at = server.address();
            TerminalChat.banner(a).forEach(err::println);
            out.printf("crs4j chat: open http://%s:%d/ in a browser; Ctrl-C stops%n", at.getHostString(), at.getPort());
            out.flush();
            Runtime.getRuntime().addShutdownHook(new Thread(server::close));
            server.join();
            return 0;
        }
    }
}
