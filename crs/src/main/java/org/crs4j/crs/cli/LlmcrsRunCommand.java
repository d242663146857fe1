package org.crs4j.crs.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.crs4j.crs.llm.Llm;
import org.crs4j.crs.llm.Sampling;
import org.crs4j.crs.llmcrs.Ablation;
import org.crs4j.crs.llmcrs.Conversation;
import org.crs4j.crs.llmcrs.Environment;
import org.crs4j.crs.llmcrs.LlmCall;
import org.crs4j.crs.llmcrs.Llmcrs;
import org.crs4j.crs.llmcrs.LlmcrsSettings;
import org.crs4j.crs.llmcrs.LlmcrsSetup;
import org.crs4j.crs.llmcrs.PromptSet;
import org.crs4j.crs.llmcrs.Stage;
import org.crs4j.crs.llmcrs.TurnOptions;
import org.crs4j.crs.llmcrs.TurnResult;
import org.crs4j.crs.llmcrs.experts.ExpertRegistry;
import org.crs4j.crs.llmcrs.experts.RegistrySource;
import org.crs4j.data.model.Role;
import org.crs4j.data.model.Split;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * `crs4j llmcrs run`: LLMCRS on the first N recommender turns of a split that name an item, in one process: latency
 * per stage and per turn (mean and standard deviation), the fallbacks counted, and whether the turn's list holds a
 * target item within 1, 10 and 50 (per turn, with a 95% Wilson interval). Not the paper's evaluation (which counts one
 * sample per target item, as the recommenders' evaluation does): a run summary.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run LLMCRS on the first N recommender turns that name an item (split order) and report latency per stage and per turn, "
                + "fallbacks, and per-turn hit rates of the turn's item list.")
final class LlmcrsRunCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin DatasetOptions data = new DatasetOptions();

    @Option(names = "--split", paramLabel = "SPLIT", defaultValue = "test", description = "train, valid or test (default: test).")
    String split;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "Turns to run (default: 20).")
    int limit;

    @Mixin LlmOptions llmOptions = new LlmOptions();

    @Option(names = "--prompts", paramLabel = "DIR", description = "A folder whose prompt files replace the shipped ones of the same name.")
    Path prompts;

    @Option(names = "--registry", paramLabel = "FILE", description = "The expert registry (default: the shipped one).")
    Path registry;

    @Option(names = "--ablate", paramLabel = "LIST", description = "Mechanisms to remove, comma-separated: " + org.crs4j.crs.llmcrs.Ablation.CHOICES + ".")
    String ablate;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (limit < 1) throw new IllegalArgumentException("--limit " + limit + ": must be >= 1");
        var ablations = Ablation.parse(ablate);
        Split s = LlmcrsTurnCommand.parseSplit(split);
        PromptSet promptSet = PromptSet.load(prompts);
        Environment env = data.environment();
        try (var db = env.db(); Llm llm = llmOptions.open()) {
            var prepared = env.data().split(s);
            if (prepared == null || prepared.dialogues().isEmpty())
                throw new IllegalArgumentException("--split " + split + ": " + data.dataset + " has no " + s.label() + " dialogues here");
            ExpertRegistry reg = registry == null ? ExpertRegistry.shipped(env) : ExpertRegistry.load(registry, env, true);
            LlmcrsSettings settings = LlmcrsSettings.defaults();
            Llmcrs llmcrs = new Llmcrs(llm, env, RegistrySource.fixed(reg), promptSet, LlmcrsSetup.demonstrations(env, settings), settings);
            TurnOptions options = TurnOptions.greedy().withAblations(ablations);
            double[][] stage = new double[3][limit];
            int[] stageN = new int[3];
            double[] total = new double[limit];
            int[] hits = new int[3];
            int[] ks = {1, 10, 50};
            int n = 0;
            outer:
            for (var d : prepared.dialogues()) {
                for (int t = 1; t < d.turns().size(); t++) {
                    var turn = d.turns().get(t);
                    if (turn.role() != Role.RECOMMENDER || turn.items().length == 0) continue;
                    TurnResult r = llmcrs.turn(new Conversation(d.id(), d.turns().subList(0, t)), options);
                    for (LlmCall c : r.trace().calls()) {
                        if (c.failed()) continue;
                        int k = c.stage() == Stage.DETECTION ? 0 : c.stage() == Stage.MATCHING ? 1 : 2;
                        stage[k][stageN[k]++] = c.response().latencyNanos() / 1e6;
                    }
                    total[n] = r.trace().totalNanos() / 1e6;
                    int best = Integer.MAX_VALUE;
                    for (int item : turn.items()) { int rank = r.rankOf(item); if (rank > 0) best = Math.min(best, rank); }
                    for (int k = 0; k < ks.length; k++) if (best <= ks[k]) hits[k]++;
                    out.printf(Locale.ROOT, "turn %d: %s %d, %s via %s, %.0f ms%n", n + 1, d.id(), t + 1, r.trace().subTask().render(), r.trace().expertId(), total[n]);
                    out.flush();
                    if (++n == limit) break outer;
                }
            }
            out.printf(Locale.ROOT, "%s %s, %d turns, LLM %s%n", data.dataset, s.label(), n, llm.endpoint());
            String[] names = {"detection", "matching", "response"};
            for (int k = 0; k < 3; k++) out.printf(Locale.ROOT, "  %-10s %s%n", names[k], meanSd(stage[k], stageN[k]));
            out.printf(Locale.ROOT, "  %-10s %s%n", "turn", meanSd(total, n));
            for (int k = 0; k < ks.length; k++) {
                double[] ci = wilson(hits[k], n);
                out.printf(Locale.ROOT, "  a target within the turn's top %d: %d of %d turns = %.3f (95%% Wilson %.3f-%.3f)%n", ks[k], hits[k], n, hits[k] / (double) n, ci[0], ci[1]);
            }
            for (String line : llmcrs.statistics().lines()) out.println("  " + line);
        }
        out.flush();
        return 0;
    }

    private static String meanSd(double[] x, int n) {
        if (n == 0) return "no calls";
        double m = 0;
        for (int i = 0; i < n; i++) m += x[i];
        m /= n;
        double v = 0;
        for (int i = 0; i < n; i++) v += (x[i] - m) * (x[i] - m);
        double sd = n > 1 ? Math.sqrt(v / (n - 1)) : 0;
        double[] sorted = java.util.Arrays.copyOf(x, n);
        java.util.Arrays.sort(sorted);
        return String.format(Locale.ROOT, "%d calls, mean %.1f ms, sd %.1f, median %.1f, max %.1f", n, m, sd, sorted[n / 2], sorted[n - 1]);
    }

    static double[] wilson(int k, int n) {
        if (n == 0) return new double[] {Double.NaN, Double.NaN};
        double p = k / (double) n, z = 1.959963984540054;
        double c = (p + z * z / (2 * n)) / (1 + z * z / n), h = z * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / (1 + z * z / n);
        return new double[] {Math.max(0, c - h), Math.min(1, c + h)};
    }
}
