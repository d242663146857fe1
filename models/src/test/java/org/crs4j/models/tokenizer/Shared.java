package org.crs4j.models.tokenizer;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** The real tokenizers and data in ../shared (the Surefire argLine sets {@code crs4j.shared}); tests skip without them. */
final class Shared {
    private Shared() {}

    static Path require(String relative) {
        String root = System.getProperty("crs4j.shared");
        Path p = root == null ? null : Path.of(root).resolve(relative);
        boolean present = p != null && Files.exists(p);
        if (!present) System.out.println("skipped: " + relative + " not found under crs4j.shared=" + root);
        assumeTrue(present, () -> relative + " not found under crs4j.shared=" + root);
        return p;
    }
}
