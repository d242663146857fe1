package org.crs4j.crs.llm.rerank;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.crs4j.crs.llm.Sampling;

/**
 * The settings of one re-ranking experiment, read from {@code rerank.properties} (shipped beside this class) and,
 * key by key, from a file that overrides them.
 *
 * @param candidates   how many of the recommender's best items the prompt lists (I^rec)
 * @param listLength   how many items the LLM is asked to return (I^llm)
 * @param contextTurns how many of the last turns the prompt shows (0 = all)
 * @param sampling     decoding of every call; one seed for all calls, so equal prompts get equal answers
 */
public record RerankSettings(int candidates, int listLength, int contextTurns, Sampling sampling) {
    private static final Set<String> KEYS = Set.of("candidates", "list_length", "context_turns", "max_new_tokens", "temperature", "top_p", "seed");

    public RerankSettings {
        if (candidates < 1) throw new IllegalArgumentException("candidates must be >= 1, got " + candidates);
        if (listLength < 1) throw new IllegalArgumentException("list_length must be >= 1, got " + listLength);
        if (contextTurns < 0) throw new IllegalArgumentException("context_turns must be >= 0, got " + contextTurns);
    }

    /** The shipped settings. */
    public static RerankSettings defaults() {
        return load(null);
    }

    /**
     * The shipped settings with those of {@code override} (may be null) put over them.
     *
     * @throws IllegalArgumentException {@code FILE: key K: problem} for an unknown key or a bad value
     */
    public static RerankSettings load(Path override) {
        Properties p = new Properties();
        try (InputStream in = RerankSettings.class.getResourceAsStream("rerank.properties")) {
            if (in == null) throw new IllegalStateException("rerank.properties is missing from the build");
            p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("rerank.properties: " + e.getMessage(), e);
        }
        String source = "rerank.properties";
        if (override != null) {
            String problem = org.crs4j.io.InputFiles.problem(override); // a FIFO is named as one, not taken for missing
            if (problem != null) throw new IllegalArgumentException("--settings " + override + ": " + problem);
            Properties o = new Properties();
            try (Reader r = Files.newBufferedReader(override, StandardCharsets.UTF_8)) {
                o.load(r);
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalArgumentException("--settings " + override + ": cannot read: " + e.getMessage(), e);
            }
            for (String k : o.stringPropertyNames()) {
                if (!KEYS.contains(k)) throw new IllegalArgumentException("--settings " + override + ": unknown key " + k + " (known: " + String.join(", ", new TreeSet<>(KEYS)) + ")");
                p.setProperty(k, o.getProperty(k));
            }
            source = "--settings " + override;
        }
        try {
            Sampling s = new Sampling(integer(p, "max_new_tokens", source), number(p, "temperature", source), number(p, "top_p", source),
                    Long.parseLong(value(p, "seed", source)));
            return new RerankSettings(integer(p, "candidates", source), integer(p, "list_length", source), integer(p, "context_turns", source), s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + ": key seed: not an integer");
        } catch (IllegalArgumentException e) {
            if (e.getMessage().startsWith(source)) throw e;
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    private static String value(Properties p, String key, String source) {
        String v = p.getProperty(key);
        if (v == null) throw new IllegalArgumentException(source + ": key " + key + " is missing");
        return v.strip();
    }

    private static int integer(Properties p, String key, String source) {
        try {
            return Integer.parseInt(value(p, key, source));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + ": key " + key + ": not an integer: " + p.getProperty(key));
        }
    }

    private static double number(Properties p, String key, String source) {
        try {
            return Double.parseDouble(value(p, key, source));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + ": key " + key + ": not a number: " + p.getProperty(key));
        }
    }
}
