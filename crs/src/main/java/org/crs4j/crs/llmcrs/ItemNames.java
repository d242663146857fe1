package org.crs4j.crs.llmcrs;

import java.util.List;
import org.crs4j.data.itemdb.ItemRecord;
import org.crs4j.data.link.Mention;
import org.crs4j.data.model.Titles;

/**
 * Finds the catalogue item an argument or a response names. In order: the item database's normalized-name match
 * (with the year when one is written, "Ed Wood (1994)"; most-rated first among namesakes), the same without a leading
 * article, seed 003's fuzzy title rule ({@link org.crs4j.crs.llm.TitleMatcher}: 90% token overlap, "Rocky II" =
 * "Rocky 2", "Notebook, The" = "The Notebook"), then the first item title the entity linker finds inside the text.
 */
public final class ItemNames {
    private ItemNames() {}

    /** The item's catalogue index, or -1. */
    public static int resolve(String text, Environment env) {
        if (text == null || text.isBlank()) return -1;
        int item = resolveTitle(text, env);
        if (item >= 0) return item;
        for (int named : named(text, env)) return named;
        return -1;
    }

    /**
     * The item when the whole text is its title (the first three steps of {@link #resolve}, without looking for a
     * title inside the text), or -1: what the chat uses on a span the user wrote as a title.
     */
    public static int resolveTitle(String text, Environment env) {
        if (text == null || text.isBlank()) return -1;
        var ny = Titles.split(text.strip());
        if (env.db() != null) {
            for (String name : List.of(ny.name(), ny.name().replaceFirst("(?i)^(the|a|an)\\s+", ""))) {
                List<ItemRecord> found = env.db().findByName(name, ny.year());
                if (found.isEmpty() && ny.year() > 0) found = env.db().findByName(name, 0);
                if (!found.isEmpty()) return found.getFirst().index();
            }
        }
        return env.titleMatcher().match(text.strip());
    }

    /**
     * The items whose titles occur in the text, in order of occurrence, each once. A title counts where it is written
     * as a title: every word of four or more letters capitalized ("Once Upon a Time", not "once upon a time, there
     * was"), or inside quotes or 《》 — replies are free text, where many titles are also everyday phrases.
     */
    public static int[] named(String text, Environment env) {
        var out = new it.unimi.dsi.fastutil.ints.IntLinkedOpenHashSet();
        for (Mention m : env.link(text)) {
            int item = env.itemOfMention(text, m);
            if (item >= 0 && writtenAsTitle(text, m.start(), m.end())) out.add(item);
        }
        return out.toIntArray();
    }

    static boolean writtenAsTitle(String text, int start, int end) {
        char before = start > 0 ? text.charAt(start - 1) : ' ';
        char after = end < text.length() ? text.charAt(end) : ' ';
        if ("\"'“‘《*_".indexOf(before) >= 0 && "\"'”’》*_".indexOf(after) >= 0) return true;
        for (String w : text.substring(start, end).split("[^\\p{L}\\p{N}]+")) {
            if (w.length() >= 4 && Character.isLowerCase(w.codePointAt(0))) return false;
        }
        return true;
    }
}
