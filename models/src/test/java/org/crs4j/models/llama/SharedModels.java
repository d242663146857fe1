package org.crs4j.models.llama;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The shared stories260K checkpoint (../shared/models/stories260K, see its SOURCE.md); tests skip without it. */
final class SharedModels {
    private SharedModels() {}

    static Path stories260K() {
        String root = System.getProperty("crs4j.shared");
        Path p = root == null ? null : Path.of(root, "models", "stories260K");
        boolean present = p != null && Files.isRegularFile(p.resolve("reference.json"));
        if (!present) System.out.println("skipped: stories260K not found under crs4j.shared=" + root);
        assumeTrue(present, () -> "stories260K not found under crs4j.shared=" + root);
        return p;
    }

    static JsonNode reference() {
        try {
            return new ObjectMapper().readTree(stories260K().resolve("reference.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int[] ints(JsonNode array) {
        int[] a = new int[array.size()];
        for (int i = 0; i < a.length; i++) a[i] = array.get(i).asInt();
        return a;
    }
}
