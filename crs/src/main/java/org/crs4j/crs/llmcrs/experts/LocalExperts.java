package org.crs4j.crs.llmcrs.experts;

import java.util.ArrayList;
import java.util.List;
import org.crs4j.crs.llmcrs.Environment;
import org.crs4j.crs.llmcrs.SubTask;
import org.crs4j.crs.rec.Recommender;

/**
 * The in-process experts a registry's {@code local:NAME} endpoint can name: {@code preference-elicitation},
 * {@code kg-explanation}, {@code item-database}, and every recommender of the {@link Environment} under its name
 * ({@code popularity}, {@code movielens-popularity}, and whatever else was added, e.g. trained causal-recommender
 * variants), which serve the recommendation sub-task.
 */
public final class LocalExperts {
    /** Length of a recommendation expert's ranked list (HIT@50 needs 50). */
    public static final int LIST_SIZE = 50;
    /** Titles written into the recommendation's output text. */
    public static final int SHOWN = 5;

    private LocalExperts() {}

    /**
     * @throws IllegalArgumentException naming the unknown name, or a name that does not serve {@code subTask}
     */
    public static Expert create(String name, SubTask subTask, Environment env) {
        Recommender r = env.recommenders().get(name);
        SubTask serves = r != null ? SubTask.RECOMMENDATION : switch (name) {
            case "preference-elicitation" -> SubTask.PREFERENCE_ELICITATION;
            case "kg-explanation" -> SubTask.EXPLANATION;
            case "item-database" -> SubTask.ITEM_DETAIL_SEARCH;
            default -> throw new IllegalArgumentException("unknown local expert \"" + name + "\" (known: " + String.join(", ", names(env)) + ")");
        };
        if (serves != subTask)
            throw new IllegalArgumentException("local expert \"" + name + "\" serves " + serves.id() + ", not " + subTask.id());
        if (r != null) return new RecommendationExpert(r, env, LIST_SIZE, SHOWN);
        return switch (name) {
            case "preference-elicitation" -> new PreferenceExpert(env);
            case "kg-explanation" -> new ExplanationExpert(env);
            default -> new ItemDetailExpert(env);
        };
    }

    public static List<String> names(Environment env) {
        List<String> out = new ArrayList<>(env.recommenders().keySet());
        out.addAll(List.of("preference-elicitation", "kg-explanation", "item-database"));
        return out;
    }
}
