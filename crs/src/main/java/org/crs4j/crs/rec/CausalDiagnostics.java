package org.crs4j.crs.rec;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.crs4j.data.model.Split;
import org.crs4j.data.prepare.PreparedDataset;
import org.crs4j.data.prepare.RecommendationSample;

/**
 * Seed 003's Figure 4 as numbers: for every sample of a split, the ground truth's rank among the items with and
 * without the intervention of Eq. 5 (the last context entity masked), Δrank = rank - rank after intervention
 * (positive: the intervention ranks the target higher) and KL(p-bar || p) over the items.
 *
 * <p>Which samples count: a context of one entity has nothing left after the intervention (p-bar is uniform and
 * its "rank" would be the item order), and an empty one is not intervened on, so only contexts of two or more
 * entities are analysed; the figure also keeps only samples whose target is in the top {@value #TOP} both with and
 * without the intervention, as the paper records top-50 lists. The counts of everything left out are reported.
 */
public final class CausalDiagnostics {
    public static final int TOP = 50, RANK_BIN = 5, KL_BUCKET = 10;
    /** Δrank lies in -49..49; bins of 5 centred on 0 cover -52..52. */
    public static final int DELTA_BINS = 21;

    static int deltaBin(int delta) {
        return Math.floorDiv(delta + RANK_BIN / 2, RANK_BIN) + DELTA_BINS / 2;
    }

    /** The smallest Δrank of bin y. */
    public static int deltaFrom(int y) {
        return (y - DELTA_BINS / 2) * RANK_BIN - RANK_BIN / 2;
    }

    /** One sample: 1-based ranks among all items (not capped at 50), and KL(p-bar || p). */
    public record Sample(String dialogue, int turn, String target, int contextEntities, int rank, int intervenedRank, double kl) {
        public int delta() {
            return rank - intervenedRank;
        }

        public boolean inTopBoth() {
            return rank <= TOP && intervenedRank <= TOP;
        }
    }

    /** The analysis of one split. */
    public record Result(int samples, int shortContexts, List<Sample> analysed) {
        /** Samples in both top-50 lists (the heat map's). */
        public List<Sample> inTop() {
            return analysed.stream().filter(Sample::inTopBoth).toList();
        }

        /**
         * counts[x][y]: original rank bin x (1-5, 6-10, ...) and Δrank bin y, bins of {@value #RANK_BIN} centred on 0
         * (y = {@link #DELTA_BINS} / 2 holds -2..2), so that "unchanged" sits in the middle row.
         */
        public int[][] heat() {
            int[][] c = new int[TOP / RANK_BIN][DELTA_BINS];
            for (Sample s : inTop()) c[(s.rank() - 1) / RANK_BIN][deltaBin(s.delta())]++;
            return c;
        }

        /** Per original-rank bucket of {@value #KL_BUCKET} (1-10, ...): {n, mean KL} of Rank + (delta > 0) and Rank - (delta < 0). */
        public double[][][] klByBucket() {
            double[][][] out = new double[2][TOP / KL_BUCKET][2];
            for (Sample s : inTop()) {
                if (s.delta() == 0) continue;
                double[] cell = out[s.delta() > 0 ? 0 : 1][(s.rank() - 1) / KL_BUCKET];
                cell[0]++;
                cell[1] += s.kl();
            }
            for (double[][] g : out) for (double[] cell : g) if (cell[0] > 0) cell[1] /= cell[0];
            return out;
        }

        public String samplesCsv() {
            StringBuilder sb = new StringBuilder("dialogue,turn,target,context_entities,rank,rank_intervened,delta_rank,kl\n");
            for (Sample s : analysed) {
                sb.append(csv(s.dialogue())).append(',').append(s.turn()).append(',').append(csv(s.target())).append(',')
                        .append(s.contextEntities()).append(',').append(s.rank()).append(',').append(s.intervenedRank()).append(',')
                        .append(s.delta()).append(',').append(String.format(Locale.ROOT, "%.6g", s.kl())).append('\n');
            }
            return sb.toString();
        }

        public String heatCsv() {
            StringBuilder sb = new StringBuilder("rank_from,rank_to,delta_from,delta_to,samples\n");
            int[][] h = heat();
            for (int x = 0; x < h.length; x++) {
                for (int y = 0; y < h[x].length; y++) {
                    int d0 = deltaFrom(y);
                    sb.append(x * RANK_BIN + 1).append(',').append((x + 1) * RANK_BIN).append(',').append(d0).append(',')
                            .append(d0 + RANK_BIN - 1).append(',').append(h[x][y]).append('\n');
                }
            }
            return sb.toString();
        }

        public String klCsv() {
            StringBuilder sb = new StringBuilder("rank_from,rank_to,group,samples,mean_kl\n");
            double[][][] k = klByBucket();
            for (int g = 0; g < 2; g++) {
                for (int b = 0; b < k[g].length; b++) {
                    sb.append(b * KL_BUCKET + 1).append(',').append((b + 1) * KL_BUCKET).append(',').append(g == 0 ? "rank+" : "rank-")
                            .append(',').append((int) k[g][b][0]).append(',')
                            .append(k[g][b][0] > 0 ? String.format(Locale.ROOT, "%.6g", k[g][b][1]) : "").append('\n');
                }
            }
            return sb.toString();
        }

        private static String csv(String s) {
            return s.contains(",") || s.contains("\"") ? '"' + s.replace("\"", "\"\"") + '"' : s;
        }
    }

    private CausalDiagnostics() {}

    public static Result run(CausalRecommender rec, PreparedDataset data, Split split) {
        if (!rec.model().settings().pooling().equals(RecSettings.TIME_AWARE)) {
            throw new IllegalArgumentException("the intervention of Eq. 5 is defined on the time-aware pooling; this is a "
                    + rec.model().settings().variant() + " model");
        }
        List<RecommendationSample> samples = RecEvaluation.samples(data, split);
        ItemKeys keys = ItemKeys.of(data);
        var dialogues = data.split(split).dialogues();
        List<RecommendationSample> kept = samples.stream().filter(s -> s.contextEntities().length >= 2).toList();
        List<Sample> out = new ArrayList<>(kept.size());
        for (int from = 0; from < kept.size(); from += 256) {
            List<RecommendationSample> batch = kept.subList(from, Math.min(kept.size(), from + 256));
            List<int[]> ctx = batch.stream().map(RecommendationSample::contextEntities).toList();
            float[][] p = rec.itemScores(ctx, false), q = rec.itemScores(ctx, true);
            for (int i = 0; i < batch.size(); i++) {
                RecommendationSample s = batch.get(i);
                int target = rec.graph().itemPosition().get(s.itemEntity());
                out.add(new Sample(dialogues.get(s.dialogue()).id(), s.turn(), keys.of(s.itemEntity()), s.contextEntities().length,
                        Ranking.rankOf(p[i], target), Ranking.rankOf(q[i], target), kl(q[i], p[i])));
            }
        }
        return new Result(samples.size(), samples.size() - kept.size(), out);
    }

    /** KL(softmax(q) || softmax(p)) = sum_i q_i (log q_i - log p_i), in double. */
    static double kl(float[] qLogits, float[] pLogits) {
        double lq = logSumExp(qLogits), lp = logSumExp(pLogits), sum = 0;
        for (int i = 0; i < qLogits.length; i++) {
            double logQ = qLogits[i] - lq;
            sum += Math.exp(logQ) * (logQ - (pLogits[i] - lp));
        }
        return Math.max(0, sum);
    }

    private static double logSumExp(float[] x) {
        double max = Double.NEGATIVE_INFINITY, s = 0;
        for (float v : x) max = Math.max(max, v);
        for (float v : x) s += Math.exp(v - max);
        return max + Math.log(s);
    }
}
