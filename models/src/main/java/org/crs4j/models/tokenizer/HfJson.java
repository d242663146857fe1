package org.crs4j.models.tokenizer;

import java.nio.file.Path;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import com.fasterxml.jackson.databind.JsonNode;

/** Reading a {@code tokenizer.json}: typed field access whose errors name the file and the JSON path. */
final class HfJson {
    final Path file;

    HfJson(Path file) {
        this.file = file;
    }

    TokenizerFormatException error(String path, String what) {
        return new TokenizerFormatException(file, path + ": " + what);
    }

    String type(JsonNode node, String path) throws TokenizerFormatException {
        if (node == null || !node.isObject()) throw error(path, "expected an object, found " + kind(node));
        JsonNode t = node.get("type");
        if (t == null || !t.isTextual()) throw error(path + ".type", "missing or not a string");
        return t.asText();
    }

    String string(JsonNode node, String field, String path) throws TokenizerFormatException {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) throw error(path + "." + field, "expected a string, found " + kind(v));
        return v.asText();
    }

    String stringOrNull(JsonNode node, String field, String path) throws TokenizerFormatException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw error(path + "." + field, "expected a string or null, found " + kind(v));
        return v.asText();
    }

    boolean bool(JsonNode node, String field, boolean dflt, String path) throws TokenizerFormatException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return dflt;
        if (!v.isBoolean()) throw error(path + "." + field, "expected true or false, found " + kind(v));
        return v.asBoolean();
    }

    int integer(JsonNode node, String field, int dflt, String path) throws TokenizerFormatException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return dflt;
        if (!v.isIntegralNumber() || !v.canConvertToInt())
            throw error(path + "." + field, "expected an integer, found " + kind(v));
        return v.asInt();
    }

    JsonNode array(JsonNode node, String field, String path) throws TokenizerFormatException {
        JsonNode v = node.get(field);
        if (v == null || !v.isArray()) throw error(path + "." + field, "expected an array, found " + kind(v));
        return v;
    }

    /**
     * Ids may leave holes (the tokenizers library keeps its vocabulary in a map), but at most this many beyond the
     * number of entries: id-indexed tables are sized by the largest id, so an id near 2^31 in a 20 KB file would
     * otherwise cost gigabytes before anything is checked.
     */
    static final int MAX_ID_GAP = 1 << 16;

    /** A token id: an integer in [0, entries + {@link #MAX_ID_GAP}). */
    int id(JsonNode v, String path, int entries) throws TokenizerFormatException {
        if (v == null || !v.isIntegralNumber()) throw error(path, "expected an integer id, found " + kind(v) + (v == null ? "" : " " + v));
        long limit = (long) entries + MAX_ID_GAP;
        if (!v.canConvertToLong() || v.asLong() < 0 || v.asLong() >= limit) {
            throw error(path, "id " + v + " is outside [0, " + limit + "): " + entries + " entries leave room for ids up to "
                    + MAX_ID_GAP + " past them");
        }
        return v.asInt();
    }

    /** A single character field (Metaspace's replacement, Strip's content). */
    int codePoint(JsonNode node, String field, String path) throws TokenizerFormatException {
        String s = string(node, field, path);
        if (s.codePointCount(0, s.length()) != 1) throw error(path + "." + field, "expected one character, found \"" + s + "\"");
        return s.codePointAt(0);
    }

    /**
     * A {@code {"String": s}} or {@code {"Regex": r}} pattern, compiled for Java with Unicode character classes so that
     * {@code \s}, {@code \w} and {@code \d} mean what they mean to Oniguruma, which the Rust library uses.
     */
    Pattern pattern(JsonNode node, String field, String path) throws TokenizerFormatException {
        JsonNode p = node.get(field);
        String at = path + "." + field;
        if (p == null || !p.isObject()) throw error(at, "expected {\"String\": ...} or {\"Regex\": ...}, found " + kind(p));
        if (p.has("String")) return Pattern.compile(Pattern.quote(string(p, "String", at)));
        String regex = string(p, "Regex", at);
        try {
            return Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
        } catch (PatternSyntaxException e) {
            throw error(at + ".Regex", "invalid regular expression: " + e.getDescription() + " in " + regex);
        }
    }

    static String kind(JsonNode v) {
        if (v == null) return "nothing";
        return v.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }
}
