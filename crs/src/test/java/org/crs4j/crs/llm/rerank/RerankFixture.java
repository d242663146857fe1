package org.crs4j.crs.llm.rerank;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A miniature ReDial in the shared layout for {@code crs4j eval crs} tests: ten movies with tricky titles, popularity
 * fixed by the training conversations (Inception 4, Heat 3, The Conjuring 2, Toy Story 1, the rest 0), and three
 * test conversations giving six recommendation samples; plus a scripted "LLM" that answers the re-ranking prompt
 * in the formats real models use.
 *
 * <p>With 5 candidates, the popularity list is [Inception, Heat, The Conjuring, Toy Story, Alien] for every sample.
 */
public final class RerankFixture {
    private RerankFixture() {}

    static final String[] TITLES = {"Heat (1995)", "Alien (1979)", "The Conjuring (2013)", "The Conjuring 2 (2016)", "Halloween (1978)",
            "Halloween (2018)", "Inception (2010)", "Toy Story (1995)", "Sweeney Todd: The Demon Barber of Fleet Street (2007)", "Edward Scissorhands (1990)"};
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String uri(int movie) {
        return "<http://dbpedia.org/resource/Movie_" + movie + ">";
    }

    private static String conversation(String id, String... turns) throws IOException {
        ObjectNode c = JSON.createObjectNode();
        c.put("conversationId", id);
        c.put("initiatorWorkerId", 1);
        c.put("respondentWorkerId", 2);
        c.putObject("movieMentions");
        ArrayNode messages = c.putArray("messages");
        for (String t : turns) messages.addObject().put("senderWorkerId", t.startsWith("S:") ? 1 : 2).put("text", t.substring(2));
        return JSON.writeValueAsString(c);
    }

    /** Writes the dataset under {@code dataDir/redial} (and a MovieLens stub) and returns {@code dataDir}. */
    public static Path write(Path dataDir) throws IOException {
        Path r = dataDir.resolve("redial");
        Files.createDirectories(r.resolve("raw"));
        Files.createDirectories(r.resolve("kgsf"));
        Files.createDirectories(r.resolve("train_subsets_union"));
        StringBuilder movies = new StringBuilder("movieId,movieName,nbMentions\n");
        for (int i = 0; i < TITLES.length; i++) movies.append(i + 1).append(",\"").append(TITLES[i]).append("\",1\n");
        Files.writeString(r.resolve("raw/movies_with_mentions.csv"), movies);
        ObjectNode entities = JSON.createObjectNode(), links = JSON.createObjectNode(), kg = JSON.createObjectNode();
        for (int i = 0; i < TITLES.length; i++) {
            entities.put(uri(i + 1), i);
            links.put(String.valueOf(i + 1), uri(i + 1));
        }
        entities.put("<http://dbpedia.org/resource/Johnny_Depp>", 10);
        kg.putArray("8").addArray().add(0).add(10);
        kg.putArray("9").addArray().add(0).add(10);
        Files.writeString(r.resolve("kgsf/entity2entityId.json"), JSON.writeValueAsString(entities));
        Files.writeString(r.resolve("kgsf/id2entity.json"), JSON.writeValueAsString(links));
        Files.writeString(r.resolve("kgsf/subkg.json"), JSON.writeValueAsString(kg));
        Files.writeString(r.resolve("kgsf/movie_ids.json"), "[0,1,2,3,4,5,6,7,8,9]");
        List<String> train = new ArrayList<>();
        int n = 0;
        for (int[] movieTimes : new int[][] {{7, 4}, {1, 3}, {3, 2}, {8, 1}})
            for (int k = 0; k < movieTimes[1]; k++) train.add(conversation("t" + n++, "S:hello", "R:I recommend @" + movieTimes[0]));
        Files.writeString(r.resolve("train_subsets_union/train_side_union.jsonl"), String.join("\n", train) + "\n");
        Files.writeString(r.resolve("kgsf/valid_data.jsonl"), conversation("v0", "S:hi", "R:@2 is good") + "\n");
        Files.writeString(r.resolve("raw/test_data.jsonl"), String.join("\n",
                conversation("20001", "S:I loved @3 and scary movies", "R:You might like @4", "S:thanks", "R:or @5 and @7"),
                conversation("20002", "S:I like Johnny Depp", "R:Have you seen @9?", "S:yes, what else", "R:@10 then"),
                conversation("20003", "S:something funny please", "R:@8 is a comedy classic")) + "\n");
        Path ml = dataDir.resolve("movielens/ml-latest-small");
        Files.createDirectories(ml);
        Files.writeString(ml.resolve("movies.csv"), "movieId,title,genres\n1,Heat (1995),Action|Crime\n");
        return dataDir;
    }

    private static final Pattern CANDIDATE = Pattern.compile("(?m)^- (.+)$");

    /** The scripted answers: JSON for horror fans, Markdown sections for Depp fans, chat without a list otherwise. */
    public static String answer(String prompt) {
        List<String> candidates = new ArrayList<>();
        Matcher m = CANDIDATE.matcher(prompt);
        while (m.find()) candidates.add(m.group(1));
        if (prompt.contains("scary movies")) {
            return "Here you go:\n```json\n{\"explanation\": \"The user loved The Conjuring, a horror film; its sequel follows from that.\", "
                    + "\"ranking\": [\"The Conjuring 2 (2016)\", \"The Conjuring (2013)\", \"Inception (2010)\"], "
                    + "\"response\": \"Since you loved The Conjuring, try its sequel!\"}\n```";
        }
        if (prompt.contains("Johnny Depp")) {
            return "**Explanation:** The user likes Johnny Depp, so films starring him follow.\n\n**Ranking:**\n1. **Heat (1995)**\n"
                    + "2. Edward Scissorhands (1990) - a Tim Burton film starring Johnny Depp\n3. Made Up Movie (2020)\n4. Heat\n\n"
                    + "**Response:** You might enjoy " + candidates.get(1) + ".";
        }
        return "Toy Story is a classic, you will love it!";
    }
}
