package org.crs4j.data.inspired;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.crs4j.data.io.DataFile;
import org.crs4j.data.io.Json;
import org.crs4j.data.io.ReadReport;
import org.crs4j.data.model.Dialogue;
import org.crs4j.data.model.Item;
import org.crs4j.data.model.Role;
import org.crs4j.data.model.Titles;
import org.crs4j.data.model.Turn;

/**
 * INSPIRED as UniCRS processes it ({@code {train,valid,test}_data_dbpedia.jsonl}): one dialogue per line, a JSON array
 * of turns {@code {text, role, movie, entity_link, entity_name, movie_link, movie_name}}. Consecutive utterances of
 * one speaker are already merged. Items are the DBpedia movies of {@code movie_link} (parallel to {@code movie_name});
 * the year comes from the {@code movie} titles when one of them has the same name. Entities are the
 * {@code entity_link} annotations.
 */
public final class InspiredUniCrsReader {
    private InspiredUniCrsReader() {}

    /** Dialogues of one file; movies met along the way are added to {@code items} (keyed by DBpedia URI). */
    public static List<Dialogue> read(DataFile file, String idPrefix, Map<String, Item> items, ReadReport report) {
        List<Dialogue> out = new ArrayList<>();
        Json.forEachLine(file, report, (node, at) -> {
            if (!node.isArray()) throw at.error("", "expected a JSON array of turns, got " + Json.kind(node));
            Map<String, Item> found = new LinkedHashMap<>();
            List<Turn> turns = new ArrayList<>(node.size());
            for (int i = 0; i < node.size(); i++) turns.add(turn(node.get(i), at, "[" + i + "]", found));
            found.forEach(items::putIfAbsent);
            out.add(at.dialogue(idPrefix + "-" + at.location().replace("line ", ""), turns, ""));
        });
        report.requireRecords(file, out.size(), "conversations");
        return out;
    }

    private static Turn turn(JsonNode t, Json.At at, String path, Map<String, Item> found) {
        if (!t.isObject()) throw at.error(path, "expected a turn object, got " + Json.kind(t));
        String text = Json.text(t, "text", at, path);
        Role role;
        String roleText = Json.text(t, "role", at, path);
        try {
            role = Role.parse(roleText);
        } catch (IllegalArgumentException e) {
            throw at.error(path + ".role", e.getMessage());
        }
        List<String> titles = Json.strings(Json.array(t, "movie", at, path), at, path + ".movie");
        List<String> links = Json.strings(Json.array(t, "movie_link", at, path), at, path + ".movie_link");
        List<String> names = Json.strings(Json.array(t, "movie_name", at, path), at, path + ".movie_name");
        List<String> entities = Json.strings(Json.array(t, "entity_link", at, path), at, path + ".entity_link");
        if (names.size() != links.size())
            throw at.error(path + ".movie_name", "has " + names.size() + " names for " + links.size() + " movie_link entries");
        for (int i = 0; i < links.size(); i++) {
            String name = names.get(i).strip();
            int year = 0;
            for (String title : titles) {
                var ny = Titles.split(title);
                if (ny.name().equalsIgnoreCase(name)) { year = ny.year(); break; }
            }
            found.putIfAbsent(links.get(i), new Item(links.get(i), name.isEmpty() ? links.get(i) : name, year, links.get(i), Map.of()));
        }
        return new Turn(role, text, links, entities);
    }
}
