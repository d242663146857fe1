package org.crs4j.crs.llmcrs.experts;

import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import org.crs4j.crs.llmcrs.Environment;
import org.crs4j.crs.llmcrs.SubTask;
import org.crs4j.crs.rec.Ranking;
import org.crs4j.crs.rec.Recommender;
import org.crs4j.data.itemdb.Genres;

/**
 * The recommendation sub-task on any {@link Recommender}: scores for the dialogue's entities (in order of first
 * mention, as the recommenders are trained), restricted to the genre the call's {@code category} names when the item
 * database knows it (so the LLM's argument changes which items come back), the top {@code listSize} items as the
 * ranked list and the first {@code shown} written out for the response prompt. Items already mentioned are not
 * removed: the CRSLab protocol the recommenders are evaluated under keeps them.
 */
public final class RecommendationExpert implements Expert {
    private final Recommender recommender;
    private final Environment env;
    private final int listSize;
    private final int shown;

    public RecommendationExpert(Recommender recommender, Environment env, int listSize, int shown) {
        if (listSize < 1 || shown < 1) throw new IllegalArgumentException("list size and shown count must be >= 1");
        this.recommender = recommender;
        this.env = env;
        this.listSize = listSize;
        this.shown = shown;
    }

    @Override
    public ExpertOutput execute(ExpertRequest request) {
        float[] scores = recommender.scores(request.context().entities());
        List<String> notes = new ArrayList<>();
        String category = request.call().argument(SubTask.Args.CATEGORY);
        String genre = null;
        if (category != null) {
            String g = Genres.normalize(category);
            if (env.db() != null && env.db().hasValue("genre", g)) {
                genre = g;
                boolean[] keep = new boolean[scores.length];
                for (int item : env.db().itemsWith("genre", g)) {
                    int e = env.data().itemEntity()[item];
                    if (e >= 0) keep[e] = true;
                }
                for (int e = 0; e < scores.length; e++) if (!keep[e]) scores[e] = Float.NEGATIVE_INFINITY;
            } else notes.add("category \"" + category + "\" is no genre the item database knows: the list is not filtered");
        }
        int[] top = Ranking.topK(scores, listSize);
        int[] items = new int[top.length];
        int n = 0;
        for (int e : top) {
            int item = env.itemOfEntity(e);
            if (item >= 0) items[n++] = item;
        }
        items = java.util.Arrays.copyOf(items, n);
        StringJoiner text = new StringJoiner("; ", "Recommended" + (genre != null ? " " + genre + " movies" : " movies") + ": ", "");
        for (int i = 0; i < Math.min(shown, n); i++) text.add(env.title(items[i]));
        if (n == 0) return new ExpertOutput("No " + (genre != null ? genre + " " : "") + "movie to recommend.", items, notes);
        return new ExpertOutput(text.toString(), items, notes);
    }
}
