package org.crs4j.crs.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.crs4j.crs.eval.Bootstrap;
import org.crs4j.crs.eval.Estimate;
import org.crs4j.crs.eval.MetricTable;
import org.crs4j.crs.eval.PairedTTest;
import org.crs4j.crs.eval.Prediction;
import org.crs4j.crs.eval.PredictionsFile;
import org.crs4j.crs.eval.RankingEvaluation;
import org.crs4j.crs.eval.TextMetrics;
import org.crs4j.crs.controller.SftTrainer;
import org.crs4j.crs.llm.Llm;
import org.crs4j.crs.llmcrs.Llmcrs;
import org.crs4j.crs.llmcrs.TurnOptions;
import org.crs4j.crs.llmcrs.TurnRecord;
import org.crs4j.crs.llmcrs.TurnResult;
import org.crs4j.crs.llmcrs.TurnSample;
import org.crs4j.crs.rec.ItemKeys;
import org.crs4j.crs.rlpf.LlmcrsEnvironment;
import org.crs4j.crs.rlpf.Outcome;
import org.crs4j.crs.rlpf.Reward;
import org.crs4j.data.model.Split;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code crs4j eval llmcrs}: LLMCRS with a controller on a split, as seed 000 evaluates it (Tables 5–8, Figures 3–4):
 * every recommender turn that mentions an item (CRSLab's recommendation protocol; a turn naming two items makes two
 * ranking samples) is answered by the pipeline, greedily; HIT/MRR/NDCG@1/10/50 over the ranking samples, BLEU-1/2 and
 * Distinct-1/2 over the turns' replies, each with its 95% interval and sample count; the per-turn reward of RLPF. The
 * predictions file compares by {@code crs4j score --predictions A --against B}; the turns file by {@code --against}
 * here (paired t-tests on reward, HIT@10, BLEU-1, BLEU-2).
 */
@Command(name = "llmcrs", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Evaluate LLMCRS with a controller LLM on a split: ranking metrics of what each turn recommends, text metrics of its reply, "
                + "per-turn reward; per-sample files for paired comparisons.")
final class EvalLlmcrsCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--dataset", required = true, paramLabel = "NAME", description = "redial, inspired or tgredial.")
    String dataset;

    @Option(names = "--split", paramLabel = "SPLIT", defaultValue = "test", description = "train, valid or test (default: ${DEFAULT-VALUE}).")
    String split;

    @Mixin LlmOptions llmOptions = new LlmOptions();
    @Mixin LlmcrsOptions llmcrs = new LlmcrsOptions();

    @Option(names = "--limit", paramLabel = "N", defaultValue = "0", description = "Evaluate a seeded subsample of N turns (0: all; default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--sample-seed", paramLabel = "S", defaultValue = "0", description = "Seed of the --limit subsample (default: ${DEFAULT-VALUE}).")
    long sampleSeed;

    @Option(names = "--lambda", paramLabel = "L", defaultValue = "0.5", description = "λ of the reported reward λ·HIT@10 + (1 − λ)·BLEU-1 (default: ${DEFAULT-VALUE}).")
    double lambda;

    @Option(names = "--predictions", paramLabel = "FILE", description = "Write the ranking samples (the predictions format of crs4j score).")
    Path predictions;

    @Option(names = "--turns", paramLabel = "FILE", description = "Write one JSON line per turn: decisions, reply, reference and the turn's figures.")
    Path turns;

    @Option(names = "--against", paramLabel = "FILE", description = "A turns file of another run on the same samples: paired t-tests per turn.")
    Path against;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        Reward reward = new Reward(lambda);
        if (limit < 0) throw new IllegalArgumentException("--limit " + limit + ": must be >= 0");
        for (Path p : new Path[] {predictions, turns}) {
            if (p == null) continue;
            Path parent = p.toAbsolutePath().getParent();
            if (parent == null || !Files.isDirectory(parent)) throw new IllegalArgumentException((p == predictions ? "--predictions " : "--turns ") + p + ": folder " + parent + " does not exist");
        }
        List<TurnRecord> earlier = against == null ? null : TurnRecord.read(against);
        Split s = LlmcrsTurnCommand.parseSplit(split);
        llmcrs.check();
        var p = llmcrs.open(dataset);
        try (var db = p.env().db(); Llm llm = llmOptions.open()) {
            List<TurnSample> all = TurnSample.of(p.env(), s);
            if (all.isEmpty()) throw new IllegalArgumentException("--split " + split + ": " + dataset + " has no recommender turns with a target item here");
            List<TurnSample> samples = subsample(all, limit, sampleSeed);
            Llmcrs pipeline = new Llmcrs(llm, p.env(), p.registry(), p.prompts(), p.demonstrations(), p.settings());
            LlmcrsEnvironment measure = new LlmcrsEnvironment(dataset + " " + s.label(), p.env(), p.registry(), p.prompts(), p.demonstrations(),
                    p.settings(), TurnOptions.greedy().withAblations(p.ablations()), samples);
            TurnOptions options = TurnOptions.greedy().withAblations(p.ablations());
            ItemKeys keys = ItemKeys.of(p.env().data());
            List<Prediction> ranked = new ArrayList<>();
            List<TurnRecord> records = new ArrayList<>();
            List<String> hyps = new ArrayList<>(), refs = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < samples.size(); i++) {
                TurnSample t = samples.get(i);
                TurnResult r = pipeline.turn(t.context(), options);
                List<Prediction> ps = t.predictions(r, p.env(), keys);
                ranked.addAll(ps);
                Outcome o = measure.measure(t, r);
                String reference = t.reference(p.env());
                hyps.add(r.response());
                refs.add(reference);
                records.add(new TurnRecord(t.dialogueId(), t.turn(), r.trace().subTask().render(), r.trace().expertId(), r.response(), reference,
                        o.parsed(), TurnSample.hit(ps, 10), TurnSample.bleu(r.response(), reference, 1), TurnSample.bleu(r.response(), reference, 2)));
                if ((i + 1) % 20 == 0 || i + 1 == samples.size()) {
                    System.err.printf(Locale.ROOT, "\reval llmcrs: %d/%d turns, %.1f s", i + 1, samples.size(), (System.nanoTime() - t0) / 1e9);
                    if (i + 1 == samples.size()) System.err.println();
                }
            }
            if (predictions != null) PredictionsFile.write(predictions, ranked);
            if (turns != null) TurnRecord.write(turns, records);

            out.printf(Locale.ROOT, "LLMCRS on %s %s: %,d turns%s, %,d ranking samples; controller %s; ablations %s; %.1f s%n", dataset, s.label(),
                    samples.size(), samples.size() < all.size() ? String.format(Locale.ROOT, " (a subsample of %,d, seed %d)", all.size(), sampleSeed) : "",
                    ranked.size(), llm.endpoint(), p.ablations().isEmpty() ? "none" : p.ablations().stream().map(a -> a.label()).sorted().toList(),
                    (System.nanoTime() - t0) / 1e9);
            out.println("ranking: what each turn recommends (items its reply names, then the recommendation expert's list), one sample per target item; 95% bootstrap intervals");
            out.print(MetricTable.of(List.of("llmcrs"), List.of(RankingEvaluation.estimates(RankingEvaluation.ranks(ranked), RankingEvaluation.REDIAL_KS))));
            out.println("text: the turns' replies against the ground-truth replies");
            ScoreCommand.print(out, TextMetrics.score(hyps, refs, 1000, Bootstrap.SEED));
            double[] rw = new double[records.size()], hit = new double[records.size()], parsed = new double[records.size()];
            for (int i = 0; i < records.size(); i++) {
                rw[i] = records.get(i).reward(reward.lambda());
                hit[i] = records.get(i).hit10();
                parsed[i] = records.get(i).parsed() ? 1 : 0;
            }
            Estimate[] e = Bootstrap.estimates(new double[][] {rw, hit, parsed});
            out.printf(Locale.ROOT, "per turn (n = %,d, 95%% bootstrap): reward (λ = %s, HIT@10 and BLEU-1) %s; HIT@10 %s; controller text parsed %s%n",
                    records.size(), lambda, e[0].format(), e[1].format(), e[2].format());
            for (String line : pipeline.statistics().lines()) out.println("  " + line);
            if (earlier != null) compare(out, records, earlier);
            if (predictions != null) out.println("predictions: " + predictions);
            if (turns != null) out.println("turns: " + turns);
        }
        out.flush();
        return 0;
    }

    /** A seeded subsample of n turns, kept in split order (all when n is 0 or covers them). */
    static List<TurnSample> subsample(List<TurnSample> all, int n, long seed) {
        if (n == 0 || n >= all.size()) return all;
        int[] order = SftTrainer.permutation(all.size(), seed, 0);
        int[] chosen = java.util.Arrays.copyOf(order, n);
        java.util.Arrays.sort(chosen);
        List<TurnSample> out = new ArrayList<>(n);
        for (int i : chosen) out.add(all.get(i));
        return out;
    }

    private void compare(PrintWriter out, List<TurnRecord> now, List<TurnRecord> earlier) {
        Map<String, TurnRecord> byKey = new HashMap<>();
        for (TurnRecord r : earlier) byKey.put(r.key(), r);
        List<TurnRecord[]> common = new ArrayList<>();
        for (TurnRecord r : now) {
            TurnRecord b = byKey.get(r.key());
            if (b != null) common.add(new TurnRecord[] {r, b});
        }
        out.printf(Locale.ROOT, "paired against %s: %,d common turns (%,d only here, %,d only there); two-sided paired t-tests, this run vs that%n",
                against, common.size(), now.size() - common.size(), earlier.size() - common.size());
        if (common.size() < 2) {
            out.println("  fewer than 2 common turns: no test");
            return;
        }
        String[] names = {"reward", "HIT@10", "BLEU-1", "BLEU-2"};
        for (int m = 0; m < names.length; m++) {
            double[] a = new double[common.size()], b = new double[common.size()];
            for (int i = 0; i < a.length; i++) {
                a[i] = value(common.get(i)[0], m);
                b[i] = value(common.get(i)[1], m);
            }
            out.printf(Locale.ROOT, "  %-7s %s%n", names[m], PairedTTest.of(a, b).format());
        }
    }

    private double value(TurnRecord r, int metric) {
        return switch (metric) {
            case 0 -> r.reward(lambda);
            case 1 -> r.hit10();
            case 2 -> r.bleu1();
            default -> r.bleu2();
        };
    }
}
