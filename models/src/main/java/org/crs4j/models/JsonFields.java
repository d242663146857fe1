package org.crs4j.models;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import org.crs4j.io.StrictJson;

/**
 * Typed access to the fields of a model's JSON file ({@code config.json} and friends) with errors that name the file
 * and the field: {@code config.json: num_heads: must be positive, got 0}. Shared by the LLaMA and T5 config readers.
 */
public final class JsonFields {
    /** Most ids a list field (eos_token_id) may hold: real configs list a handful. */
    public static final int MAX_IDS = 1024;

    public final Path file;
    public final JsonNode node;
    private final String prefix;

    public JsonFields(Path file, JsonNode node) {
        this(file, node, "");
    }

    /** Fields of a nested object; {@code prefix} (e.g. "rope_scaling.") is put before field names in errors. */
    public JsonFields(Path file, JsonNode node, String prefix) {
        this.file = file;
        this.node = node;
        this.prefix = prefix;
    }

    /**
     * Reads a file holding one JSON object ({@link StrictJson}: nothing after it, no repeated keys, at most
     * {@link StrictJson#MAX_CONFIG_BYTES}); invalid JSON is reported with its line and column.
     */
    public static JsonFields read(Path file) throws IOException {
        try {
            return new JsonFields(file, StrictJson.readObject(file, StrictJson.MAX_CONFIG_BYTES));
        } catch (ModelFormatException e) {
            throw e;
        } catch (org.crs4j.io.FileFormatException e) { // malformed model files are ModelFormatExceptions
            throw new ModelFormatException(file, e.what(), e);
        }
    }

    public ModelFormatException error(String field, String what) {
        return new ModelFormatException(file, prefix + field + ": " + what);
    }

    /** Whether the field is present and not null. */
    public boolean has(String field) {
        return get(field) != null;
    }

    private JsonNode get(String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v;
    }

    public String string(String field, String dflt) throws ModelFormatException {
        JsonNode v = get(field);
        if (v == null) return dflt;
        if (!v.isTextual()) throw error(field, "expected a string, found " + v);
        return v.asText();
    }

    /** An integer; dflt {@link Integer#MIN_VALUE} means required. */
    public int integer(String field, int dflt) throws ModelFormatException {
        JsonNode v = get(field);
        if (v == null) {
            if (dflt == Integer.MIN_VALUE) throw error(field, "missing");
            return dflt;
        }
        if (!v.isIntegralNumber()) throw error(field, "expected an integer, found " + v);
        if (!v.canConvertToInt()) throw error(field, v + " is beyond the 32-bit range crs4j indexes with");
        return v.asInt();
    }

    /** A positive integer; dflt -1 means required. */
    public int positive(String field, int dflt) throws ModelFormatException {
        JsonNode v = get(field);
        if (v == null && dflt == -1) throw error(field, "missing");
        int x = integer(field, dflt);
        if (x <= 0) throw error(field, "must be positive, got " + x);
        return x;
    }

    /** A number; dflt NaN means required. */
    public double number(String field, double dflt) throws ModelFormatException {
        JsonNode v = get(field);
        if (v == null) {
            if (Double.isNaN(dflt)) throw error(field, "missing");
            return dflt;
        }
        if (!v.isNumber()) throw error(field, "expected a number, found " + v);
        double x = v.asDouble();
        if (!Double.isFinite(x)) throw error(field, v + " is not a finite number");
        return x;
    }

    /** A required-or-default object field, as fields with {@code prefix + field + "."} in errors; null when absent. */
    public JsonFields object(String field) throws ModelFormatException {
        JsonNode v = get(field);
        if (v == null) return null;
        if (!v.isObject()) throw error(field, "expected an object, found " + v);
        return new JsonFields(file, v, prefix + field + ".");
    }

    /** The field name as errors show it (with the nested object's prefix). */
    public String name(String field) {
        return prefix + field;
    }

    public boolean bool(String field, boolean dflt) throws ModelFormatException {
        JsonNode v = get(field);
        if (v == null) return dflt;
        if (!v.isBoolean()) throw error(field, "expected true or false, found " + v);
        return v.asBoolean();
    }

    /** An id or a list of ids (eos_token_id); empty when absent. */
    public int[] ids(String field) throws ModelFormatException {
        JsonNode v = get(field);
        if (v == null) return new int[0];
        if (v.isIntegralNumber() && v.canConvertToInt()) return new int[] {v.asInt()};
        if (v.isArray()) {
            if (v.size() > MAX_IDS) throw error(field, v.size() + " ids; at most " + MAX_IDS + " are accepted");
            int[] out = new int[v.size()];
            for (int i = 0; i < out.length; i++) {
                JsonNode e = v.get(i);
                if (!e.isIntegralNumber() || !e.canConvertToInt()) throw error(field + "[" + i + "]", "expected a 32-bit integer, found " + e);
                out[i] = e.asInt();
            }
            return out;
        }
        throw error(field, "expected an integer or a list of integers, found " + v);
    }
}
