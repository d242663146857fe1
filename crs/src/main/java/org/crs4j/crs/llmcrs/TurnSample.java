package org.crs4j.crs.llmcrs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.crs4j.crs.eval.Bleu;
import org.crs4j.crs.eval.Prediction;
import org.crs4j.crs.rec.ItemKeys;
import org.crs4j.crs.rec.RecEvaluation;
import org.crs4j.data.model.Split;
import org.crs4j.data.prepare.PreparedSplit;
import org.crs4j.data.prepare.PreparedTurn;
import org.crs4j.data.prepare.RecommendationSample;

/**
 * One recommender turn that LLMCRS is trained (RLPF's episodes) and evaluated ({@code crs4j eval llmcrs}) on: the
 * turns of CRSLab's recommendation protocol — recommender turns that mention an item of the graph — with the items it
 * mentions as targets (one ranking sample each, as {@link RecEvaluation} counts them) and its text as the reference
 * response. The context is the dialogue before it.
 *
 * @param dialogueIndex  position of the dialogue in its split
 * @param turn           index of the turn in the prepared dialogue (what predictions files call the turn)
 * @param targetEntities the graph entities of the items the turn mentions, each once, in order of mention
 */
public record TurnSample(String dialogueId, int dialogueIndex, int turn, Conversation context, PreparedTurn truth, int[] targetEntities) {

    /** The samples of a split, in split order; empty when the split has none. */
    public static List<TurnSample> of(Environment env, Split split) {
        PreparedSplit s = env.data().split(split);
        if (s == null) return List.of();
        Map<Long, List<RecommendationSample>> byTurn = new LinkedHashMap<>();
        for (RecommendationSample r : s.recommendations()) byTurn.computeIfAbsent(((long) r.dialogue() << 32) | r.turn(), k -> new ArrayList<>()).add(r);
        List<TurnSample> out = new ArrayList<>(byTurn.size());
        for (List<RecommendationSample> rs : byTurn.values()) {
            var d = s.dialogues().get(rs.getFirst().dialogue());
            int t = rs.getFirst().turn();
            int[] targets = rs.stream().mapToInt(RecommendationSample::itemEntity).distinct().toArray();
            out.add(new TurnSample(d.id(), rs.getFirst().dialogue(), t, new Conversation(d.id(), d.turns().subList(0, t)), d.turns().get(t), targets));
        }
        return out;
    }

    /** The ground-truth response as a person reads it (ReDial's {@code @id} mentions as titles). */
    public String reference(Environment env) {
        return env.text(truth);
    }

    /**
     * The ranking samples of this turn given what a turn recommended: one per target, each over the turn's list as
     * item keys (catalogue items sharing a graph entity named once, as {@link ItemKeys} names them), top
     * {@value RecEvaluation#TOP}.
     */
    public List<Prediction> predictions(TurnResult result, Environment env, ItemKeys keys) {
        List<String> ranked = new ArrayList<>();
        var seen = new java.util.HashSet<String>();
        for (int item : result.items()) {
            int e = env.data().itemEntity()[item];
            if (e < 0) continue;
            String k = keys.of(e);
            if (seen.add(k) && ranked.size() < RecEvaluation.TOP) ranked.add(k);
        }
        List<Prediction> out = new ArrayList<>(targetEntities.length);
        for (int e : targetEntities) out.add(new Prediction(dialogueId, turn, keys.of(e), ranked));
        return out;
    }

    /** HIT@k of a turn: the share of its targets ranked within the top k. */
    public static double hit(List<Prediction> predictions, int k) {
        double h = 0;
        for (Prediction p : predictions) if (p.rank() >= 1 && p.rank() <= k) h++;
        return h / predictions.size();
    }

    /** CRSLab's BLEU-k of one response (NLTK sentence BLEU, all weight on order k, no smoothing; {@link Bleu#tokens}). */
    public static double bleu(String hypothesis, String reference, int k) {
        return Bleu.sentenceBleu(List.of(Bleu.tokens(reference)), Bleu.tokens(hypothesis), Bleu.crsWeights(k));
    }
}
