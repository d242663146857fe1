package org.crs4j.data.movielens;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.crs4j.data.model.Item;

/**
 * Attaches MovieLens facts (movielensId, genres, ratings, meanRating, imdbId) to another catalogue's items whose
 * normalized name and year match a MovieLens title exactly. Items without a year are not matched: a bare name such as
 * "Halloween" names several films.
 */
public final class MovieLensLinks {
    private MovieLensLinks() {}

    /** The items, each with MovieLens attributes added where a match was found; also how many matched. */
    public record Result(List<Item> items, int matched) {}

    public static Result attach(List<Item> items, List<Item> movieLens) {
        Map<String, Item> byKey = new HashMap<>();
        for (Item m : movieLens) {
            for (String name : MovieTitles.names(m.attributes().getOrDefault("listedAs", m.name())))
                byKey.putIfAbsent(MovieTitles.key(name, m.year()), m);
        }
        List<Item> out = new ArrayList<>(items.size());
        int matched = 0;
        for (Item it : items) {
            Item m = it.year() > 0 ? byKey.get(MovieTitles.key(MovieTitles.primaryName(it.name()), it.year())) : null;
            if (m == null) { out.add(it); continue; }
            matched++;
            Item linked = it.withAttribute("movielensId", m.key());
            for (String a : new String[] {"genres", "ratings", "meanRating", "imdbId"}) {
                String v = m.attributes().get(a);
                if (v != null && !it.attributes().containsKey(a)) linked = linked.withAttribute(a, v);
            }
            out.add(linked);
        }
        return new Result(out, matched);
    }
}
