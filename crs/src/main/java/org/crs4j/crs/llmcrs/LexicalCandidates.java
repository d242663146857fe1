package org.crs4j.crs.llmcrs;

import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.objects.Object2IntOpenHashMap;
import java.util.ArrayList;
import java.util.List;
import org.crs4j.crs.eval.Bleu;
import org.crs4j.data.model.Item;
import org.crs4j.data.prepare.PreparedDialogue;
import org.crs4j.data.prepare.PreparedTurn;

/**
 * The candidate items of the w/o E ablation (seed 000 §6.2): without expert models the LLM recommends by itself, from
 * the items most similar to the dialogue. The paper measures that similarity with BERT; no BERT checkpoint can be
 * loaded here, so it is lexical: the cosine of TF-IDF vectors over the text metrics' tokens ({@link Bleu#tokens}:
 * lower-case words, single characters for Chinese) of an item's title and item-database facts (genres, people, ...)
 * and of the whole dialogue so far. IDF is scikit-learn's smoothed {@code ln((1 + N) / (1 + df)) + 1} over the items
 * <em>and</em> the training dialogues' turns: counted over items alone, "I", "you" or 我 are rare (few titles have
 * them) and would make "I Love You" the best match of every dialogue; counted over turns too, they weigh little.
 */
public final class LexicalCandidates {
    /** An item and its cosine similarity to the dialogue, in (0, 1]. */
    public record Scored(int item, double score) {}

    private final Environment env;
    private final Object2IntOpenHashMap<String> termIds = new Object2IntOpenHashMap<>();
    private final double[] idf;
    /** Per term, the items that contain it and the term's weight in each item's unit vector. */
    private final int[][] postingItems;
    private final double[][] postingWeights;

    private LexicalCandidates(Environment env) {
        this.env = env;
        termIds.defaultReturnValue(-1);
        List<Item> items = env.data().items().items();
        List<int[]> docTerms = new ArrayList<>(items.size());
        List<double[]> docCounts = new ArrayList<>(items.size());
        IntArrayList df = new IntArrayList();
        for (int i = 0; i < items.size(); i++) {
            Object2IntOpenHashMap<String> tf = counts(Bleu.tokens(itemText(env, i)));
            int[] terms = new int[tf.size()];
            double[] c = new double[tf.size()];
            int k = 0;
            for (var e : tf.object2IntEntrySet()) {
                int id = termIds.computeIfAbsent(e.getKey(), x -> termIds.size());
                if (id == df.size()) df.add(0);
                df.set(id, df.getInt(id) + 1);
                terms[k] = id;
                c[k++] = e.getIntValue();
            }
            docTerms.add(terms);
            docCounts.add(c);
        }
        int turns = 0;
        for (PreparedDialogue d : env.data().split(LlmcrsSetup.trainingSplit(env)).dialogues()) {
            for (PreparedTurn t : d.turns()) {
                turns++;
                for (String w : new java.util.HashSet<>(Bleu.tokens(env.text(t)))) {
                    int id = termIds.getInt(w);
                    if (id >= 0) df.set(id, df.getInt(id) + 1);   // a word no item has is never scored
                }
            }
        }
        int documents = items.size() + turns;
        idf = new double[df.size()];
        for (int t = 0; t < idf.length; t++) idf[t] = Math.log((1.0 + documents) / (1.0 + df.getInt(t))) + 1;
        int[] fill = new int[idf.length];
        int[] itemsWith = new int[idf.length];
        for (int[] terms : docTerms) for (int t : terms) itemsWith[t]++;
        postingItems = new int[idf.length][];
        postingWeights = new double[idf.length][];
        for (int t = 0; t < idf.length; t++) {
            postingItems[t] = new int[itemsWith[t]];
            postingWeights[t] = new double[itemsWith[t]];
        }
        for (int i = 0; i < items.size(); i++) {
            int[] terms = docTerms.get(i);
            double[] w = docCounts.get(i);
            double norm = 0;
            for (int k = 0; k < terms.length; k++) {
                w[k] *= idf[terms[k]];
                norm += w[k] * w[k];
            }
            norm = Math.sqrt(norm);
            for (int k = 0; k < terms.length; k++) {
                int t = terms[k];
                postingItems[t][fill[t]] = i;
                postingWeights[t][fill[t]++] = w[k] / norm;
            }
        }
    }

    /** An item's words: its title and the values of its item-database facts (none without a database). */
    static String itemText(Environment env, int item) {
        StringBuilder text = new StringBuilder(env.title(item));
        if (env.db() != null) for (var f : env.db().facts(item)) text.append(" ").append(f.value());
        return text.toString();
    }

    /** Indexes every item of the environment's catalogue, and the training turns for IDF: once per pipeline, at its first w/o E turn. */
    public static LexicalCandidates of(Environment env) { return new LexicalCandidates(env); }

    /** The {@code k} items most similar to the dialogue, best first (ties by catalogue order); only items sharing a token with it. */
    public List<Scored> top(Conversation dialogue, int k) {
        StringBuilder text = new StringBuilder();
        for (PreparedTurn t : dialogue.turns()) text.append(env.text(t)).append('\n');
        Object2IntOpenHashMap<String> tf = counts(Bleu.tokens(text.toString()));
        double[] scores = new double[env.data().items().size()];
        double norm = 0;
        for (var e : tf.object2IntEntrySet()) {
            int t = termIds.getInt(e.getKey());
            if (t < 0) continue;    // a word no item has adds to no score, and the norm only scales all of them
            double w = e.getIntValue() * idf[t];
            norm += w * w;
            for (int p = 0; p < postingItems[t].length; p++) scores[postingItems[t][p]] += w * postingWeights[t][p];
        }
        List<Scored> out = new ArrayList<>();
        if (norm == 0) return out;
        double n = Math.sqrt(norm);
        int[] order = org.crs4j.crs.rec.Ranking.topK(toFloat(scores), Math.min(k, scores.length));
        for (int i : order) if (scores[i] > 0) out.add(new Scored(i, scores[i] / n));
        return out;
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    private static Object2IntOpenHashMap<String> counts(List<String> tokens) {
        Object2IntOpenHashMap<String> tf = new Object2IntOpenHashMap<>();
        for (String w : tokens) tf.addTo(w, 1);
        return tf;
    }
}
