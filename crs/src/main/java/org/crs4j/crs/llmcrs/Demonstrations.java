package org.crs4j.crs.llmcrs;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import org.crs4j.crs.llm.PromptTemplate;
import org.crs4j.data.model.Role;
import org.crs4j.data.prepare.PreparedDialogue;
import org.crs4j.data.prepare.PreparedSplit;

/**
 * Demonstrations for sub-task detection (seed 000 §3.1): dialogue contexts from training dialogues with the sub-task
 * {@link SubTaskLabeler} gives their next recommender turn, written in schema form.
 *
 * <p>The rule: <b>one demonstration per sub-task</b> (so the LLM sees every schema form), each <b>the example of that
 * sub-task whose context shares the most words with the current context</b> (Jaccard similarity of the lower-cased
 * word sets of the last {@code contextTurns} turns; ties go to the earlier example), never from the dialogue being
 * answered. Pools hold at most {@code poolSize} examples per sub-task, taken in split order, so choosing stays at a
 * few milliseconds. A sub-task without examples (TG-ReDial annotates no explanations) gets no demonstration.
 */
public final class Demonstrations {
    /** One demonstration: its context as the prompt shows it and the labeled call. */
    public record Example(String dialogueId, String context, Set<String> words, SubTaskCall call) {}

    private final Map<SubTask, List<Example>> pools;

    private Demonstrations(Map<SubTask, List<Example>> pools) {
        this.pools = pools;
    }

    public static Demonstrations none() {
        Map<SubTask, List<Example>> empty = new EnumMap<>(SubTask.class);
        for (SubTask t : SubTask.values()) empty.put(t, List.of());
        return new Demonstrations(empty);
    }

    /**
     * @param split        the dialogues to draw from (the training split; the validation split where a dataset has no
     *                     training split, as TG-ReDial here)
     * @param contextTurns turns of context each demonstration shows
     * @param maxWords     words per turn shown
     * @param poolSize     examples kept per sub-task
     */
    public static Demonstrations from(PreparedSplit split, SubTaskLabeler labeler, Environment env, int contextTurns, int maxWords, int poolSize) {
        Map<SubTask, List<Example>> pools = new EnumMap<>(SubTask.class);
        for (SubTask t : SubTask.values()) pools.put(t, new ArrayList<>());
        for (PreparedDialogue d : split.dialogues()) {
            for (int t = 1; t < d.turns().size(); t++) {
                if (d.turns().get(t).role() != Role.RECOMMENDER) continue;
                var label = labeler.label(d.turns(), t);
                List<Example> pool = pools.get(label.task());
                if (pool.size() >= poolSize) continue;
                Conversation c = new Conversation(d.id(), d.turns().subList(0, t)).last(contextTurns);
                pool.add(new Example(d.id(), ContextText.render(c, contextTurns, maxWords, env), words(c, env), label.call()));
            }
        }
        pools.replaceAll((k, v) -> List.copyOf(v));
        return new Demonstrations(pools);
    }

    public int size(SubTask t) { return pools.get(t).size(); }

    /** The chosen demonstrations for a context, in Table 1's sub-task order. */
    public List<Example> choose(Conversation context, int contextTurns, Environment env) {
        Set<String> w = words(context.last(contextTurns), env);
        List<Example> out = new ArrayList<>();
        for (SubTask t : SubTask.values()) {
            Example best = null;
            double bestScore = -1;
            for (Example e : pools.get(t)) {
                if (context.id() != null && context.id().equals(e.dialogueId())) continue;
                double s = jaccard(w, e.words());
                if (s > bestScore) { best = e; bestScore = s; }
            }
            if (best != null) out.add(best);
        }
        return out;
    }

    /** How the detection prompt's {@code {{demonstrations}}} slot shows them: one case per line, in {@code demonstration.txt}'s form. */
    public static String render(List<Example> examples, PromptTemplate form) {
        StringJoiner j = new StringJoiner("\n");
        int n = 1;
        for (Example e : examples) j.add(form.render(java.util.Map.of(Stage.Slots.CASE_NUMBER, Integer.toString(n++),
                Stage.Slots.DIALOGUE_CONTEXT, e.context().replace("\n", " "), Stage.Slots.SUBTASK, e.call().render())).strip());
        return j.toString();
    }

    static Set<String> words(Conversation c, Environment env) {
        Set<String> out = new HashSet<>();
        for (var t : c.turns()) {
            for (String w : env.text(t).toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
                if (w.isEmpty()) continue;
                // Chinese and Japanese write no spaces: their characters are the words compared
                if (w.codePoints().anyMatch(org.crs4j.data.link.NormalizedText::isIdeograph)) w.codePoints().forEach(cp -> out.add(Character.toString(cp)));
                else out.add(w);
            }
        }
        return out;
    }

    static double jaccard(Set<String> a, Set<String> b) {
        if (a.isEmpty() && b.isEmpty()) return 0;
        int inter = 0;
        Set<String> small = a.size() <= b.size() ? a : b, large = small == a ? b : a;
        for (String s : small) if (large.contains(s)) inter++;
        return inter / (double) (a.size() + b.size() - inter);
    }
}
