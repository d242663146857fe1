package org.crs4j.crs.rec;

import java.util.Arrays;
import org.crs4j.data.model.Item;
import org.crs4j.data.prepare.PreparedDataset;
import org.crs4j.data.prepare.RecommendationSample;
import org.crs4j.data.model.Split;

/**
 * Ranks items by a fixed popularity count, ignoring the context: the baseline every recommendation table carries.
 * Ties (e.g. items never seen) go to the lower entity id, as {@link Ranking} orders them.
 */
public final class PopularityRecommender implements Recommender {
    private final String name;
    private final float[] scores;

    private PopularityRecommender(String name, float[] scores) {
        this.name = name;
        this.scores = scores;
    }

    /** The most frequent targets of the training split's recommendation samples (no learning). */
    public static PopularityRecommender fromTrainingTargets(PreparedDataset data) {
        float[] s = itemMask(data);
        var train = data.split(Split.TRAIN);
        if (train != null) {
            for (RecommendationSample r : train.recommendations()) s[r.itemEntity()] += 1;
        }
        return new PopularityRecommender("popularity", s);
    }

    /**
     * MovieLens popularity: each item's number of ratings in ml-latest-small (the {@code ratings} attribute the data
     * preparation attaches; items without one count 0). Independent of the dialogues, so a weaker second expert.
     */
    public static PopularityRecommender fromMovieLensRatings(PreparedDataset data) {
        float[] s = itemMask(data);
        for (int i = 0; i < data.items().size(); i++) {
            int e = data.itemEntity()[i];
            if (e < 0) continue;
            Item item = data.items().get(i);
            String ratings = item.attributes().get("ratings");
            if (ratings != null) s[e] = Math.max(s[e], Integer.parseInt(ratings));
        }
        return new PopularityRecommender("movielens-popularity", s);
    }

    /** 0 for every item entity, -inf elsewhere. */
    private static float[] itemMask(PreparedDataset data) {
        float[] s = new float[data.graph().entityCount()];
        Arrays.fill(s, Float.NEGATIVE_INFINITY);
        for (int e : data.graph().itemEntities()) s[e] = 0;
        return s;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public float[] scores(int[] contextEntities) {
        return scores.clone();
    }
}
