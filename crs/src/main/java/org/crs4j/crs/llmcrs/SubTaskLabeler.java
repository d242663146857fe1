package org.crs4j.crs.llmcrs;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.crs4j.crs.llmcrs.experts.ItemDetailExpert;
import org.crs4j.data.model.Role;
import org.crs4j.data.prepare.PreparedTurn;

/**
 * The sub-task of a real recommender turn, with its arguments in schema form: what demonstrations show, what a
 * controller is trained to detect, and what RLPF's episodes start from. Defined once, here.
 *
 * <p><b>From annotations</b> (TG-ReDial's goal path, carried as the turn's acts): a turn whose actions include
 * 推荐电影 (recommend a movie) is Recommendation; one with 谈论 (talk about a topic) or 请求推荐 (ask about the wanted
 * recommendation) and no 推荐电影 is User Preference Elicitation. TG-ReDial annotates no explanation or detail turns.
 *
 * <p><b>By rules</b> (everywhere else, and to measure the rules against the annotations), first match wins:
 * <ol>
 *   <li><b>new item</b>: the turn names an item not mentioned before in the dialogue — Recommendation;
 *   <li><b>detail question</b>: the seeker's turn just before is a question (a question mark, 吗/呢, or a clause
 *   opening with a question word) with an attribute cue (who directed, who is in it, what year, what is it about,
 *   ...) about a movie — one it names, or one it points back at (it, that one, the movie, 这部) — and an item has been
 *   mentioned: Item Detail Search of the last mentioned item and that attribute;
 *   <li><b>explanation</b>: the recommender has recommended an item earlier (named it first in the dialogue) and this
 *   turn names it again or gives reasons (because, it stars, directed by, it's about, 因为, 讲述, 主演 ...) —
 *   Explanation of that item (a seeker's own movie talked about again is not explained: that is elicitation);
 *   <li>otherwise — User Preference Elicitation (a question that names no new item asks for preferences; statements
 *   without items are counted here too, since Table 1 has no chit-chat sub-task).
 * </ol>
 * The {@code category} argument is the first genre word (of the item database's genre vocabulary, spelled as
 * {@link Genres} normalizes) in the turn itself or, failing that, in the last two seeker turns.
 */
public final class SubTaskLabeler {
    public static final String RECOMMEND = "推荐电影";
    private static final Set<String> ELICIT = Set.of("谈论", "请求推荐");
    /** A question mark, a Chinese question particle at a clause end, or a clause opening with a question word. */
    private static final Pattern QUESTION = Pattern.compile("[?？]|[吗呢][。！!.]?\\s*$|(?:^|[.!;,]\\s*)(?:who|what|when|which|how|where|why|is it|was it|does it|did it|do you|have you)\\b",
            Pattern.CASE_INSENSITIVE);
    /** Words that point back at a movie already named ("who is in it?", "when did that one come out?"). */
    private static final Pattern REFERS = Pattern.compile("(?i)\\b(?:it|that|this|that one|this one|the movie|the film|them|they)\\b|它|这部|那部");
    private static final Pattern REASON = Pattern.compile("(?i)\\b(?:because|since|it stars|starring|stars|directed by|it'?s about|is about|"
            + "the story|the plot|it has|similar to|based on|you'?ll like|you would like)\\b|因为|讲述|讲的是|主演|导演|类似");

    public enum Source { ANNOTATION, RULE }

    /**
     * @param rule which rule decided (annotation, new item, detail question, explanation, elicitation)
     */
    public record Label(SubTaskCall call, Source source, String rule) {
        public SubTask task() { return call.task(); }
    }

    private final Environment env;
    private final GenreWords genres;

    public SubTaskLabeler(Environment env) {
        this.env = env;
        this.genres = GenreWords.of(env.db());
    }

    /** The sub-task TG-ReDial's annotation gives a turn, if it gives one. */
    public static Optional<SubTask> fromAnnotation(List<String> acts) {
        if (acts.contains(RECOMMEND)) return Optional.of(SubTask.RECOMMENDATION);
        for (String a : acts) if (ELICIT.contains(a)) return Optional.of(SubTask.PREFERENCE_ELICITATION);
        return Optional.empty();
    }

    /** The label of {@code turns.get(turn)}: from its annotation when it has one, else by the rules. */
    public Label label(List<PreparedTurn> turns, int turn) {
        Label rules = byRules(turns, turn);
        Optional<SubTask> annotated = fromAnnotation(turns.get(turn).acts());
        if (annotated.isEmpty()) return rules;
        if (annotated.get() == rules.task()) return new Label(rules.call(), Source.ANNOTATION, "annotation");
        return new Label(withArguments(annotated.get(), turns, turn), Source.ANNOTATION, "annotation");
    }

    /** The rules alone, whatever the annotation says. */
    public Label byRules(List<PreparedTurn> turns, int turn) {
        PreparedTurn t = turns.get(turn);
        Set<Integer> before = new HashSet<>();
        int lastItem = -1, lastRecommended = -1;
        for (int k = 0; k < turn; k++) {
            for (int i : turns.get(k).items()) {
                if (before.add(i) && turns.get(k).role() == Role.RECOMMENDER) lastRecommended = i;
                lastItem = i;
            }
        }
        for (int i : t.items()) if (!before.contains(i)) return new Label(withArguments(SubTask.RECOMMENDATION, turns, turn), Source.RULE, "new item");
        PreparedTurn previous = turn > 0 ? turns.get(turn - 1) : null;
        if (previous != null && previous.role() == Role.SEEKER && lastItem >= 0) {
            String q = env.text(previous);
            String attr = ItemDetailExpert.attribute(q);
            boolean aboutAnItem = previous.items().length > 0 || REFERS.matcher(q).find();
            if (attr != null && aboutAnItem && QUESTION.matcher(q).find())
                return new Label(new SubTaskCall(SubTask.ITEM_DETAIL_SEARCH, Map.of(SubTask.Args.ITEM_NAME, env.title(lastItem),
                        SubTask.Args.ITEM_ATTRIBUTE, attr)), Source.RULE, "detail question");
        }
        if (lastRecommended >= 0) {
            boolean namesIt = false;
            for (int i : t.items()) namesIt |= i == lastRecommended;
            if (namesIt || REASON.matcher(env.text(t)).find())
                return new Label(SubTaskCall.of(SubTask.EXPLANATION, SubTask.Args.ITEM_NAME, env.title(lastRecommended)), Source.RULE, "explanation");
        }
        return new Label(withArguments(SubTask.PREFERENCE_ELICITATION, turns, turn), Source.RULE, "elicitation");
    }

    private SubTaskCall withArguments(SubTask task, List<PreparedTurn> turns, int turn) {
        if (task != SubTask.RECOMMENDATION && task != SubTask.PREFERENCE_ELICITATION) {
            int item = new Conversation(turns.subList(0, turn + 1)).lastItem();
            return SubTaskCall.of(task, SubTask.Args.ITEM_NAME, item < 0 ? null : env.title(item));
        }
        String g = genre(env.text(turns.get(turn)));
        int seekers = 0;
        for (int k = turn - 1; k >= 0 && g == null && seekers < 2; k--) {
            if (turns.get(k).role() != Role.SEEKER) continue;
            seekers++;
            g = genre(env.text(turns.get(k)));
        }
        return SubTaskCall.of(task, SubTask.Args.CATEGORY, g);
    }

    /** The first genre in the text, canonical, or null. */
    String genre(String text) {
        List<String> found = genres.find(text);
        return found.isEmpty() ? null : found.getFirst();
    }

    /** Whether the turn reads as a question (used by the agreement report). */
    public static boolean isQuestion(String text) { return QUESTION.matcher(text).find(); }
}
