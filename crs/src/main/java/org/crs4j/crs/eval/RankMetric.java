package org.crs4j.crs.eval;

/**
 * The ranking metrics of CRS recommendation tables (CRSLab, KBRD, UniCRS; seed 000 and 003), for one sample whose
 * target sits at 1-based rank r (0 when it is not ranked at all):
 * <pre>
 *   HIT@K  = 1[1 <= r <= K]                      (= Recall@K with one target per sample)
 *   MRR@K  = 1/r           if 1 <= r <= K, else 0
 *   NDCG@K = 1/log2(r + 1) if 1 <= r <= K, else 0
 * </pre>
 * A table reports each averaged over samples. Ranks come from {@code rec.Ranking.rankOf} or from a stored top-K list.
 */
public enum RankMetric {
    HIT("Recall"), MRR("MRR"), NDCG("NDCG");

    private final String label;

    RankMetric(String label) {
        this.label = label;
    }

    /** The column name, e.g. {@code Recall@10}. */
    public String label(int k) {
        return label + "@" + k;
    }

    public double value(int rank, int k) {
        if (k < 1) throw new IllegalArgumentException("K must be >= 1, got " + k);
        if (rank < 1 || rank > k) return 0.0;
        return switch (this) {
            case HIT -> 1.0;
            case MRR -> 1.0 / rank;
            case NDCG -> 1.0 / (Math.log(rank + 1.0) / Math.log(2.0));
        };
    }

    /** The metric of every sample: {@code values[i] = value(ranks[i], k)}. */
    public double[] values(int[] ranks, int k) {
        double[] v = new double[ranks.length];
        for (int i = 0; i < ranks.length; i++) v[i] = value(ranks[i], k);
        return v;
    }
}
