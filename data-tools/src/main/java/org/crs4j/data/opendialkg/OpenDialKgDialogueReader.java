package org.crs4j.data.opendialkg;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.crs4j.data.io.Csv;
import org.crs4j.data.io.DataFile;
import org.crs4j.data.io.Json;
import org.crs4j.data.io.ReadReport;
import org.crs4j.data.model.Dialogue;
import org.crs4j.data.model.Role;
import org.crs4j.data.model.Turn;

/**
 * {@code opendialkg.csv} as its README documents it (Moon et al. 2019): columns {@code Messages, User Rating,
 * Assistant Rating}; {@code Messages} is a JSON list of {@code {type: chat|action, sender: user|assistant, message?,
 * metadata?: {path: [score, [[subject, relation, object], ...], rendering]}}}. A chat message is a turn (user = seeker,
 * assistant = recommender). A KG walk ({@code action} with a {@code path}) is what the speaker chose before speaking:
 * its subjects and objects become the annotated entities of that speaker's next chat turn, and for the assistant the
 * object the walk ends on is the item that turn recommends.
 */
public final class OpenDialKgDialogueReader {
    private OpenDialKgDialogueReader() {}

    public static List<Dialogue> read(DataFile file, ReadReport report) {
        List<Dialogue> out = new ArrayList<>();
        boolean[] header = {true};
        Csv.forEach(file, report, (f, line) -> {
            String at = "line " + line;
            if (header[0]) {
                header[0] = false;
                if (f.isEmpty() || !f.get(0).strip().equalsIgnoreCase("Messages"))
                    throw file.error(at, "", "expected the header Messages,User Rating,Assistant Rating");
                return;
            }
            if (f.size() == 1 && f.get(0).isEmpty()) return;
            if (f.size() != 3) throw file.error(at, "", "expected 3 columns (Messages, User Rating, Assistant Rating), found " + f.size());
            JsonNode messages;
            try {
                messages = org.crs4j.io.StrictJson.parse(f.get(0));
            } catch (com.fasterxml.jackson.core.JacksonException e) {
                throw file.error(at, "Messages", org.crs4j.io.Problems.reason(e));
            }
            Json.At where = new Json.At(file, at);
            if (!messages.isArray()) throw where.error("Messages", "expected a JSON list of messages, got " + Json.kind(messages));
            out.add(where.dialogue(Integer.toString(out.size() + 1 + report.skipped(file.displayName())), turns(messages, where), "Messages"));
        });
        report.requireRecords(file, out.size(), "conversations");
        return out;
    }

    private static List<Turn> turns(JsonNode messages, Json.At at) {
        List<Turn> turns = new ArrayList<>();
        LinkedHashSet<String> pendingEntities = new LinkedHashSet<>();
        String pendingItem = null;
        Role pendingFor = null;
        for (int i = 0; i < messages.size(); i++) {
            String path = "Messages[" + i + "]";
            JsonNode m = messages.get(i);
            if (!m.isObject()) throw at.error(path, "expected an object, got " + Json.kind(m));
            String type = Json.text(m, "type", at, path);
            Role role;
            try {
                role = Role.parse(Json.text(m, "sender", at, path));
            } catch (IllegalArgumentException e) {
                throw at.error(path + ".sender", e.getMessage());
            }
            switch (type) {
                case "chat" -> {
                    String text = Json.text(m, "message", at, path);
                    List<String> entities = List.of(), items = List.of();
                    if (pendingFor == role) {
                        entities = List.copyOf(pendingEntities);
                        if (pendingItem != null && role == Role.RECOMMENDER) items = List.of(pendingItem);
                        pendingEntities.clear();
                        pendingItem = null;
                        pendingFor = null;
                    }
                    turns.add(new Turn(role, text, items, entities));
                }
                case "action" -> {
                    JsonNode meta = m.get("metadata");
                    if (meta == null || meta.isNull() || !meta.has("path")) continue;
                    JsonNode walk = meta.get("path");
                    if (!walk.isArray() || walk.size() < 2 || !walk.get(1).isArray())
                        throw at.error(path + ".metadata.path", "expected [score, [[subject, relation, object], ...], rendering]");
                    JsonNode triples = walk.get(1);
                    pendingEntities.clear();
                    pendingItem = null;
                    for (int k = 0; k < triples.size(); k++) {
                        List<String> t = Json.strings(triples.get(k), at, path + ".metadata.path[1][" + k + "]");
                        if (t.size() != 3) throw at.error(path + ".metadata.path[1][" + k + "]", "expected [subject, relation, object], got " + t.size() + " elements");
                        pendingEntities.add(t.get(0));
                        pendingEntities.add(t.get(2));
                        pendingItem = t.get(2);
                    }
                    pendingFor = role;
                }
                default -> throw at.error(path + ".type", "expected chat or action, got \"" + type + "\"");
            }
        }
        return turns;
    }
}
