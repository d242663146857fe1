package org.crs4j.crs.llmcrs.experts;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.crs4j.crs.llmcrs.Environment;
import org.crs4j.crs.llmcrs.ItemNames;
import org.crs4j.crs.llmcrs.SubTask;
import org.crs4j.data.itemdb.ItemFact;

/**
 * Explanation: why an item suits the user, as knowledge-graph paths from the item to what the dialogue mentioned,
 * over the item database's facts (DBpedia relations with names, MovieLens genres):
 * <ol>
 *   <li>one hop — the item's fact names an entity of the dialogue: "it stars Johnny Depp, whom you mentioned";
 *   <li>two hops — the item shares a fact with a movie of the dialogue: "like Ed Wood (1994), which you mentioned, it
 *   is directed by Tim Burton" (most recent movie first);
 *   <li>a genre the seeker likes that is one of the item's genres: "it is a horror film, which you like".
 * </ol>
 * What the seeker dislikes (as {@link PreferenceExpert} reads the dialogue) is never a reason. At most
 * {@link #MAX_REASONS} reasons, each fact once. The item is the call's {@code item name}, else the most recently
 * mentioned item.
 */
public final class ExplanationExpert implements Expert {
    public static final int MAX_REASONS = 3;
    private final Environment env;
    private final PreferenceExpert preferences;

    public ExplanationExpert(Environment env) {
        this.env = env;
        this.preferences = new PreferenceExpert(env);
    }

    @Override
    public ExpertOutput execute(ExpertRequest request) {
        if (env.db() == null) throw new ExpertException("kg-explanation: no item database");
        List<String> notes = new ArrayList<>();
        String name = request.call().argument(SubTask.Args.ITEM_NAME);
        int item = ItemNames.resolve(name, env);
        if (item < 0) {
            if (name != null) notes.add("no item named \"" + name + "\": explaining the last item of the dialogue");
            item = request.context().lastItem();
        }
        if (item < 0) return new ExpertOutput("There is no movie to explain yet.", new int[0], notes);
        int itemEntity = env.data().itemEntity()[item];
        Set<Integer> disliked = new HashSet<>();
        Set<String> dislikedKeys = new HashSet<>(), likedGenres = new HashSet<>(), dislikedGenres = new HashSet<>();
        for (var p : preferences.preferences(request.context())) {
            if (p.kind().equals("genres")) (p.liked() ? likedGenres : dislikedGenres).add(p.name());
            else if (!p.liked()) {
                disliked.add(p.entity());
                dislikedKeys.add(env.data().graph().entityKeys().get(p.entity()));
            }
        }
        java.util.function.Predicate<ItemFact> dislikedFact = f -> (f.valueKey() != null && dislikedKeys.contains(f.valueKey()))
                || (f.relation().equals("genre") && dislikedGenres.contains(f.value()));
        Set<String> mentionedKeys = new HashSet<>();
        for (int e : request.context().entities()) if (e != itemEntity && !disliked.contains(e)) mentionedKeys.add(env.data().graph().entityKeys().get(e));
        List<String> reasons = new ArrayList<>();
        Set<String> used = new LinkedHashSet<>();
        for (ItemFact f : env.db().factsNaming(item, mentionedKeys)) {
            if (reasons.size() == MAX_REASONS) break;
            if (dislikedFact.test(f)) continue;
            if (used.add(f.relation() + "=" + f.value()))
                reasons.add("it " + FactPhrases.phrase(f) + (FactPhrases.PEOPLE.contains(f.relation()) ? ", whom you mentioned" : ", which you mentioned"));
        }
        int[] mentioned = request.context().items();
        for (int k = mentioned.length - 1; k >= 0 && reasons.size() < MAX_REASONS; k--) {
            int other = mentioned[k];
            if (other == item || disliked.contains(env.data().itemEntity()[other])) continue;
            for (ItemFact f : env.db().sharedFacts(item, other)) {
                if (reasons.size() == MAX_REASONS) break;
                if (dislikedFact.test(f)) continue;
                if (f.relation().equals("genre") && reasons.stream().anyMatch(r -> r.contains(" film"))) continue;
                if (used.add(f.relation() + "=" + f.value()))
                    reasons.add("like " + env.title(other) + ", which you mentioned, it " + FactPhrases.phrase(f));
            }
        }
        for (ItemFact f : env.db().facts(item)) {
            if (reasons.size() == MAX_REASONS) break;
            if (f.relation().equals("genre") && likedGenres.contains(f.value()) && used.add("genre=" + f.value()))
                reasons.add("it is a " + f.value() + " film, which you like");
        }
        String title = env.title(item);
        if (reasons.isEmpty()) {
            List<String> genres = env.db().facts(item).stream().filter(f -> f.relation().equals("genre")).map(ItemFact::value).distinct().toList();
            return new ExpertOutput(title + ": no knowledge-graph path to what was mentioned was found"
                    + (genres.isEmpty() ? "." : "; it is a " + String.join(", ", genres) + " film."), new int[] {item}, notes);
        }
        return new ExpertOutput("Why " + title + ": " + String.join("; ", reasons) + ".", new int[] {item}, notes);
    }
}
