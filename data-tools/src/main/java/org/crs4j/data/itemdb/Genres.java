package org.crs4j.data.itemdb;

import java.util.Locale;
import java.util.Map;
import org.crs4j.data.link.EntityNames;

/**
 * One spelling per genre, so that MovieLens's "Sci-Fi", DBpedia's "Science fiction film" and a chat's "sci fi" or
 * "scary movies" meet on the same word in the item database's {@code fact.norm_val} column.
 */
public final class Genres {
    private Genres() {}

    /** Words people use for a genre that name it differently (the key is already lower case, without "film"/"movie"). */
    private static final Map<String, String> SYNONYMS = Map.ofEntries(
            Map.entry("sci-fi", "science fiction"), Map.entry("sci fi", "science fiction"), Map.entry("scifi", "science fiction"),
            Map.entry("science-fiction", "science fiction"), Map.entry("film-noir", "film noir"), Map.entry("noir", "film noir"),
            Map.entry("children", "children"), Map.entry("kids", "children"), Map.entry("family", "children"),
            Map.entry("animated", "animation"), Map.entry("cartoon", "animation"), Map.entry("cartoons", "animation"),
            Map.entry("scary", "horror"), Map.entry("horror", "horror"), Map.entry("funny", "comedy"),
            Map.entry("comedies", "comedy"), Map.entry("comedic", "comedy"), Map.entry("romantic", "romance"),
            Map.entry("rom com", "romance"), Map.entry("romcom", "romance"), Map.entry("rom-com", "romance"),
            Map.entry("romantic comedy", "romance"), Map.entry("dramas", "drama"), Map.entry("dramatic", "drama"),
            Map.entry("thrillers", "thriller"), Map.entry("suspense", "thriller"), Map.entry("documentaries", "documentary"),
            Map.entry("musicals", "musical"), Map.entry("westerns", "western"), Map.entry("war", "war"),
            Map.entry("crime", "crime"), Map.entry("mysteries", "mystery"), Map.entry("superhero", "action"),
            Map.entry("action", "action"), Map.entry("adventures", "adventure"), Map.entry("fantasies", "fantasy"));

    /**
     * The canonical genre word: lower case, "film"/"films"/"movie"/"movies" and DBpedia's disambiguation dropped,
     * synonyms mapped ("Sci-Fi" -> "science fiction", "scary" -> "horror", "Horror film" -> "horror").
     */
    public static String normalize(String genre) {
        String g = EntityNames.displayName(genre).toLowerCase(Locale.ROOT).strip().replace('_', ' ');
        g = g.replaceAll("\\s+(film|films|movie|movies)$", "").replaceAll("\\s+", " ").strip();
        String mapped = SYNONYMS.get(g);
        return mapped != null ? mapped : g;
    }
}
