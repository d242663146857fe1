package org.crs4j.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The JSON every crs4j reader parses: one configuration, so that each file format gets the same strictness and the same
 * error messages. A file must hold exactly one JSON value (content after it is an error, where a lenient parser would
 * silently ignore it), keys may not repeat (which value would win is the parser's whim), and nesting stops at
 * {@link #MAX_NESTING} levels. Errors name the file and the line and column.
 */
public final class StrictJson {
    /**
     * Deepest nesting accepted: Jackson's default, far above what any format crs4j reads uses (config.json and
     * tokenizer.json nest fewer than ten levels), and low enough that building the tree cannot exhaust the stack.
     */
    public static final int MAX_NESTING = 1000;

    /** Largest config-like JSON file read whole (config.json, generation_config.json, tokenizer_config.json). */
    public static final long MAX_CONFIG_BYTES = 16L << 20;

    public static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
            .build();

    public static final ObjectMapper MAPPER = JsonMapper.builder(FACTORY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private StrictJson() {}

    /**
     * The JSON value in {@code file} (a regular file of at most {@code maxBytes} bytes, checked before reading, since
     * the tree takes several times the file's size in memory).
     */
    public static JsonNode read(Path file, long maxBytes) throws IOException {
        long size = Files.size(InputFiles.requireFile(file));
        if (size > maxBytes) {
            throw new FileFormatException(file, "is " + size + " bytes; a JSON file of this kind may have at most " + maxBytes);
        }
        try (InputStream in = Files.newInputStream(file)) {
            JsonNode node = MAPPER.readTree(in);
            if (node == null || node.isMissingNode()) throw new FileFormatException(file, "empty file, expected JSON");
            return node;
        } catch (JacksonException e) {
            throw new FileFormatException(file, Problems.reason(e), e);
        }
    }

    /** {@link #read} of a file that must hold a JSON object. */
    public static JsonNode readObject(Path file, long maxBytes) throws IOException {
        JsonNode node = read(file, maxBytes);
        if (!node.isObject()) throw new FileFormatException(file, "expected a JSON object, found " + kind(node));
        return node;
    }

    /**
     * The value at a streaming parser's current token (one element of a big top-level array), leaving the parser
     * after it: the rest of the stream is the caller's to read, so the trailing-content rule does not apply here.
     */
    public static JsonNode readElement(com.fasterxml.jackson.core.JsonParser parser) throws java.io.IOException {
        return ELEMENT.readTree(parser);
    }

    private static final com.fasterxml.jackson.databind.ObjectReader ELEMENT =
            MAPPER.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** A JSON value in text (a line of a JSON Lines file); errors are Jackson's, for the caller to locate. */
    public static JsonNode parse(String text) throws com.fasterxml.jackson.core.JsonProcessingException {
        return MAPPER.readTree(text);
    }

    /** "an object", "a string", "an integer (42)", ... for messages. */
    public static String kind(JsonNode v) {
        if (v == null || v.isMissingNode()) return "nothing";
        if (v.isNull()) return "null";
        if (v.isTextual()) return "a string";
        if (v.isIntegralNumber()) return "an integer (" + v.asText() + ")";
        if (v.isNumber()) return "a number (" + v.asText() + ")";
        if (v.isBoolean()) return "a boolean (" + v.asText() + ")";
        if (v.isArray()) return "an array";
        return "an object";
    }
}
