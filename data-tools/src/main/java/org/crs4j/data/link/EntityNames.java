package org.crs4j.data.link;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** Human-readable names from KG entity keys: DBpedia URIs lose their prefix, underscores and disambiguation. */
public final class EntityNames {
    private EntityNames() {}

    /**
     * {@code <http://dbpedia.org/resource/The_Thin_Red_Line_(1998_film)>} -> "The Thin Red Line"; keys that are not
     * URIs (OpenDialKG, TG-ReDial) are names already and come back unchanged.
     */
    public static String displayName(String key) {
        String k = key.strip();
        if (k.startsWith("<") && k.endsWith(">")) k = k.substring(1, k.length() - 1);
        if (!(k.startsWith("http://") || k.startsWith("https://"))) return key.strip();
        int slash = k.lastIndexOf('/');
        String local = k.substring(slash + 1);
        if (local.contains("%")) {
            try {
                local = URLDecoder.decode(local.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException ignored) {
                // keep it as written: a stray % is not worth failing a whole KG for
            }
        }
        local = local.replace('_', ' ').strip();
        // "(1998 film)", "(band)", "(novel)": disambiguation, not part of the name anyone types
        String stripped = local.replaceAll("\\s*\\([^()]*\\)\\s*$", "").strip();
        return stripped.isEmpty() ? local : stripped;
    }
}
