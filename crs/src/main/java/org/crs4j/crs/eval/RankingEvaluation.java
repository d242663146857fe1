package org.crs4j.crs.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Recommendation metrics from predictions: HIT (= Recall), MRR and NDCG at each K with bootstrap intervals, and the
 * paired comparison of two prediction sets over their common samples. Everything is computed from the ranked lists
 * alone, so a predictions file and the table printed when it was written always agree.
 */
public final class RankingEvaluation {
    private RankingEvaluation() {}

    /** The K of ReDial and INSPIRED tables (KBRD, KGSF, CRSLab, seed 003). */
    public static final int[] REDIAL_KS = {1, 10, 50};
    /** OpenDialKG's (Moon et al. 2019; seed 003 Table 3). */
    public static final int[] OPENDIALKG_KS = {1, 3, 5, 10, 25};

    /** Each prediction's target rank in its list (0 when absent). */
    public static int[] ranks(List<Prediction> predictions) {
        int[] r = new int[predictions.size()];
        for (int i = 0; i < r.length; i++) r[i] = predictions.get(i).rank();
        return r;
    }

    /** Checks the K values against the lists: each must be >= 1 and no larger than the longest list. */
    public static void checkKs(int[] ks, List<Prediction> predictions, String source) {
        if (ks.length == 0) throw new IllegalArgumentException("--k: no values");
        int longest = predictions.stream().mapToInt(p -> p.ranked().size()).max().orElse(0);
        for (int k : ks) {
            if (k < 1) throw new IllegalArgumentException("--k: " + k + " is not a valid cut-off (K must be >= 1)");
            if (k > longest) throw new IllegalArgumentException("--k: " + k + " is beyond the " + longest + " items " + source + " ranks per sample");
        }
    }

    /** Metric label (e.g. {@code NDCG@10}) to its estimate, in the order Recall@K..., MRR@K..., NDCG@K.... */
    public static Map<String, Estimate> estimates(int[] ranks, int[] ks) {
        List<String> labels = new ArrayList<>();
        List<double[]> columns = new ArrayList<>();
        for (RankMetric m : RankMetric.values()) {
            for (int k : ks) {
                labels.add(m.label(k));
                columns.add(m.values(ranks, k));
            }
        }
        Estimate[] e = Bootstrap.estimates(columns.toArray(double[][]::new));
        Map<String, Estimate> out = new LinkedHashMap<>();
        for (int i = 0; i < e.length; i++) out.put(labels.get(i), e[i]);
        return out;
    }

    /** A paired comparison of two prediction sets at one cut-off. */
    public record Comparison(String metric, PairedTTest test) {}

    /** The samples both sets contain, and Recall@K compared on them by the paired t-test, one row per K. */
    public record Paired(int common, int onlyA, int onlyB, List<Comparison> rows) {}

    public static Paired compare(List<Prediction> a, List<Prediction> b, int[] ks) {
        Map<Prediction.Key, Prediction> byKey = new HashMap<>();
        for (Prediction p : b) byKey.put(p.key(), p);
        List<int[]> pairs = new ArrayList<>();
        for (Prediction p : a) {
            Prediction q = byKey.get(p.key());
            if (q != null) pairs.add(new int[] {p.rank(), q.rank()});
        }
        int[] ra = new int[pairs.size()], rb = new int[pairs.size()];
        for (int i = 0; i < ra.length; i++) {
            ra[i] = pairs.get(i)[0];
            rb[i] = pairs.get(i)[1];
        }
        List<Comparison> rows = new ArrayList<>();
        for (int k : ks) {
            rows.add(new Comparison(RankMetric.HIT.label(k), PairedTTest.of(RankMetric.HIT.values(ra, k), RankMetric.HIT.values(rb, k))));
        }
        return new Paired(ra.length, a.size() - ra.length, b.size() - ra.length, rows);
    }
}
