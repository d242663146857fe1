package org.crs4j.crs.eval;

import it.unimi.dsi.fastutil.objects.Object2IntOpenHashMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * The conversation metrics of a set of responses against references, each with a 95 % confidence interval and its
 * deviation, so that a figure is never reported alone:
 * <ul>
 *   <li>BLEU-1..4 in the CRS form ({@link Bleu#crsBleu}): the mean over responses, a Student-t interval, and the
 *       standard deviation of the per-response scores;</li>
 *   <li>corpus BLEU-1..4 ({@link Bleu#corpusBleu}, cumulative, uniform weights): a percentile interval from
 *       resampling the responses with replacement (the bootstrap, as Koehn 2004 does for BLEU) and the bootstrap
 *       standard error;</li>
 *   <li>Distinct-1..4 ({@link Distinct}): the jackknife standard error and a normal interval (see
 *       {@link #distinct}).</li>
 * </ul>
 */
public final class TextMetrics {
    private TextMetrics() {}

    /**
     * One figure.
     *
     * @param deviation     standard deviation over responses ({@code sd}) or bootstrap standard error ({@code se})
     * @param deviationKind "sd" or "se"
     */
    public record Estimate(String name, double value, double low, double high, double deviation, String deviationKind) {}

    /** The figures of one run: how many responses, how many hypotheses had no tokens, and the rows. */
    public record Report(int responses, int emptyHypotheses, int resamples, List<Estimate> rows) {
        public Estimate row(String name) {
            return rows.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow(() -> new IllegalArgumentException("no row " + name));
        }
    }

    /**
     * Scores hypothesis i against reference i (one reference each, as the command line gives them).
     *
     * @param resamples bootstrap resamples for the corpus-level figures (e.g. 1000)
     * @param seed      seeds the resampling, so a report is reproducible
     */
    public static Report score(List<String> hypotheses, List<String> references, int resamples, long seed) {
        if (hypotheses.size() != references.size())
            throw new IllegalArgumentException(hypotheses.size() + " hypotheses but " + references.size() + " references");
        if (hypotheses.isEmpty()) throw new IllegalArgumentException("no responses to score");
        if (resamples < 1) throw new IllegalArgumentException("resamples must be >= 1");
        int n = hypotheses.size();
        List<List<String>> hyps = new ArrayList<>(n);
        List<List<List<String>>> refs = new ArrayList<>(n);
        int empty = 0;
        for (int i = 0; i < n; i++) {
            List<String> h = Bleu.tokens(hypotheses.get(i));
            if (h.isEmpty()) empty++;
            hyps.add(h);
            refs.add(List.of(Bleu.tokens(references.get(i))));
        }
        // one pass of n-gram counting per response serves every BLEU figure: a sentence's BLEU-k is its counts scored
        // with weight 1 on order k (what Bleu.crsBleu computes), the corpus' is the counts summed
        Bleu.Counts[] counts = new Bleu.Counts[n];
        for (int i = 0; i < n; i++) counts[i] = Bleu.counts(refs.get(i), hyps.get(i), Bleu.CRS_ORDERS);
        List<Estimate> rows = new ArrayList<>();
        for (int k = 1; k <= Bleu.CRS_ORDERS; k++) {
            double[] w = Bleu.crsWeights(k), perResponse = new double[n];
            for (int i = 0; i < n; i++) perResponse[i] = Bleu.score(counts[i], w);
            rows.add(meanWithT("BLEU-" + k, perResponse));
        }
        for (int order = 1; order <= Bleu.CRS_ORDERS; order++) {
            double[] w = Bleu.uniform(order);
            Bleu.Counts all = Bleu.Counts.zero(Bleu.CRS_ORDERS);
            for (Bleu.Counts c : counts) all = all.plus(c);
            double[] boot = new double[resamples];
            SplittableRandom rng = new SplittableRandom(seed);
            int[] draw = new int[n];
            for (int b = 0; b < resamples; b++) {
                draw(rng, draw);
                long[] m = new long[Bleu.CRS_ORDERS], t = new long[Bleu.CRS_ORDERS];
                long hl = 0, rl = 0;
                for (int i : draw) {
                    Bleu.Counts c = counts[i];
                    for (int j = 0; j < m.length; j++) {
                        m[j] += c.matches()[j];
                        t[j] += c.totals()[j];
                    }
                    hl += c.hypothesisLength();
                    rl += c.referenceLength();
                }
                boot[b] = Bleu.score(new Bleu.Counts(m, t, hl, rl), w);
            }
            rows.add(bootstrap("corpus BLEU-" + order, Bleu.score(all, w), boot));
        }
        for (int order = 1; order <= 4; order++) rows.add(distinct(hyps, order));
        return new Report(n, empty, resamples, rows);
    }

    private static Estimate meanWithT(String name, double[] x) {
        double mean = Arrays.stream(x).sum() / x.length;
        double ss = 0;
        for (double v : x) ss += (v - mean) * (v - mean);
        if (x.length < 2) return new Estimate(name, mean, Double.NaN, Double.NaN, Double.NaN, "sd");
        double sd = Math.sqrt(ss / (x.length - 1));
        double half = new TDistribution(x.length - 1).inverseCumulativeProbability(0.975) * sd / Math.sqrt(x.length);
        return new Estimate(name, mean, mean - half, mean + half, sd, "sd");
    }

    /**
     * Distinct-n with a jackknife standard error and a normal 95 % interval around the value. The bootstrap does not
     * suit a count of distinct n-grams: a resample repeats responses, so its distinct count is biased low (on the test
     * fixtures the whole bootstrap distribution of Dist-2 lay below the value). Leaving response i out removes exactly
     * the n-grams no other response has, so each leave-one-out value costs one pass.
     */
    private static Estimate distinct(List<List<String>> hyps, int order) {
        int n = hyps.size();
        Object2IntOpenHashMap<List<String>> responsesWith = new Object2IntOpenHashMap<>();
        List<java.util.Set<List<String>>> perResponse = new ArrayList<>(n);
        for (List<String> h : hyps) {
            java.util.Set<List<String>> mine = new java.util.HashSet<>();
            for (int s = 0; s + order <= h.size(); s++) mine.add(h.subList(s, s + order));
            for (List<String> g : mine) responsesWith.addTo(g, 1);
            perResponse.add(mine);
        }
        double value = Distinct.distinct(hyps, order);
        if (n < 2) return new Estimate("Dist-" + order, value, Double.NaN, Double.NaN, Double.NaN, "se");
        int unique = responsesWith.size();
        double[] leaveOneOut = new double[n];
        double mean = 0;
        for (int i = 0; i < n; i++) {
            int onlyHere = 0;
            for (List<String> g : perResponse.get(i)) if (responsesWith.getInt(g) == 1) onlyHere++;
            leaveOneOut[i] = (double) (unique - onlyHere) / (n - 1);
            mean += leaveOneOut[i] / n;
        }
        double ss = 0;
        for (double v : leaveOneOut) ss += (v - mean) * (v - mean);
        double se = Math.sqrt((n - 1.0) / n * ss), half = 1.959963984540054 * se;
        return new Estimate("Dist-" + order, value, value - half, value + half, se, "se");
    }

    private static Estimate bootstrap(String name, double value, double[] boot) {
        double[] s = boot.clone();
        Arrays.sort(s);
        int r = s.length;
        double mean = Arrays.stream(s).sum() / r, ss = 0;
        for (double v : s) ss += (v - mean) * (v - mean);
        double se = r > 1 ? Math.sqrt(ss / (r - 1)) : Double.NaN;
        int lo = (int) Math.floor(0.025 * (r - 1)), hi = (int) Math.ceil(0.975 * (r - 1));
        return new Estimate(name, value, s[lo], s[hi], se, "se");
    }

    /**
     * One bootstrap resample: n responses drawn with replacement. Every figure restarts the same seeded sequence, so
     * all corpus-level figures are computed on the same resamples without keeping them in memory.
     */
    private static void draw(SplittableRandom rng, int[] into) {
        for (int i = 0; i < into.length; i++) into[i] = rng.nextInt(into.length);
    }
}
