package org.crs4j.models.tokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Reads the fixtures written by scripts/make_tokenizer_parity.py (test resources of this package). */
final class Fixtures {
    private Fixtures() {}

    static final ObjectMapper JSON = new ObjectMapper();

    static InputStream resource(String name) {
        InputStream in = Fixtures.class.getResourceAsStream(name);
        if (in == null) throw new IllegalStateException("missing test resource " + name + "; run scripts/make_tokenizer_parity.py");
        return in;
    }

    static Path resourcePath(String name) {
        try {
            return Path.of(Fixtures.class.getResource(name).toURI());
        } catch (Exception e) {
            throw new IllegalStateException("missing test resource " + name, e);
        }
    }

    static List<String> gzipLines(String name) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(resource(name)), StandardCharsets.UTF_8))) {
            return r.lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<JsonNode> jsonLines(String name) {
        List<JsonNode> out = new ArrayList<>();
        for (String line : gzipLines(name)) {
            try {
                out.add(JSON.readTree(line));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    static int[] ids(JsonNode array) {
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) ids[i] = array.get(i).asInt();
        return ids;
    }

    static int[] ids(String spaceSeparated) {
        String t = spaceSeparated.trim();
        if (t.isEmpty()) return new int[0];
        String[] parts = t.split(" ");
        int[] ids = new int[parts.length];
        for (int i = 0; i < ids.length; i++) ids[i] = Integer.parseInt(parts[i]);
        return ids;
    }
}
