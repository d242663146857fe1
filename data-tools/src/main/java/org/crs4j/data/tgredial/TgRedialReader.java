package org.crs4j.data.tgredial;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.crs4j.data.io.Csv;
import org.crs4j.data.io.DataFile;
import org.crs4j.data.io.Json;
import org.crs4j.data.io.ReadReport;
import org.crs4j.data.model.Dialogue;
import org.crs4j.data.model.Item;
import org.crs4j.data.model.Role;
import org.crs4j.data.model.Titles;
import org.crs4j.data.model.Turn;

/**
 * TG-ReDial's original release (Zhou et al. 2020), as staged from its pickles: {@code {valid,test}_data.json}, a JSON
 * array of {@code {conv_id, user_id, messages: [{local_id, role, content}], goal_path: {local_id: [role, action,
 * topic, ...]}, mentionMovies: {local_id: [db_id, "title(year)"]}}}; and {@code movies_with_mentions.csv}
 * ({@code global_id,movieName,db_id,db_id}). A turn's items are the movies of {@code mentionMovies} at its local id;
 * its annotated entities are the topics of its goal-path entry (topic slots may be a string, a list or null), its acts
 * the entry's actions.
 */
public final class TgRedialReader {
    /** TG-ReDial's topic entities are keyed by their text; movies by this prefix and their Douban id. */
    public static final String MOVIE_PREFIX = "movie:";
    private static final String RECOMMEND_MOVIE = "推荐电影";

    private TgRedialReader() {}

    public static List<Dialogue> read(DataFile file, ReadReport report) {
        List<Dialogue> out = new ArrayList<>();
        Json.forEachArrayElement(file, report, (conv, at) -> out.add(dialogue(conv, at)));
        report.requireRecords(file, out.size(), "conversations");
        return out;
    }

    static Dialogue dialogue(JsonNode conv, Json.At at) {
        String id = Json.idText(conv, "conv_id", at, "");
        JsonNode messages = Json.array(conv, "messages", at, "");
        JsonNode goals = conv.has("goal_path") ? Json.object(conv, "goal_path", at, "") : Json.MAPPER.createObjectNode();
        JsonNode mentions = conv.has("mentionMovies") ? Json.object(conv, "mentionMovies", at, "") : Json.MAPPER.createObjectNode();
        List<Turn> turns = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            String path = "messages[" + i + "]";
            JsonNode m = messages.get(i);
            int local = Json.integer(m, "local_id", at, path);
            Role role;
            try {
                role = Role.parse(Json.text(m, "role", at, path));
            } catch (IllegalArgumentException e) {
                throw at.error(path + ".role", e.getMessage());
            }
            String text = Json.text(m, "content", at, path);
            String key = Integer.toString(local);
            List<String> items = List.of();
            JsonNode mention = mentions.get(key);
            if (mention != null) {
                if (!mention.isArray() || mention.size() < 1 || !mention.get(0).isTextual())
                    throw at.error("mentionMovies." + key, "expected [db_id, \"title(year)\"], got " + mention);
                items = List.of(mention.get(0).textValue());
            }
            JsonNode goal = goals.get(key);
            turns.add(new Turn(role, text, items, topics(goal, at, "goal_path." + key), actions(goal)));
        }
        return at.dialogue(id, turns, "messages");
    }

    /** The goal path's actions (谈论, 请求推荐, 推荐电影, 反馈, ...), the odd slots after the role; already checked by {@link #topics}. */
    private static List<String> actions(JsonNode goal) {
        if (goal == null || !goal.isArray()) return List.of();
        List<String> out = new ArrayList<>();
        for (int k = 1; k < goal.size(); k += 2) if (goal.get(k).isTextual()) out.add(goal.get(k).textValue());
        return out;
    }

    private static List<String> topics(JsonNode goal, Json.At at, String path) {
        if (goal == null || goal.isNull()) return List.of();
        if (!goal.isArray()) throw at.error(path, "expected [role, action, topic, ...], got " + Json.kind(goal));
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (int k = 2; k < goal.size(); k += 2) {
            JsonNode action = goal.get(k - 1);
            if (action.isTextual() && action.textValue().equals(RECOMMEND_MOVIE)) continue; // the movie is in mentionMovies
            JsonNode topic = goal.get(k);
            if (topic.isTextual()) out.add(topic.textValue());
            else if (topic.isArray()) for (JsonNode t : topic) { if (t.isTextual()) out.add(t.textValue()); }
            else if (!topic.isNull()) throw at.error(path + "[" + k + "]", "expected a topic string, list or null, got " + Json.kind(topic));
        }
        return List.copyOf(out);
    }

    /** {@code movies_with_mentions.csv}: the 33,834 movies, keyed by Douban id (db_id) as mentionMovies refers to them. */
    public static List<Item> readMovies(DataFile file, ReadReport report) {
        List<Item> items = new ArrayList<>();
        Map<String, Integer> firstLine = new java.util.HashMap<>();
        Csv.forEach(file, report, (f, line) -> {
            if (line == 1 && f.get(0).equals("global_id")) return;
            if (f.size() == 1 && f.get(0).isEmpty()) return;
            String at = "line " + line;
            if (f.size() < 3) throw file.error(at, "", "expected columns global_id,movieName,db_id, found " + f.size());
            if (!f.get(0).strip().matches("\\d+")) throw file.error(at, "global_id", "expected an integer, got \"" + f.get(0) + "\"");
            String db = f.get(2).strip();
            if (db.isEmpty()) throw file.error(at, "db_id", "empty");
            Integer seen = firstLine.putIfAbsent(db, line);
            if (seen != null) throw file.error(at, "db_id", "duplicate id " + db + " (first at line " + seen + ")");
            var ny = Titles.split(f.get(1));
            items.add(new Item(db, ny.name(), ny.year(), MOVIE_PREFIX + db, Map.of("globalId", f.get(0).strip())));
        });
        report.requireRecords(file, items.size(), "movies: an empty catalogue");
        return items;
    }
}
