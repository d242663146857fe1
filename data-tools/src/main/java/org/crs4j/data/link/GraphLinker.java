package org.crs4j.data.link;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.crs4j.data.kg.RelationalGraph;
import org.crs4j.data.model.ItemCatalogue;

/**
 * Builds the {@link EntityLinker} for a prepared graph: item entities under their catalogue names (as titles: Chinese
 * ones only inside 《》), other entities under
 * the names their keys spell ({@link EntityNames}). Items win name clashes, then better-connected entities (more
 * edges). DBpedia genre entities ("Horror film", "Science fiction") also answer to their bare genre word ("horror"),
 * in any case, since that is how people name genres in chat (only for "&lt;genre word&gt; film" names from a fixed list
 * of genre words: "Family film" must not make every "family" an entity).
 */
public final class GraphLinker {
    private static final Pattern GENRE = Pattern.compile("^(\\p{L}{4,}) (film|films)$", Pattern.CASE_INSENSITIVE);
    /** Genre words people use bare in chat ("any horror?"); "Family film" or "Short film" would make "family" an entity. */
    private static final java.util.Set<String> GENRE_WORDS = java.util.Set.of("action", "adventure", "animated", "comedy",
            "crime", "documentary", "drama", "fantasy", "horror", "musical", "mystery", "romance", "thriller", "western",
            "superhero", "slasher", "zombie", "disaster", "spy", "heist", "noir", "biographical", "monster", "mockumentary",
            "parody", "satire", "psychological", "erotic", "gangster", "vampire", "christmas");
    private static final int ITEM_PRIORITY = 1 << 24;

    private GraphLinker() {}

    public static EntityLinker build(RelationalGraph graph, ItemCatalogue items, int[] itemEntity) {
        return build(graph, items, itemEntity, true);
    }

    /**
     * @param includeItems false where the text marks item mentions itself (ReDial's {@code @id}): then item names are
     *                     left out, so that "scary movies" is not taken for the film "Scary Movie"
     */
    public static EntityLinker build(RelationalGraph graph, ItemCatalogue items, int[] itemEntity, boolean includeItems) {
        int n = graph.entityCount();
        int[] degree = new int[n];
        for (int d : graph.destinations()) degree[d]++;
        boolean[] isItem = new boolean[n];
        for (int e : itemEntity) if (e >= 0) isItem[e] = true;
        EntityLinker.Builder b = EntityLinker.builder();
        for (int i = 0; i < items.size(); i++) {
            int e = itemEntity[i];
            if (e >= 0 && includeItems) b.addTitle(items.get(i).name(), e, ITEM_PRIORITY + degree[e]);
        }
        for (int e = 0; e < n; e++) {
            if (isItem[e]) continue;
            String name = EntityNames.displayName(graph.entityKeys().get(e));
            b.add(name, e, degree[e], false);
            Matcher g = GENRE.matcher(name);
            if (g.matches() && GENRE_WORDS.contains(g.group(1).toLowerCase(java.util.Locale.ROOT)))
                b.add(g.group(1), e, degree[e] - ITEM_PRIORITY, true);
        }
        return b.build();
    }
}
