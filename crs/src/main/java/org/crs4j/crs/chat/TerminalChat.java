package org.crs4j.crs.chat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.crs4j.crs.llmcrs.Conversation;
import org.crs4j.crs.llmcrs.Environment;
import org.crs4j.crs.llmcrs.LlmCall;
import org.crs4j.crs.llmcrs.SubTask;
import org.crs4j.crs.llmcrs.SubTaskCall;
import org.crs4j.crs.llmcrs.TurnResult;
import org.crs4j.crs.llmcrs.TurnTrace;
import org.crs4j.crs.llmcrs.experts.ExpertOutput;
import org.crs4j.data.model.Role;
import org.crs4j.data.prepare.PreparedTurn;

/**
 * The chat in a terminal: a prompt, the answer streamed as it is produced, the recommended items with their year
 * and genres, and the commands {@code /why}, {@code /details TITLE}, {@code /trace}, {@code /reset},
 * {@code /help}, {@code /quit}. Reads lines until {@code /quit} or the end of input, so a script can drive it.
 */
public final class TerminalChat {
    /** Items listed after an answer. */
    static final int SHOWN = 5;
    static final String PROMPT = "you> ", ANSWER = "crs> ";
    private static final String HELP = """
            commands: /why (why the last recommendation), /details TITLE (facts about a movie), /trace (the last turn's stages),
                      /reset (start a new conversation), /help, /quit""";

    private final CrsSystem crs;
    private final BufferedReader in;
    private final PrintWriter out;
    private final List<PreparedTurn> dialogue = new ArrayList<>();
    private TurnResult last;
    private Conversation lastContext;

    public TerminalChat(CrsSystem crs, BufferedReader in, PrintWriter out) {
        this.crs = crs;
        this.in = in;
        this.out = out;
    }

    /** The lines shown at start: what answers, and, without an LLM, that the answers are the experts' own output. */
    public static List<String> banner(ChatSetup.Assembled a) {
        CrsSystem crs = a.system();
        Environment env = crs.environment();
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "crs4j chat: %s, %,d movies; recommender %s (%s: %s)", env.data().name(), env.data().items().size(),
                crs.recommendationExpert(), a.recModel(), a.recommenderHow()));
        if (crs.mode() == CrsSystem.Mode.LLMCRS) {
            lines.add("LLM: " + a.llmHow() + "; LLMCRS (seed 000) picks the sub-task and the expert, then writes the answer");
        } else {
            lines.add("No LLM: " + a.llmHow() + ".");
            lines.add("Running as seed 003's \"w/o LLM module\" variant: each answer below is the recommendation expert's own output, not generated text.");
            lines.add("Add an LLM with --llm DIR|HF-ID|URL#MODEL (e.g. --llm " + ChatSetup.FLAN + "), or train a controller into "
                    + a.controllerDir() + " (crs4j train controller --out DIR)" + ".");
        }
        lines.add("Type a message, or /why, /details TITLE, /trace, /reset, /help, /quit.");
        return lines;
    }

    /** Runs until /quit or the end of input. */
    public void run() throws IOException {
        while (true) {
            out.print(PROMPT);
            out.flush();
            String line = in.readLine();
            if (line == null) {
                out.println();
                break;
            }
            line = line.strip();
            if (line.isEmpty()) continue;
            if (line.equals("/quit") || line.equals("/exit")) break;
            try {
                if (line.startsWith("/")) command(line);
                else say(line);
            } catch (RuntimeException e) { // an expert's database or a remote endpoint failing: say so, keep the conversation
                if (!dialogue.isEmpty() && dialogue.getLast().role() == Role.SEEKER && !line.startsWith("/")) dialogue.removeLast();
                out.println();
                out.println("(that failed: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(e.getClass().getSimpleName())
                        + "; the message was not added to the conversation)");
            }
            out.flush();
        }
        out.println("bye");
        out.flush();
    }

    private void command(String line) {
        String name = line.split("\\s+", 2)[0];
        String arg = line.length() > name.length() ? line.substring(name.length()).strip() : "";
        switch (name) {
            case "/help" -> out.println(HELP);
            case "/reset" -> {
                dialogue.clear();
                last = null;
                lastContext = null;
                out.println("(new conversation)");
            }
            case "/trace" -> trace();
            case "/why" -> why();
            case "/details" -> details(arg);
            default -> out.println("unknown command " + name + "; /help lists the commands");
        }
    }

    private void say(String text) {
        Environment env = crs.environment();
        NamedTitles.Result named = NamedTitles.of(Role.SEEKER, text, env);
        if (!named.linked().isEmpty())
            out.println("  (linked: " + String.join("; ", named.linked().stream().map(env::title).toList()) + ")");
        for (String u : named.unknown())
            out.println("  (unknown title: \"" + u + "\" is not in the " + env.data().name() + " catalogue)");
        dialogue.add(named.turn());
        out.print(ANSWER);
        out.flush();
        lastContext = new Conversation(List.copyOf(dialogue));
        last = crs.turn(lastContext, piece -> {
            out.print(piece);
            out.flush();
        });
        out.println();
        if (crs.mode() == CrsSystem.Mode.EXPERTS_ONLY)
            out.println(last.trace().expertId() == null ? "  [no expert answered; see /trace]" : "  [the output of expert " + last.trace().expertId() + "; no LLM]");
        else if (last.trace().fallbacks().stream().anyMatch(f -> f.kind().name().startsWith("RESPONSE_")))
            out.println("  [the output of expert " + last.trace().expertId() + ": the LLM's answer failed, see /trace]");
        dialogue.add(env.turn(Role.RECOMMENDER, last.response()));
        if (last.items().length > 0) {
            out.println("recommended:");
            int n = 1;
            for (CrsSystem.Card c : crs.cards(last, lastContext, SHOWN)) {
                out.printf(Locale.ROOT, "  %d. %s%s%n", n++, c.title(), c.genres().isEmpty() ? "" : " — " + String.join(", ", c.genres()));
            }
        }
    }

    private void why() {
        if (last == null || last.items().length == 0) {
            out.println("nothing recommended yet: ask for a recommendation first");
            return;
        }
        int item = last.items()[0];
        ExpertOutput e = crs.explain(item, lastContext); // reasons from what the user had said, not from the answer itself
        out.println(e.text());
    }

    private void details(String title) {
        if (title.isEmpty()) {
            out.println("usage: /details TITLE, e.g. /details The Shining (1980)");
            return;
        }
        Environment env = crs.environment();
        int item = org.crs4j.crs.llmcrs.ItemNames.resolve(title, env);
        if (item < 0) {
            out.println("unknown title: \"" + title + "\" is not in the " + env.data().name() + " catalogue");
            return;
        }
        ExpertOutput e = crs.run(SubTaskCall.of(SubTask.ITEM_DETAIL_SEARCH, SubTask.Args.ITEM_NAME, env.title(item)), new Conversation(List.copyOf(dialogue)));
        out.println(e.text());
    }

    private void trace() {
        if (last == null) {
            out.println("no turn yet");
            return;
        }
        for (String l : traceLines(last.trace(), crs.environment())) out.println(l);
    }

    /** The four stages of a turn as the terminal prints them. */
    static List<String> traceLines(TurnTrace t, Environment env) {
        List<String> lines = new ArrayList<>();
        lines.add("1. sub-task: " + t.subTask().render() + "   [" + t.detectedBy() + "]" + call(t, org.crs4j.crs.llmcrs.Stage.DETECTION));
        lines.add("2. expert: " + (t.expertId() == null ? "(none)" : t.expertId()) + "   [" + t.matchedBy() + "]" + call(t, org.crs4j.crs.llmcrs.Stage.MATCHING));
        lines.add(String.format(Locale.ROOT, "3. expert output (%.1f ms): %s", t.executionNanos() / 1e6,
                t.expertOutput() == null ? "(none)" : t.expertOutput().text()));
        if (t.expertOutput() != null) for (String n : t.expertOutput().notes()) lines.add("   note: " + n);
        var response = t.call(org.crs4j.crs.llmcrs.Stage.RESPONSE).or(() -> t.call(org.crs4j.crs.llmcrs.Stage.RESPONSE_RAW));
        lines.add("4. response: " + (response.isEmpty() ? "no LLM call (the expert output is the answer)" : call(response.get()).strip()));
        for (var f : t.fallbacks()) lines.add("   fallback " + f.kind() + ": " + f.detail());
        lines.add(String.format(Locale.ROOT, "turn: %.1f ms", t.totalNanos() / 1e6));
        return lines;
    }

    private static String call(TurnTrace t, org.crs4j.crs.llmcrs.Stage stage) {
        return t.call(stage).map(TerminalChat::call).orElse("");
    }

    private static String call(LlmCall c) {
        if (c.failed()) return String.format(Locale.ROOT, "   (LLM failed: %s; prompt %,d chars)", c.error(), c.request().prompt().length());
        var r = c.response();
        return String.format(Locale.ROOT, "   (prompt %,d chars = %,d tokens, output %d tokens, %.0f ms)", c.request().prompt().length(),
                r.promptTokens(), r.outputTokens(), r.latencyNanos() / 1e6);
    }
}
