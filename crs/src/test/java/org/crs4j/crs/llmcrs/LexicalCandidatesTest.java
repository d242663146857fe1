package org.crs4j.crs.llmcrs;

import static org.crs4j.crs.llmcrs.LlmcrsFixture.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.crs4j.crs.eval.Bleu;
import org.crs4j.data.model.Split;
import org.crs4j.data.model.Role;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** w/o E's candidate retrieval against a direct computation of the same TF-IDF cosine from maps, for every item. */
class LexicalCandidatesTest {
    @TempDir static Path data;
    @TempDir static Path cache;
    static Environment env;

    @BeforeAll
    static void prepare() { env = LlmcrsFixture.environment(data, cache); }

    @AfterAll
    static void close() { env.db().close(); }

    @Test
    void scoresAreTheTfIdfCosineAndTheBestComeFirst() {
        var dialogue = new Conversation(List.of(env.turn(Role.SEEKER, "I want a horror film like Sleepy Hollow, or Alien"),
                env.turn(Role.RECOMMENDER, "Do you like horror classics?"), env.turn(Role.SEEKER, "yes, horror and sci-fi")));
        List<LexicalCandidates.Scored> top = LexicalCandidates.of(env).top(dialogue, 50);
        double[] expected = naiveCosines(dialogue);
        int positive = 0;
        for (double e : expected) if (e > 0) positive++;
        assertEquals(positive, top.size(), "every item sharing a word with the dialogue, no other");
        for (int i = 0; i < top.size(); i++) {
            assertEquals(expected[top.get(i).item()], top.get(i).score(), 1e-6, "item " + top.get(i).item());
            if (i > 0) assertTrue(top.get(i).score() <= top.get(i - 1).score() + 1e-7, "best first");
        }
        assertTrue(top.getFirst().item() == item(env, S) || top.getFirst().item() == item(env, A), top.toString());
        assertEquals(2, LexicalCandidates.of(env).top(dialogue, 2).size(), "k bounds the list");
        assertEquals(List.of(), LexicalCandidates.of(env).top(new Conversation(List.of(env.turn(Role.SEEKER, "zzz qqq"))), 5), "no shared word: no candidate");
    }

    /** scikit-learn's smoothed TF-IDF (document frequencies over items and training turns), L2-normalized, per pair from maps. */
    private static double[] naiveCosines(Conversation dialogue) {
        int n = env.data().items().size();
        List<Map<String, Integer>> docs = new java.util.ArrayList<>();
        Map<String, Integer> df = new HashMap<>();
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder(env.title(i));
            for (var f : env.db().facts(i)) sb.append(' ').append(f.value());
            Map<String, Integer> tf = new HashMap<>();
            for (String w : Bleu.tokens(sb.toString())) tf.merge(w, 1, Integer::sum);
            docs.add(tf);
            for (String w : tf.keySet()) df.merge(w, 1, Integer::sum);
        }
        int documents = n;
        for (var d : env.data().split(Split.TRAIN).dialogues()) {
            for (var t : d.turns()) {
                documents++;
                for (String w : new java.util.HashSet<>(Bleu.tokens(env.text(t)))) df.computeIfPresent(w, (k, c) -> c + 1);
            }
        }
        final int total = documents;
        java.util.function.ToDoubleFunction<String> idf = w -> Math.log((1.0 + total) / (1.0 + df.get(w))) + 1;
        StringBuilder q = new StringBuilder();
        for (var t : dialogue.turns()) q.append(env.text(t)).append('\n');
        Map<String, Integer> qtf = new HashMap<>();
        for (String w : Bleu.tokens(q.toString())) if (df.containsKey(w)) qtf.merge(w, 1, Integer::sum);
        double nq = 0;
        for (var e : qtf.entrySet()) nq += Math.pow(e.getValue() * idf.applyAsDouble(e.getKey()), 2);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double dot = 0, nd = 0;
            for (var e : docs.get(i).entrySet()) {
                double w = e.getValue() * idf.applyAsDouble(e.getKey());
                nd += w * w;
                Integer c = qtf.get(e.getKey());
                if (c != null) dot += w * c * idf.applyAsDouble(e.getKey());
            }
            out[i] = nd == 0 || nq == 0 ? 0 : dot / Math.sqrt(nd) / Math.sqrt(nq);
        }
        return out;
    }
}
