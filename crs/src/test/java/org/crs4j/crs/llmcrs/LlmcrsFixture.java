package org.crs4j.crs.llmcrs;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.crs4j.data.model.Split;
import org.crs4j.data.prepare.PreparedDialogue;
import org.crs4j.data.prepare.Progress;

/**
 * A tiny INSPIRED-form dataset written to a temporary folder: five films, three people and a genre in a named DBpedia
 * graph, MovieLens genres and rating counts, and short dialogues in each split. Small enough that preparing it and
 * building its item database take milliseconds.
 */
public final class LlmcrsFixture {
    public static final String P = "<http://dbpedia.org/resource/Pirates_of_the_Caribbean>", E = "<http://dbpedia.org/resource/Ed_Wood_(film)>",
            S = "<http://dbpedia.org/resource/Sleepy_Hollow_(film)>", N = "<http://dbpedia.org/resource/The_Notebook>",
            A = "<http://dbpedia.org/resource/Alien_(film)>", JD = "<http://dbpedia.org/resource/Johnny_Depp>",
            TB = "<http://dbpedia.org/resource/Tim_Burton>", RG = "<http://dbpedia.org/resource/Ryan_Gosling>",
            H = "<http://dbpedia.org/resource/Horror_film>";

    private LlmcrsFixture() {}

    /** Writes the dataset under {@code data} and returns the prepared environment (item database built in {@code cache}). */
    public static Environment environment(Path data, Path cache) {
        write(data);
        return LlmcrsSetup.environment(data, "inspired", null, cache, Progress.NONE);
    }

    public static void write(Path data) {
        String train = lines(
                dialogue(turn("SEEKER", "I love movies with Johnny Depp, like Pirates of the Caribbean", List.of(JD), P, "Pirates of the Caribbean (2003)"),
                        turn("RECOMMENDER", "You should watch Ed Wood", List.of(), E, "Ed Wood (1994)"),
                        turn("SEEKER", "Who directed it?", List.of(), null, null),
                        turn("RECOMMENDER", "Tim Burton directed it, and Johnny Depp stars because it is his best", List.of(TB, JD), null, null),
                        turn("SEEKER", "I don't like horror movies", List.of(H), null, null),
                        turn("RECOMMENDER", "What kind of movies do you like?", List.of(), null, null)),
                dialogue(turn("SEEKER", "Any romance for tonight?", List.of(), null, null),
                        turn("RECOMMENDER", "Try The Notebook", List.of(), N, "The Notebook (2004)"),
                        turn("SEEKER", "Sounds good, thanks", List.of(), null, null),
                        turn("RECOMMENDER", "Try The Notebook, I loved it", List.of(), N, "The Notebook (2004)")));
        String valid = lines(dialogue(turn("SEEKER", "I want something scary", List.of(), null, null),
                turn("RECOMMENDER", "Alien is a classic", List.of(), A, "Alien (1979)")));
        String test = lines(dialogue(turn("SEEKER", "I liked Pirates of the Caribbean, but I hate horror", List.of(H), P, "Pirates of the Caribbean (2003)"),
                turn("RECOMMENDER", "Have you seen Ed Wood?", List.of(), E, "Ed Wood (1994)"),
                turn("SEEKER", "Yes. Who is in Sleepy Hollow?", List.of(), S, "Sleepy Hollow (1999)"),
                turn("RECOMMENDER", "Johnny Depp stars in Sleepy Hollow.", List.of(JD), S, "Sleepy Hollow (1999)")));
        file(data, "inspired/unicrs/train_data_dbpedia.jsonl.gz", train);
        file(data, "inspired/unicrs/valid_data_dbpedia.jsonl.gz", valid);
        file(data, "inspired/unicrs/test_data_dbpedia.jsonl.gz", test);
        List<String> entities = List.of(P, E, S, N, A, JD, TB, RG, H);
        StringBuilder e2id = new StringBuilder("{");
        for (int i = 0; i < entities.size(); i++) e2id.append(i == 0 ? "" : ",").append(q(entities.get(i))).append(':').append(i);
        file(data, "inspired/unicrs/entity2id.json.gz", e2id.append('}').toString());
        file(data, "inspired/unicrs/relation2id.json", "{\"<http://dbpedia.org/ontology/starring>\":0,\"<http://dbpedia.org/ontology/director>\":1,"
                + "\"<http://dbpedia.org/ontology/genre>\":2,\"self_loop\":3}");
        // P stars JD; E stars JD, directed by TB; S stars JD, directed by TB, horror; N stars RG; A horror
        file(data, "inspired/unicrs/dbpedia_subkg.json.gz", "{\"0\":[[0,5]],\"1\":[[0,5],[1,6]],\"2\":[[0,5],[1,6],[2,8]],\"3\":[[0,7]],\"4\":[[2,8]]}");
        file(data, "movielens/ml-latest-small/movies.csv", lines("movieId,title,genres", "1,Pirates of the Caribbean (2003),Action|Adventure",
                "2,Ed Wood (1994),Comedy|Drama", "3,Sleepy Hollow (1999),Fantasy|Horror|Mystery", "4,\"Notebook, The (2004)\",Drama|Romance",
                "5,Alien (1979),Horror|Sci-Fi"));
        StringBuilder ratings = new StringBuilder("userId,movieId,rating,timestamp\n");
        int[] counts = {3, 1, 2, 4, 5};
        for (int m = 0; m < counts.length; m++) for (int u = 0; u < counts[m]; u++) ratings.append(u + 1).append(',').append(m + 1).append(",4.0,1\n");
        file(data, "movielens/ml-latest-small/ratings.csv", ratings.toString());
    }

    /** A split's dialogue by position. */
    public static PreparedDialogue dialogue(Environment env, Split s, int index) {
        return env.data().split(s).dialogues().get(index);
    }

    /** The catalogue index of the film with this entity key. */
    public static int item(Environment env, String entityKey) {
        int i = env.data().items().indexOf(entityKey);
        if (i < 0) throw new IllegalArgumentException("no item " + entityKey);
        return i;
    }

    private static String turn(String role, String text, List<String> entities, String movie, String title) {
        StringBuilder sb = new StringBuilder("{\"text\":" + q(text) + ",\"role\":\"" + role + "\",\"entity_link\":[");
        for (int i = 0; i < entities.size(); i++) sb.append(i == 0 ? "" : ",").append(q(entities.get(i)));
        sb.append("],\"entity_name\":[],");
        if (movie == null) sb.append("\"movie\":[],\"movie_link\":[],\"movie_name\":[]}");
        else {
            String name = title.replaceAll(" \\(\\d{4}\\)$", "");
            sb.append("\"movie\":[" + q(title) + "],\"movie_link\":[" + q(movie) + "],\"movie_name\":[" + q(name) + "]}");
        }
        return sb.toString();
    }

    private static String dialogue(String... turns) { return "[" + String.join(",", turns) + "]"; }

    private static String q(String s) { return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\""; }

    private static String lines(String... lines) { return String.join("\n", lines) + "\n"; }

    private static void file(Path dir, String relative, String content) {
        try {
            Path p = dir.resolve(relative);
            Files.createDirectories(p.getParent());
            if (relative.endsWith(".gz")) {
                try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) { out.write(content.getBytes(StandardCharsets.UTF_8)); }
            } else Files.writeString(p, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
