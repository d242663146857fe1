package org.crs4j.crs.rec;

/**
 * A recommender over the entities of a prepared knowledge graph ({@code data.prepare.PreparedDataset}): what the
 * evaluation, LLMCRS's recommendation experts and the chat call. Contexts and results are graph entity ids; the
 * dataset's {@code itemEntity} maps catalogue items to them.
 */
public interface Recommender {

    /** A short id for tables, traces and the expert registry, e.g. {@code causal-full} or {@code popularity}. */
    String name();

    /**
     * A score for every entity of the graph given the context entities (in order of first mention, most recent
     * last; may be empty). Entities that are not items score {@link Float#NEGATIVE_INFINITY}.
     */
    float[] scores(int[] contextEntities);

    /** The k best item entities for the context, best first (see {@link Ranking#topK}). */
    default int[] recommend(int[] contextEntities, int k) {
        return Ranking.topK(scores(contextEntities), k);
    }
}
