package org.crs4j.crs.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.crs4j.tensor.io.AtomicFiles;

/**
 * Predictions as JSON Lines, one object per test sample, the exchange format between crs4j and models trained
 * elsewhere:
 * <pre>{"dialogue": "20001", "turn": 3, "target": "111776", "ranked": ["111776", "204974", ...]}</pre>
 * Item ids are the dataset's own (ReDial movie ids, INSPIRED DBpedia names). Written atomically; read strictly: a line
 * that is not such an object, a sample (dialogue, turn, target) that appears twice, a repeated item within one
 * ranked list, or (when the caller knows the catalogue) an unknown item id is an error naming the file, the line and
 * the field. Blank lines are errors too, except at the very end of the file.
 */
public final class PredictionsFile {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FIELDS = Set.of("dialogue", "turn", "target", "ranked");

    private PredictionsFile() {}

    /** Thrown for a file that cannot be read as predictions; the message starts with the file (and line). */
    public static final class FormatException extends RuntimeException {
        public FormatException(String message) {
            super(message);
        }
    }

    public static void write(Path file, List<Prediction> predictions) throws IOException {
        StringBuilder sb = new StringBuilder(predictions.size() * 600);
        for (Prediction p : predictions) {
            ObjectNode o = JSON.createObjectNode();
            o.put("dialogue", p.dialogue());
            o.put("turn", p.turn());
            o.put("target", p.target());
            ArrayNode r = o.putArray("ranked");
            p.ranked().forEach(r::add);
            sb.append(JSON.writeValueAsString(o)).append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    /** Reads without checking item ids against a catalogue. */
    public static List<Prediction> read(Path file) {
        return read(file, id -> true);
    }

    /** Reads and checks that every target and ranked id is a {@code knownItem}. */
    public static List<Prediction> read(Path file, Predicate<String> knownItem) {
        List<String> lines;
        try {
            lines = readLines(file);
        } catch (NoSuchFileException e) {
            throw new FormatException(file + ": no such file");
        } catch (CharacterCodingException e) {
            throw new FormatException(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new FormatException(file + ": cannot read: " + e.getMessage());
        }
        int last = lines.size();
        while (last > 0 && lines.get(last - 1).isBlank()) last--;
        if (last == 0) throw new FormatException(file + ": no predictions (the file is empty)");
        List<Prediction> out = new ArrayList<>(last);
        Map<Prediction.Key, Integer> seen = new HashMap<>();
        for (int i = 0; i < last; i++) {
            int lineNo = i + 1;
            Prediction p = parse(file, lineNo, lines.get(i), knownItem);
            Integer earlier = seen.putIfAbsent(p.key(), lineNo);
            if (earlier != null) {
                throw new FormatException(file + ": line " + lineNo + ": duplicate sample (" + p.key() + "), first on line " + earlier);
            }
            out.add(p);
        }
        return out;
    }

    private static List<String> readLines(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line; (line = r.readLine()) != null; ) lines.add(line);
        }
        return lines;
    }

    private static Prediction parse(Path file, int line, String text, Predicate<String> knownItem) {
        String where = file + ": line " + line + ": ";
        if (text.isBlank()) throw new FormatException(where + "blank line (one JSON object per line expected)");
        JsonNode n;
        try {
            n = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new FormatException(where + "not valid JSON: " + e.getOriginalMessage());
        }
        if (n == null || !n.isObject()) throw new FormatException(where + "expected a JSON object, got " + (n == null ? "nothing" : n.getNodeType().toString().toLowerCase()));
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) throw new FormatException(where + "field " + f + ": unexpected (expected dialogue, turn, target, ranked)");
        }
        String dialogue = text(where, n, "dialogue");
        JsonNode turn = n.get("turn");
        if (turn == null) throw new FormatException(where + "field turn: missing");
        if (!turn.isInt() || turn.intValue() < 0) throw new FormatException(where + "field turn: expected a non-negative integer, got " + turn);
        String target = text(where, n, "target");
        if (!knownItem.test(target)) throw new FormatException(where + "field target: unknown item \"" + target + "\"");
        JsonNode ranked = n.get("ranked");
        if (ranked == null) throw new FormatException(where + "field ranked: missing");
        if (!ranked.isArray()) throw new FormatException(where + "field ranked: expected an array of item ids, got " + ranked.getNodeType().toString().toLowerCase());
        List<String> items = new ArrayList<>(ranked.size());
        Set<String> distinct = new HashSet<>();
        for (int i = 0; i < ranked.size(); i++) {
            JsonNode e = ranked.get(i);
            if (!e.isTextual()) throw new FormatException(where + "field ranked[" + i + "]: expected an item id (a string), got " + e);
            String id = e.textValue();
            if (!knownItem.test(id)) throw new FormatException(where + "field ranked[" + i + "]: unknown item \"" + id + "\"");
            if (!distinct.add(id)) throw new FormatException(where + "field ranked[" + i + "]: item \"" + id + "\" ranked twice");
            items.add(id);
        }
        return new Prediction(dialogue, turn.intValue(), target, items);
    }

    private static String text(String where, JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null) throw new FormatException(where + "field " + field + ": missing");
        if (!v.isTextual()) throw new FormatException(where + "field " + field + ": expected a string, got " + v);
        return v.textValue();
    }
}
