package org.crs4j.crs.llmcrs;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.crs4j.data.itemdb.Genres;
import org.crs4j.data.itemdb.ItemDatabase;

/**
 * Genre words in chat text ("dramas", "sci-fi", "scary movies", "film noir"), as the item database's genre values
 * spell them ({@link Genres#normalize}). The knowledge graphs rarely hold a genre entity for every word people use,
 * so the labeler's {@code category} and the preference expert read genres from this lexicon as well as from linked
 * entities.
 */
public final class GenreWords {
    /** Words that spell a genre value but are common words far more often than genres in chat ("my family"). */
    private static final Set<String> NOT_GENRES = Set.of("film", "films", "movie", "movies", "short", "family", "kids", "sport",
            "music", "series", "television", "good", "funny", "crime", "war", "imax");

    private final Set<String> vocabulary;

    public GenreWords(Set<String> vocabulary) {
        this.vocabulary = Set.copyOf(vocabulary);
    }

    /** The genre values of the item database (none without one). */
    public static GenreWords of(ItemDatabase db) {
        return new GenreWords(db == null ? Set.of() : new HashSet<>(db.values("genre")));
    }

    /** Canonical genres in the text, in order, each once ("crime" only as "crime movies/films/dramas"). */
    public List<String> find(String text) {
        List<String> out = new ArrayList<>();
        if (vocabulary.isEmpty()) return out;
        String[] w = text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\-]+");
        for (int i = 0; i < w.length; i++) {
            if (w[i].isEmpty()) continue;
            if (i + 1 < w.length) {
                String two = Genres.normalize(w[i] + " " + w[i + 1]);
                if (two.contains(" ") && vocabulary.contains(two)) {
                    if (!out.contains(two)) out.add(two);
                    i++;
                    continue;
                }
            }
            String one = Genres.normalize(w[i]);
            boolean guarded = NOT_GENRES.contains(w[i]) || NOT_GENRES.contains(one);
            // guarded words count when a genre noun follows ("crime movies", "war films")
            if (guarded && !(i + 1 < w.length && w[i + 1].matches("movies?|films?|dramas?|thrillers?|stuff"))) continue;
            if (one.length() >= 3 && vocabulary.contains(one) && !out.contains(one)) out.add(one);
        }
        return out;
    }

    public boolean isGenre(String canonical) { return vocabulary.contains(canonical); }
}
