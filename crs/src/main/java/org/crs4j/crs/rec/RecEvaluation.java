package org.crs4j.crs.rec;

import java.util.ArrayList;
import java.util.List;
import org.crs4j.crs.eval.Prediction;
import org.crs4j.data.model.Split;
import org.crs4j.data.prepare.PreparedDataset;
import org.crs4j.data.prepare.PreparedSplit;
import org.crs4j.data.prepare.RecommendationSample;

/**
 * The recommendation protocol of CRSLab, KBRD and UniCRS on prepared data: every recommendation sample of a split
 * (recommender turns only, one per mentioned item), items already mentioned not excluded, scores restricted to the
 * items; the top {@value #TOP} items become a {@link Prediction}, from which every metric is computed.
 */
public final class RecEvaluation {
    public static final int TOP = 50;

    private RecEvaluation() {}

    /** The samples of a split; an error names the dataset and split when there are none. */
    public static List<RecommendationSample> samples(PreparedDataset data, Split split) {
        PreparedSplit s = data.split(split);
        if (s == null || s.recommendations().isEmpty()) {
            throw new IllegalArgumentException("--split " + split.label() + ": " + data.name() + " has no recommendation samples in its "
                    + split.label() + " split");
        }
        return s.recommendations();
    }

    /**
     * The top-{@value #TOP} list of every sample of a split. A {@link CausalRecommender} is asked for item scores a
     * batch of contexts at a time (one matrix product instead of one per sample; the same scores and order as
     * {@link Recommender#recommend}, tested); any other recommender one context at a time.
     */
    public static List<Prediction> predict(Recommender recommender, PreparedDataset data, Split split) {
        List<RecommendationSample> samples = samples(data, split);
        ItemKeys keys = ItemKeys.of(data);
        List<Prediction> out = new ArrayList<>(samples.size());
        var dialogues = data.split(split).dialogues();
        for (int from = 0; from < samples.size(); from += BATCH) {
            List<RecommendationSample> batch = samples.subList(from, Math.min(samples.size(), from + BATCH));
            int[][] tops = new int[batch.size()][];
            if (recommender instanceof CausalRecommender c) {
                float[][] scores = c.itemScores(batch.stream().map(RecommendationSample::contextEntities).toList(), false);
                int[] items = c.graph().items();
                for (int i = 0; i < tops.length; i++) {
                    // item positions ascend with entity ids, so ties still go to the lower entity id
                    tops[i] = Ranking.topK(scores[i], TOP);
                    for (int j = 0; j < tops[i].length; j++) tops[i][j] = items[tops[i][j]];
                }
            } else {
                for (int i = 0; i < tops.length; i++) tops[i] = recommender.recommend(batch.get(i).contextEntities(), TOP);
            }
            for (int i = 0; i < tops.length; i++) {
                RecommendationSample s = batch.get(i);
                List<String> ranked = new ArrayList<>(tops[i].length);
                for (int e : tops[i]) ranked.add(keys.of(e));
                out.add(new Prediction(dialogues.get(s.dialogue()).id(), s.turn(), keys.of(s.itemEntity()), ranked));
            }
        }
        return out;
    }

    private static final int BATCH = 256;
}
