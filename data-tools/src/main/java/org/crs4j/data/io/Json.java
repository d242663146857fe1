package org.crs4j.data.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.crs4j.io.Problems;
import org.crs4j.io.StrictJson;

/**
 * Streaming JSON access with errors that name the file, the line or record and the field. Big files are never held
 * whole: JSON Lines are parsed one line at a time, and a top-level JSON array or object is walked one element at a time
 * with Jackson's streaming parser, each element turned into a small tree.
 */
public final class Json {
    /** The project's strict JSON ({@link StrictJson}): no repeated keys, nothing after a value, bounded nesting. */
    public static final ObjectMapper MAPPER = StrictJson.MAPPER;

    private Json() {}

    /** Where a record sits, for messages: file plus "line N" or "record N". */
    public record At(DataFile file, String location) {
        public MalformedDataException error(String field, String problem) {
            return file.error(location, field, problem);
        }

        /** A dialogue read here; one without a message is malformed ({@code field} names the empty list). */
        public org.crs4j.data.model.Dialogue dialogue(String id, java.util.List<org.crs4j.data.model.Turn> turns, String field) {
            if (turns.isEmpty()) throw error(field, "no messages: a conversation needs at least one");
            return new org.crs4j.data.model.Dialogue(id, turns);
        }
    }

    /** One JSON value per line; blank lines are skipped. */
    public static void forEachLine(DataFile file, ReadReport report, BiConsumer<JsonNode, At> consumer) {
        TextLines.forEach(file, report, (line, n) -> {
            if (line.isBlank()) return;
            At at = new At(file, "line " + n);
            JsonNode node;
            try {
                node = StrictJson.parse(line);
            } catch (JacksonException e) {
                throw at.error("", Problems.reason(e).replaceFirst(" at line 1, column", " at column"));
            }
            consumer.accept(node, at);
        });
    }

    /** Each element of a top-level array, as "record N" (1-based). */
    public static void forEachArrayElement(DataFile file, ReadReport report, BiConsumer<JsonNode, At> consumer) {
        walk(file, report, JsonToken.START_ARRAY, (name, node, at) -> consumer.accept(node, at));
    }

    /** Each member of a top-level object, as its key and value. */
    public static void forEachObjectMember(DataFile file, ReadReport report, MemberConsumer consumer) {
        walk(file, report, JsonToken.START_OBJECT, consumer);
    }

    @FunctionalInterface
    public interface MemberConsumer {
        void accept(String key, JsonNode value, At at);
    }

    private static void walk(DataFile file, ReadReport report, JsonToken top, MemberConsumer consumer) {
        try (InputStream in = file.open(); JsonParser p = MAPPER.createParser(in)) {
            JsonToken t = p.nextToken();
            if (t == null) throw file.error("", "", "empty file, expected a JSON " + (top == JsonToken.START_ARRAY ? "array" : "object"));
            if (t != top) throw file.error("line " + p.currentLocation().getLineNr(), "",
                    "expected a top-level JSON " + (top == JsonToken.START_ARRAY ? "array" : "object") + ", found " + t);
            int record = 0;
            while (true) {
                JsonToken next = p.nextToken();
                if (next == JsonToken.END_ARRAY || next == JsonToken.END_OBJECT) break;
                if (next == null) throw file.error("", "", "unexpected end of JSON");
                String key = null;
                if (top == JsonToken.START_OBJECT) {
                    key = p.currentName();
                    p.nextToken();
                }
                record++;
                long line = p.currentLocation().getLineNr();
                JsonNode node = StrictJson.readElement(p);
                At at = new At(file, key != null ? "key \"" + key + "\" (line " + line + ")" : "record " + record + " (line " + line + ")");
                try {
                    consumer.accept(key, node, at);
                } catch (MalformedDataException e) {
                    report.malformed(e);
                }
            }
            if (p.nextToken() != null) {
                throw file.error("line " + p.currentLocation().getLineNr(), "", "content after the end of the top-level JSON value");
            }
        } catch (JacksonException e) {
            throw file.error("", "", Problems.reason(e));
        } catch (IOException e) {
            throw file.failure("", e);
        }
    }

    /** A whole small JSON file as a tree (relation2id.json, movie_ids.json). */
    public static JsonNode readSmall(DataFile file) {
        try (InputStream in = file.open()) {
            JsonNode node = MAPPER.readTree(in);
            if (node == null || node.isMissingNode()) throw file.error("", "", "empty file, expected JSON");
            return node;
        } catch (JacksonException e) {
            throw file.error("", "", Problems.reason(e));
        } catch (IOException e) {
            throw file.failure("", e);
        }
    }

    // ---- typed field access: each names the field when the value is missing or of the wrong kind ----

    public static JsonNode field(JsonNode obj, String name, At at, String path) {
        if (!obj.isObject()) throw at.error(path, "expected an object, got " + kind(obj));
        JsonNode v = obj.get(name);
        if (v == null || v.isMissingNode()) throw at.error(join(path, name), "missing");
        return v;
    }

    public static String text(JsonNode obj, String name, At at, String path) {
        JsonNode v = field(obj, name, at, path);
        if (!v.isTextual()) throw at.error(join(path, name), "expected a string, got " + kind(v));
        return v.textValue();
    }

    /** A string, or an integer written as a number (ReDial ids appear both ways across copies). */
    public static String idText(JsonNode obj, String name, At at, String path) {
        JsonNode v = field(obj, name, at, path);
        if (v.isTextual()) return v.textValue();
        if (v.isIntegralNumber()) return v.asText();
        throw at.error(join(path, name), "expected a string or integer id, got " + kind(v));
    }

    public static int integer(JsonNode obj, String name, At at, String path) {
        JsonNode v = field(obj, name, at, path);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw at.error(join(path, name), "expected an integer, got " + kind(v));
        return v.intValue();
    }

    public static JsonNode array(JsonNode obj, String name, At at, String path) {
        JsonNode v = field(obj, name, at, path);
        if (!v.isArray()) throw at.error(join(path, name), "expected an array, got " + kind(v));
        return v;
    }

    public static JsonNode object(JsonNode obj, String name, At at, String path) {
        JsonNode v = field(obj, name, at, path);
        if (!v.isObject()) throw at.error(join(path, name), "expected an object, got " + kind(v));
        return v;
    }

    /** An array of strings; {@code null} elements are an error. */
    public static List<String> strings(JsonNode array, At at, String path) {
        if (!array.isArray()) throw at.error(path, "expected an array, got " + kind(array));
        List<String> out = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonNode e = array.get(i);
            if (!e.isTextual()) throw at.error(path + "[" + i + "]", "expected a string, got " + kind(e));
            out.add(e.textValue());
        }
        return out;
    }

    public static String join(String path, String name) {
        return path == null || path.isEmpty() ? name : path + "." + name;
    }

    public static String kind(JsonNode v) {
        if (v == null || v.isMissingNode()) return "nothing";
        if (v.isNull()) return "null";
        if (v.isTextual()) return "a string";
        if (v.isIntegralNumber()) return "an integer (" + v.asText() + ")";
        if (v.isNumber()) return "a number (" + v.asText() + ")";
        if (v.isBoolean()) return "a boolean";
        if (v.isArray()) return "an array";
        return "an object";
    }


}
