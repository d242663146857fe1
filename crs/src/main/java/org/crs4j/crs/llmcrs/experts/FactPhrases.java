package org.crs4j.crs.llmcrs.experts;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import java.util.Set;
import org.crs4j.data.itemdb.ItemFact;

/** Facts written as phrases ("stars Johnny Depp"), from {@code relation-phrases.properties}. */
final class FactPhrases {
    /** Relations whose values are people ("whom you mentioned"). */
    static final Set<String> PEOPLE = Set.of("starring", "director", "writer", "producer", "executiveProducer", "musicComposer",
            "composer", "cinematography", "editing", "narrator", "author");
    private static final Properties PHRASES = new Properties();

    static {
        try (InputStream in = FactPhrases.class.getResourceAsStream("/org/crs4j/crs/llmcrs/relation-phrases.properties")) {
            if (in == null) throw new IllegalStateException("relation-phrases.properties is missing from the class path");
            PHRASES.load(new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private FactPhrases() {}

    static String phrase(ItemFact f) {
        String p = PHRASES.getProperty(f.relation(), PHRASES.getProperty("default", "is linked to {value} ({relation})"));
        String out = p.replace("{value}", f.value()).replace("{relation}", f.relation());
        return out.replaceAll("\\ba ([aeiouAEIOU])", "an $1"); // "is a action film" -> "is an action film"
    }
}
