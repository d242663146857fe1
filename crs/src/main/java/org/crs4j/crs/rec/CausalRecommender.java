package org.crs4j.crs.rec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.crs4j.autograd.GradMode;
import org.crs4j.autograd.Variable;
import org.crs4j.data.prepare.PreparedDataset;
import org.crs4j.tensor.Tensor;

/**
 * A trained {@link CausalRecModel} as a {@link Recommender}: the entity representations H are computed once, then
 * each context costs one pooling and one product with the item rows.
 *
 * <pre>{@code
 * Recommender rec = CausalRecommender.load(Path.of("models/redial-full"), preparedRedial);
 * int[] top10 = rec.recommend(contextEntities, 10);
 * }</pre>
 *
 * <p>A context without any entity has nothing to pool (Eq. 3 is 0/0); it is answered with the popularity of the
 * training targets ({@link PopularityRecommender#fromTrainingTargets}), the best context-free guess.
 */
public final class CausalRecommender implements Recommender {
    private final CausalRecModel model;
    private final RecGraph graph;
    private final Variable h, itemRows;
    private final float[] popularity;

    /** Snapshots the model's current weights (used during training for validation, and by {@link #load}). */
    public CausalRecommender(CausalRecModel model, RecGraph graph, PreparedDataset data) {
        this.model = model;
        this.graph = graph;
        try (var off = GradMode.off()) {
            Tensor entities = model.entities(graph.rgcnGraph()).data().contiguous();
            this.h = Variable.constant(entities);
            this.itemRows = Variable.constant(entities.indexSelect(0, graph.itemIds()).contiguous());
        }
        this.popularity = PopularityRecommender.fromTrainingTargets(data).scores(new int[0]);
    }

    /** The trained model in {@code dir} over {@code data}, which must be the prepared data it was trained on. */
    public static CausalRecommender load(Path dir, PreparedDataset data) throws IOException {
        return RecModelDirectory.open(dir).load(data);
    }

    @Override
    public String name() {
        return nameOf(model.settings().variant());
    }

    /** {@code causal-full}, {@code causal-no-causal}, {@code kbrd}. */
    public static String nameOf(String variant) {
        return variant.equals("kbrd") ? "kbrd" : "causal-" + variant;
    }

    public CausalRecModel model() {
        return model;
    }

    public RecGraph graph() {
        return graph;
    }

    @Override
    public float[] scores(int[] contextEntities) {
        return toEntityScores(itemScores(List.of(contextEntities), false)[0]);
    }

    /** Scores after Eq. 5's intervention (the last context entity masked): p-bar's logits, for the diagnostics. */
    public float[] intervenedScores(int[] contextEntities) {
        return toEntityScores(itemScores(List.of(contextEntities), true)[0]);
    }

    /**
     * Item scores [B][I] (I = {@link RecGraph#items()}, ascending entity ids) for a batch of contexts, with or
     * without the intervention; empty contexts get popularity.
     */
    public float[][] itemScores(List<int[]> contexts, boolean intervened) {
        for (int[] c : contexts) {
            for (int e : c) {
                if (e < 0 || e >= graph.entities()) {
                    throw new IllegalArgumentException("context entity " + e + " is not in the graph (0.." + (graph.entities() - 1) + ")");
                }
            }
        }
        var s = model.settings();
        Contexts c = Contexts.of(contexts, s.maxContext(), s.lambda());
        float[] flat;
        try (var off = GradMode.off()) {
            Variable users = model.users(h, c);
            if (intervened) users = model.intervened(h, c, users);
            flat = model.logits(users, itemRows, graph.itemIds()).data().contiguous().toFloatArray();
        }
        int items = graph.items().length;
        float[][] out = new float[contexts.size()][];
        for (int i = 0; i < out.length; i++) {
            if (contexts.get(i).length == 0) {
                out[i] = new float[items];
                for (int j = 0; j < items; j++) out[i][j] = popularity[graph.items()[j]];
            } else {
                out[i] = Arrays.copyOfRange(flat, i * items, (i + 1) * items);
            }
        }
        return out;
    }

    private float[] toEntityScores(float[] itemScores) {
        float[] s = new float[graph.entities()];
        Arrays.fill(s, Float.NEGATIVE_INFINITY);
        int[] items = graph.items();
        for (int j = 0; j < items.length; j++) s[items[j]] = itemScores[j];
        return s;
    }
}
