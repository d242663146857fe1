package org.crs4j.crs.llm.rerank;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.inference.TTest;
import org.crs4j.crs.eval.TextMetrics;
import org.crs4j.crs.llm.rerank.RerankEvaluation.Call;
import org.crs4j.crs.llm.rerank.RerankEvaluation.Report;
import org.crs4j.crs.llm.rerank.RerankEvaluation.SampleOutcome;

/**
 * The figures of a re-ranking run, as {@code crs4j eval crs} prints them: Recall@K of the candidates as shown and of
 * I^llm on the same samples (Wilson 95 % intervals), their paired difference (t interval, paired t-test), the counts
 * of what went wrong in the answers, latency per call, and the responses' BLEU and Distinct against the reference
 * turn.
 */
public final class RerankReport {
    private RerankReport() {}

    /** Recall@K with its interval and the paired comparison, as numbers (for tests and other printers). */
    public record RecallRow(int k, double shown, double shownLow, double shownHigh, double llm, double llmLow, double llmHigh,
                            double own, double difference, double differenceLow, double differenceHigh, double pValue) {}

    public static List<RecallRow> recall(Report r) {
        List<RecallRow> rows = new ArrayList<>();
        int n = r.samples().size();
        for (int k : RerankEvaluation.KS) {
            double[] shown = new double[n], llm = new double[n];
            double own = 0;
            for (int i = 0; i < n; i++) {
                SampleOutcome s = r.samples().get(i);
                shown[i] = hit(s.rankShown(), k);
                llm[i] = hit(s.rankLlm(), k);
                own += hit(s.rankOwn(), k) / n;
            }
            double ms = mean(shown), ml = mean(llm);
            double[] ws = wilson(ms, n), wl = wilson(ml, n);
            double[] diff = new double[n];
            for (int i = 0; i < n; i++) diff[i] = llm[i] - shown[i];
            double md = mean(diff), sd = 0;
            for (double v : diff) sd += (v - md) * (v - md);
            double lo = Double.NaN, hi = Double.NaN, p;
            if (n >= 2) {
                sd = Math.sqrt(sd / (n - 1));
                double half = new TDistribution(n - 1).inverseCumulativeProbability(0.975) * sd / Math.sqrt(n);
                lo = md - half;
                hi = md + half;
            }
            boolean identical = Arrays.stream(diff).allMatch(v -> v == 0);
            p = identical ? 1.0 : n >= 2 ? new TTest().pairedTTest(llm, shown) : Double.NaN;
            rows.add(new RecallRow(k, ms, ws[0], ws[1], ml, wl[0], wl[1], own, md, lo, hi, p));
        }
        return rows;
    }

    public static void print(PrintWriter out, Report r, String recommender, String llm, String prompt) {
        int n = r.samples().size();
        RerankSettings st = r.settings();
        out.printf(Locale.ROOT, "eval crs: %s, %,d of %,d recommendation samples%s; oracle %s%n", r.split(), n, r.splitSamples(),
                n < r.splitSamples() ? " (drawn at random, seed " + st.sampling().seed() + ")" : "", r.oracle().name().toLowerCase(Locale.ROOT));
        out.printf(Locale.ROOT, "recommender %s; LLM %s; prompt %s; %d candidates, %d asked for; max %d new tokens, temperature %s, top-p %s, seed %d%n",
                recommender, llm, prompt, st.candidates(), st.listLength(), st.sampling().maxNewTokens(), fmt(st.sampling().temperature()),
                fmt(st.sampling().topP()), st.sampling().seed());
        printCalls(out, r);
        out.println();
        boolean oracle = r.oracle() != RerankEvaluation.Oracle.NONE;
        out.printf(Locale.ROOT, "%-9s %-26s %-26s %s%n", "Recall@K", oracle ? "candidates as shown (%)" : "recommender (%)",
                "LLM re-ranked I^llm (%)", "I^llm - " + (oracle ? "shown" : "recommender") + " (points, paired t-test)");
        for (RecallRow row : recall(r)) {
            out.printf(Locale.ROOT, "  @%-6d %5.1f [%5.1f, %5.1f]       %5.1f [%5.1f, %5.1f]       %+5.1f [%+5.1f, %+5.1f], p = %s%n", row.k(),
                    100 * row.shown(), 100 * row.shownLow(), 100 * row.shownHigh(), 100 * row.llm(), 100 * row.llmLow(), 100 * row.llmHigh(),
                    100 * row.difference(), 100 * row.differenceLow(), 100 * row.differenceHigh(), pValue(row));
        }
        if (oracle) {
            StringBuilder own = new StringBuilder("recommender's own list before the oracle:");
            for (RecallRow row : recall(r)) own.append(String.format(Locale.ROOT, " @%d %.1f", row.k(), 100 * row.own()));
            out.println(own);
        }
        out.printf(Locale.ROOT, "intervals: Wilson 95%% for recall over %,d samples; t 95%% for the paired difference%n", n);
        out.println();
        printAnswers(out, r);
        printResponses(out, r);
        out.flush();
    }

    private static void printCalls(PrintWriter out, Report r) {
        List<Call> calls = r.calls();
        double[] seconds = calls.stream().filter(c -> c.result().status() != LlmReranker.Status.FAILED)
                .mapToDouble(c -> c.result().latencyNanos() / 1e9).sorted().toArray();
        out.printf(Locale.ROOT, "LLM calls: %,d (one per distinct prompt; the samples of one turn share it)%n", calls.size());
        if (seconds.length > 0) {
            double mean = mean(seconds), sd = 0;
            for (double v : seconds) sd += (v - mean) * (v - mean);
            sd = seconds.length > 1 ? Math.sqrt(sd / (seconds.length - 1)) : 0;
            out.printf(Locale.ROOT, "latency per answered call: mean %.3f s (sd %.3f), median %.3f, p90 %.3f, max %.3f; total %.1f s%n", mean, sd,
                    quantile(seconds, 0.5), quantile(seconds, 0.9), seconds[seconds.length - 1], Arrays.stream(seconds).sum());
        }
        double pt = calls.stream().mapToInt(c -> c.result().promptTokens()).filter(t -> t >= 0).average().orElse(Double.NaN);
        double ot = calls.stream().mapToInt(c -> c.result().outputTokens()).filter(t -> t >= 0).average().orElse(Double.NaN);
        if (!Double.isNaN(pt)) out.printf(Locale.ROOT, "tokens per call: prompt %.0f, output %.1f on average%n", pt, ot);
    }

    private static void printAnswers(PrintWriter out, Report r) {
        int parsed = 0, unparsable = 0, failed = 0, invented = 0, inCatalogue = 0, duplicates = 0, noCandidate = 0, noExplanation = 0, noResponse = 0;
        double length = 0;
        for (Call c : r.calls()) {
            LlmReranker.Result x = c.result();
            switch (x.status()) {
                case PARSED -> {
                    parsed++;
                    length += x.order().length;
                    if (x.order().length == 0) noCandidate++;
                    if (x.explanation().isBlank()) noExplanation++;
                    if (x.response().isBlank()) noResponse++;
                }
                case UNPARSABLE -> unparsable++;
                case FAILED -> failed++;
            }
            invented += x.invented().size();
            inCatalogue += c.inventedInCatalogue();
            duplicates += x.duplicates();
        }
        long inventedTarget = r.samples().stream().filter(SampleOutcome::inventedTarget).count();
        out.printf(Locale.ROOT, "answers: %d parsed, %d unparsable, %d failed calls (unparsable and failed fall back to the candidates' order)%n",
                parsed, unparsable, failed);
        out.printf(Locale.ROOT, "I^llm: %.1f items on average in parsed answers; %d parsed answers name no candidate; %d missing the explanation, %d the response%n",
                parsed == 0 ? 0.0 : length / parsed, noCandidate, noExplanation, noResponse);
        out.printf(Locale.ROOT, "invented items (dropped): %d (%d in the catalogue but not candidates, %d unknown); in %d samples the LLM named the target "
                + "although it was not a candidate; %d duplicates%n", invented, inCatalogue, invented - inCatalogue, inventedTarget, duplicates);
    }

    private static void printResponses(PrintWriter out, Report r) {
        List<String> hyps = new ArrayList<>(), refs = new ArrayList<>();
        for (Call c : r.calls()) {
            if (c.result().status() == LlmReranker.Status.FAILED) continue;
            hyps.add(c.result().response());
            refs.add(c.reference());
        }
        if (hyps.isEmpty()) return;
        TextMetrics.Report t = TextMetrics.score(hyps, refs, 1000, 0);
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "responses R vs the reference turn (%d answers, %d without tokens):", hyps.size(), t.emptyHypotheses()));
        for (String m : new String[] {"BLEU-2", "BLEU-4", "Dist-2", "Dist-3", "Dist-4"}) {
            TextMetrics.Estimate e = t.row(m);
            sb.append(String.format(Locale.ROOT, " %s %.4f [%.4f, %.4f]", m, e.value(), e.low(), e.high()));
        }
        out.println(sb);
    }

    static double hit(int rank, int k) {
        return rank > 0 && rank <= k ? 1 : 0;
    }

    /** Wilson score interval of a proportion (95 %). */
    static double[] wilson(double p, int n) {
        if (n == 0) return new double[] {Double.NaN, Double.NaN};
        double z = 1.959963984540054, z2 = z * z;
        double centre = (p + z2 / (2 * n)) / (1 + z2 / n), half = z / (1 + z2 / n) * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
        return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
    }

    private static double mean(double[] x) {
        return x.length == 0 ? Double.NaN : Arrays.stream(x).sum() / x.length;
    }

    private static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos), hi = (int) Math.ceil(pos);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    private static String pValue(RecallRow row) {
        double p = row.pValue();
        if (row.difference() == 0 && row.differenceLow() == 0 && row.differenceHigh() == 0) return "1 (no sample differs)";
        if (Double.isNaN(p)) return "n/a";
        return p < 1e-4 ? String.format(Locale.ROOT, "%.1e", p) : String.format(Locale.ROOT, "%.4f", p);
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.1f", v) : String.valueOf(v);
    }
}
