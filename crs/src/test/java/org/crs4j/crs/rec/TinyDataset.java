package org.crs4j.crs.rec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.crs4j.data.prepare.PreparedDataset;
import org.crs4j.data.prepare.Progress;

/**
 * A generated dataset in INSPIRED's UniCRS format with a planted preference, small enough to train on in seconds:
 * {@value #GENRES} genres, each with {@value #PER_GENRE} films linked to it in the knowledge graph (relation
 * {@code genre}). In every dialogue the seeker names a genre (its entity annotated) and the recommender then suggests
 * the genre's first film: the target is a function of the context, so a model that learns it reaches Recall@1 = 1.
 * Some dialogues first name another film of the genre (two context entities, with the same answer).
 */
public final class TinyDataset {
    public static final int GENRES = 8, PER_GENRE = 3;

    private TinyDataset() {}

    public static String genre(int g) {
        return "<http://example.org/genre_" + g + ">";
    }

    public static String film(int g, int k) {
        return "<http://example.org/film_" + g + "_" + k + ">";
    }

    /** Writes {@code dataDir/inspired/unicrs/*}: dialogues per split as given, the graph, the ids. */
    public static Path write(Path dataDir, int train, int valid, int test) {
        Path root = dataDir.resolve("inspired/unicrs");
        try {
            Files.createDirectories(root);
            List<String> entities = new ArrayList<>();
            for (int g = 0; g < GENRES; g++) entities.add(genre(g));
            for (int g = 0; g < GENRES; g++) for (int k = 0; k < PER_GENRE; k++) entities.add(film(g, k));
            StringBuilder ids = new StringBuilder("{");
            for (int i = 0; i < entities.size(); i++) ids.append(i == 0 ? "" : ", ").append('"').append(entities.get(i)).append("\": ").append(i);
            Files.writeString(root.resolve("entity2id.json"), ids.append("}").toString());
            Files.writeString(root.resolve("relation2id.json"), "{\"<http://example.org/genre>\": 0, \"<http://example.org/related>\": 1}");
            StringBuilder kg = new StringBuilder("{");
            for (int g = 0; g < GENRES; g++) {
                for (int k = 0; k < PER_GENRE; k++) {
                    int film = GENRES + g * PER_GENRE + k;
                    // each film: its genre, and a "related" link to a film of the next genre (structure that is not the answer)
                    int other = GENRES + ((g + 1) % GENRES) * PER_GENRE + (k + 1) % PER_GENRE;
                    kg.append(kg.length() == 1 ? "" : ", ").append('"').append(film).append("\": [[0, ").append(g).append("], [1, ")
                            .append(other).append("]]");
                }
            }
            Files.writeString(root.resolve("dbpedia_subkg.json"), kg.append("}").toString());
            SplittableRandom rng = new SplittableRandom(7);
            Files.writeString(root.resolve("train_data_dbpedia.jsonl"), dialogues(train, rng));
            Files.writeString(root.resolve("valid_data_dbpedia.jsonl"), dialogues(valid, rng));
            Files.writeString(root.resolve("test_data_dbpedia.jsonl"), dialogues(test, rng));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dataDir;
    }

    private static String dialogues(int n, SplittableRandom rng) {
        StringBuilder sb = new StringBuilder();
        for (int d = 0; d < n; d++) {
            int g = rng.nextInt(GENRES);
            List<String> turns = new ArrayList<>();
            turns.add(turn("RECOMMENDER", "Hi! What do you like?", List.of(), List.of()));
            if (d % 3 == 0) turns.add(turn("SEEKER", "I saw this one", List.of(), List.of(film(g, 1 + d % (PER_GENRE - 1)))));
            if (d % 3 == 0) turns.add(turn("RECOMMENDER", "And now?", List.of(), List.of()));
            turns.add(turn("SEEKER", "I like genre " + g, List.of(genre(g)), List.of()));
            turns.add(turn("RECOMMENDER", "Try this film", List.of(), List.of(film(g, 0))));
            turns.add(turn("SEEKER", "Thanks", List.of(), List.of()));
            sb.append('[').append(String.join(", ", turns)).append("]\n");
        }
        return sb.toString();
    }

    private static String turn(String role, String text, List<String> entities, List<String> films) {
        String e = String.join(", ", entities.stream().map(x -> '"' + x + '"').toList());
        String f = String.join(", ", films.stream().map(x -> '"' + x + '"').toList());
        String names = String.join(", ", films.stream().map(x -> '"' + x.substring(x.lastIndexOf('/') + 1, x.length() - 1) + '"').toList());
        return "{\"text\": \"" + text + "\", \"role\": \"" + role + "\", \"movie\": [], \"entity_link\": [" + e + "], \"entity_name\": [], "
                + "\"movie_link\": [" + f + "], \"movie_name\": [" + names + "]}";
    }

    /** The prepared form of a dataset written by {@link #write} (cached in {@code cacheDir}). */
    public static PreparedDataset prepared(Path dataDir, Path cacheDir) {
        return new RecData("inspired", null, null).obtain(dataDir, cacheDir, Progress.NONE);
    }

    /** Small and fast settings for tests: dim 16, no warm-up, a higher learning rate. */
    public static RecSettings settings(String variant, int epochs) {
        RecSettings d = RecSettings.forVariant(variant);
        return new RecSettings(variant, 16, d.bases() > 0 ? 2 : 0, d.relu(), d.pooling(), d.outputBias(), d.lambda(), d.maxContext(), d.causal(),
                d.intervention(), d.alpha(), d.beta(), 0.05, 8, 2, 0, epochs, epochs, 3);
    }
}
