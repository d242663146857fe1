package org.crs4j.crs.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.crs4j.crs.llm.Llm;
import org.crs4j.crs.llm.Sampling;
import org.crs4j.crs.llmcrs.Ablation;
import org.crs4j.crs.llmcrs.ContextText;
import org.crs4j.crs.llmcrs.Conversation;
import org.crs4j.crs.llmcrs.Environment;
import org.crs4j.crs.llmcrs.LlmCall;
import org.crs4j.crs.llmcrs.Llmcrs;
import org.crs4j.crs.llmcrs.LlmcrsSettings;
import org.crs4j.crs.llmcrs.LlmcrsSetup;
import org.crs4j.crs.llmcrs.PromptSet;
import org.crs4j.crs.llmcrs.Stage;
import org.crs4j.crs.llmcrs.SubTaskLabeler;
import org.crs4j.crs.llmcrs.TurnJson;
import org.crs4j.crs.llmcrs.TurnOptions;
import org.crs4j.crs.llmcrs.TurnResult;
import org.crs4j.crs.llmcrs.experts.ExpertRegistry;
import org.crs4j.crs.llmcrs.experts.RegistrySource;
import org.crs4j.data.model.Role;
import org.crs4j.data.model.Split;
import org.crs4j.data.prepare.PreparedDialogue;
import org.crs4j.data.prepare.PreparedTurn;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** `crs4j llmcrs turn`: one LLMCRS turn on a real dialogue, every stage's prompt and output printed. */
@Command(name = "turn", mixinStandardHelpOptions = true,
        description = "Run one LLMCRS turn on a dialogue of a dataset: the recommender's turn N from the turns before it. "
                + "Prints each stage's prompt and output, the expert's output, the recommended items, the ground truth and the rank of its items.")
final class LlmcrsTurnCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin DatasetOptions data = new DatasetOptions();

    @Option(names = "--split", paramLabel = "SPLIT", defaultValue = "test", description = "train, valid or test (default: test).")
    String split;

    @Option(names = "--dialogue", paramLabel = "ID", description = "The dialogue's id in the split (default: the first).")
    String dialogue;

    @Option(names = "--turn", paramLabel = "N", description = "1-based turn number in the prepared (speaker-merged) dialogue; it must be "
            + "a recommender turn after the first (default: the first recommender turn that names an item).")
    Integer turn;

    @Mixin LlmOptions llmOptions = new LlmOptions();

    @Option(names = "--prompts", paramLabel = "DIR", description = "A folder whose prompt files replace the shipped ones of the same name.")
    Path prompts;

    @Option(names = "--registry", paramLabel = "FILE", description = "The expert registry (default: the shipped one).")
    Path registry;

    @Option(names = "--ablate", paramLabel = "LIST", description = "Mechanisms to remove, comma-separated: " + org.crs4j.crs.llmcrs.Ablation.CHOICES + ".")
    String ablate;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0", description = "Sampling temperature of every stage (default: 0, greedy).")
    double temperature;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "1", description = "Nucleus sampling mass (default: 1).")
    double topP;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Sampling seed (default: 0).")
    long seed;

    @Option(names = "--json", description = "Print the turn as JSON (the server's format) instead of text.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        var ablations = Ablation.parse(ablate);
        Split s = parseSplit(split);
        PromptSet promptSet = PromptSet.load(prompts);
        Sampling check = new Sampling(1, temperature, topP, seed); // option errors before any loading
        Environment env = data.environment();
        try (var db = env.db()) {
            var prepared = env.data().split(s);
            if (prepared == null || prepared.dialogues().isEmpty())
                throw new IllegalArgumentException("--split " + split + ": " + data.dataset + " has no " + s.label() + " dialogues here");
            PreparedDialogue d = dialogue == null ? prepared.dialogues().getFirst() : prepared.dialogues().stream()
                    .filter(x -> x.id().equals(dialogue)).findFirst().orElseThrow(() -> new IllegalArgumentException("--dialogue " + dialogue
                            + ": no such dialogue in " + data.dataset + " " + s.label() + " (ids look like " + prepared.dialogues().getFirst().id() + ")"));
            int t = turnIndex(d);
            RegistrySource experts = registry == null ? RegistrySource.fixed(ExpertRegistry.shipped(env)) : RegistrySource.watching(registry, env, true);
            LlmcrsSettings settings = LlmcrsSettings.defaults();
            try (Llm llm = llmOptions.open()) {
                Llmcrs llmcrs = new Llmcrs(llm, env, experts,
                        promptSet, LlmcrsSetup.demonstrations(env, settings), settings);
                var options = TurnOptions.greedy().withAblations(ablations).withSampling(
                        sampling(48, check), sampling(16, check), sampling(128, check));
                Conversation context = new Conversation(d.id(), d.turns().subList(0, t));
                TurnResult r = llmcrs.turn(context, options);
                if (json) {
                    out.println(TurnJson.of(r, env, 50).toPrettyString());
                    return 0;
                }
                print(out, env, d, t, r, new SubTaskLabeler(env).label(d.turns(), t), llm.endpoint(), s);
            }
        }
        return 0;
    }

    private Sampling sampling(int maxNewTokens, Sampling s) {
        return new Sampling(maxNewTokens, s.temperature(), s.topP(), s.seed());
    }

    private int turnIndex(PreparedDialogue d) {
        if (turn != null) {
            if (turn < 2 || turn > d.turns().size())
                throw new IllegalArgumentException("--turn " + turn + ": dialogue " + d.id() + " has turns 1.." + d.turns().size() + " and turn 1 has no context");
            if (d.turns().get(turn - 1).role() != Role.RECOMMENDER)
                throw new IllegalArgumentException("--turn " + turn + ": turn " + turn + " of dialogue " + d.id() + " is the seeker's; LLMCRS produces recommender turns");
            return turn - 1;
        }
        for (int t = 1; t < d.turns().size(); t++) if (d.turns().get(t).role() == Role.RECOMMENDER && d.turns().get(t).items().length > 0) return t;
        for (int t = 1; t < d.turns().size(); t++) if (d.turns().get(t).role() == Role.RECOMMENDER) return t;
        throw new IllegalArgumentException("--dialogue " + d.id() + ": no recommender turn after the first");
    }

    static Split parseSplit(String s) {
        for (Split x : Split.values()) if (x.label().equalsIgnoreCase(s) || x.name().equalsIgnoreCase(s)) return x;
        throw new IllegalArgumentException("--split " + s + ": use train, valid or test");
    }

    private static void print(PrintWriter out, Environment env, PreparedDialogue d, int t, TurnResult r, SubTaskLabeler.Label label, String endpoint, Split s) {
        var tr = r.trace();
        out.printf(Locale.ROOT, "%s %s, dialogue %s, turn %d of %d (recommender), LLM %s%n", env.data().name(), s.label(), d.id(), t + 1, d.turns().size(), endpoint);
        out.println("== dialogue context ==");
        out.println(ContextText.render(new Conversation(d.turns().subList(0, t)), Integer.MAX_VALUE, Integer.MAX_VALUE, env));
        int n = 1;
        for (Stage stage : List.of(Stage.DETECTION, Stage.MATCHING)) {
            var c = tr.call(stage);
            String title = stage == Stage.DETECTION ? "sub-task detection" : "model matching";
            if (c.isEmpty()) {
                out.printf("== %d. %s: no LLM call (%s) ==%n", n++, title, stage == Stage.DETECTION ? tr.detectedBy() : tr.matchedBy());
            } else printCall(out, n++, title, c.get());
            if (stage == Stage.DETECTION) out.println("-> " + tr.subTask().render() + "   [" + tr.detectedBy() + "]"
                    + (tr.ignoredArguments().isEmpty() ? "" : " ignored arguments: " + tr.ignoredArguments()));
            else out.println("-> " + (tr.expertId() == null ? "(no expert)" : tr.expertId()) + "   [" + tr.matchedBy() + "]");
        }
        var recommend = tr.call(Stage.RECOMMEND);
        if (recommend.isPresent()) printCall(out, 3, "sub-task execution by the LLM (w/o E)", recommend.get());
        else out.printf(Locale.ROOT, "== 3. sub-task execution: %s (%.1f ms) ==%n", tr.expertId(), tr.executionNanos() / 1e6);
        if (tr.expertOutput() != null) {
            out.println(tr.expertOutput().text());
            if (tr.expertOutput().items().length > 0) out.println("items: " + titles(env, tr.expertOutput().items(), 10));
            for (String note : tr.expertOutput().notes()) out.println("note: " + note);
        }
        for (LlmCall c : tr.calls()) if (c.stage() == Stage.RESPONSE || c.stage() == Stage.RESPONSE_RAW) printCall(out, 4, "response generation", c);
        out.println("== result ==");
        out.println("response: " + r.response());
        out.println("recommended (top 10): " + (r.items().length == 0 ? "(none)" : titles(env, r.items(), 10)));
        PreparedTurn truth = d.turns().get(t);
        out.println("ground truth: " + env.text(truth));
        for (int item : truth.items()) {
            int rank = r.rankOf(item);
            out.println("  target " + env.title(item) + ": " + (rank == 0 ? "not in the turn's list" : "rank " + rank + " of " + r.items().length));
        }
        out.println("labeler: " + label.call().render() + "   [" + label.rule() + "]");
        out.printf(Locale.ROOT, "turn: %.1f ms; fallbacks: %s%n", tr.totalNanos() / 1e6, tr.fallbacks().isEmpty() ? "none" : "");
        for (var f : tr.fallbacks()) out.println("  " + f.kind() + ": " + f.detail());
        out.flush();
    }

    private static void printCall(PrintWriter out, int n, String title, LlmCall c) {
        if (c.failed()) {
            out.printf("== %d. %s: LLM failed: %s ==%n", n, title, c.error());
            out.println("-- prompt --");
            out.println(c.request().prompt());
            return;
        }
        var r = c.response();
        out.printf(Locale.ROOT, "== %d. %s (%d prompt + %d output tokens, %.1f ms) ==%n", n, title, r.promptTokens(), r.outputTokens(), r.latencyNanos() / 1e6);
        out.println("-- prompt --");
        out.println(c.request().prompt());
        out.println("-- output --");
        out.println(r.text());
    }

    private static String titles(Environment env, int[] items, int k) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(k, items.length); i++) sb.append(i == 0 ? "" : "; ").append(i + 1).append(". ").append(env.title(items[i]));
        return sb.toString();
    }
}
