package org.crs4j.data.gorecdial;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.crs4j.data.io.DataFile;
import org.crs4j.data.io.Json;
import org.crs4j.data.io.ReadReport;
import org.crs4j.data.model.Dialogue;
import org.crs4j.data.model.Role;
import org.crs4j.data.model.Turn;

/**
 * CRSLab's preprocessed dialogue files ({@code {train,valid,test}_data.json}, as in its GoRecDial and ReDial
 * downloads): a JSON array of {@code {dialog: [{role, text, movies, entity, word, ...}]}}, where {@code text} is a
 * string or a list of tokens, and {@code movies} / {@code entity} hold KG entity names (DBpedia URIs) of the movies and
 * other entities in the turn. An optional {@code conv_id} / {@code dialog_id} is used as the id, else the record number.
 */
public final class CrsLabDialogueReader {
    private CrsLabDialogueReader() {}

    public static List<Dialogue> read(DataFile file, ReadReport report) {
        List<Dialogue> out = new ArrayList<>();
        int[] record = {0};
        Json.forEachArrayElement(file, report, (conv, at) -> {
            record[0]++;
            out.add(dialogue(conv, at, Integer.toString(record[0])));
        });
        report.requireRecords(file, out.size(), "conversations");
        return out;
    }

    static Dialogue dialogue(JsonNode conv, Json.At at, String fallbackId) {
        String id = conv.has("conv_id") ? Json.idText(conv, "conv_id", at, "")
                : conv.has("dialog_id") ? Json.idText(conv, "dialog_id", at, "") : fallbackId;
        JsonNode dialog = Json.array(conv, "dialog", at, "");
        List<Turn> turns = new ArrayList<>(dialog.size());
        for (int i = 0; i < dialog.size(); i++) {
            String path = "dialog[" + i + "]";
            JsonNode u = dialog.get(i);
            if (!u.isObject()) throw at.error(path, "expected an object, got " + Json.kind(u));
            Role role;
            try {
                role = Role.parse(Json.text(u, "role", at, path));
            } catch (IllegalArgumentException e) {
                throw at.error(path + ".role", e.getMessage());
            }
            JsonNode textNode = Json.field(u, "text", at, path);
            String text;
            if (textNode.isTextual()) text = textNode.textValue();
            else if (textNode.isArray()) text = String.join(" ", Json.strings(textNode, at, path + ".text"));
            else throw at.error(path + ".text", "expected a string or a list of tokens, got " + Json.kind(textNode));
            List<String> movies = u.has("movies") ? Json.strings(Json.array(u, "movies", at, path), at, path + ".movies") : List.of();
            List<String> entities = u.has("entity") ? Json.strings(Json.array(u, "entity", at, path), at, path + ".entity") : List.of();
            turns.add(new Turn(role, text, movies, entities));
        }
        return at.dialogue(id, turns, "dialog");
    }
}
