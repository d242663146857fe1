package org.crs4j.crs.chat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.crs4j.crs.llmcrs.Environment;
import org.crs4j.crs.llmcrs.ItemNames;
import org.crs4j.data.link.Mention;
import org.crs4j.data.model.Role;
import org.crs4j.data.prepare.PreparedTurn;

/**
 * What a chat message names, as the recommender and the user both see it. Two readings are combined:
 * <ul>
 *   <li>titles the user clearly wrote as titles — quoted ({@code "Dune"}) or with their year ({@code Dune (2021)}) —
 *   are looked up whole in the catalogue ({@link ItemNames#resolveTitle}: exact name and year, without a leading
 *   article, seed 003's fuzzy rule; for a year, the longest run of words before it that is a title); one that
 *   resolves to nothing is reported as unknown rather than dropped;</li>
 *   <li>everything else is the entity linker's ({@code Environment.turn}, the linker of {@code data prepare}: people,
 *   genres, titles), except inside a resolved title, where the whole title wins over pieces of it (the linker reads
 *   "Harry Potter and the Sorcerer's Stone (2001)" as "Harry Potter" and "Sorcerer (1977)").</li>
 * </ul>
 * Unquoted titles without a year are left to the linker: a capitalised phrase is too often not a title.
 */
public final class NamedTitles {
    private static final Pattern QUOTED = Pattern.compile("[\"“«]([^\"”»]{2,120})[\"”»]");
    private static final Pattern WITH_YEAR = Pattern.compile("((?:[\\p{Lu}\\d][\\p{L}\\d'’:&.,\\-]*)(?:\\s+[\\p{L}\\d'’:&.,\\-]+){0,12}?)\\s*\\(((?:18|19|20)\\d\\d)\\)");
    private static final Pattern WORD = Pattern.compile("\\S+");
    /** Words that open a sentence before a title ("I loved Dune (2021)"), dropped from the front of a span. */
    private static final Set<String> LEADING = Set.of("i", "loved", "love", "liked", "like", "saw", "watched", "seen", "and", "or", "but",
            "also", "movie", "film", "enjoyed", "hated", "about", "is", "was", "what", "who", "how", "did", "you", "have", "my", "kids",
            "we", "she", "he", "they", "not", "no", "yes", "yes!", "ok", "so", "then", "after", "before", "than", "more", "as", "with");

    /**
     * @param turn    the message as a prepared turn: items and entities in order of mention
     * @param linked  the catalogue items it names, in order
     * @param unknown the title spans that resolve to no item, as written
     */
    public record Result(PreparedTurn turn, List<Integer> linked, List<String> unknown) {}

    private record Span(int start, int end, int item) {}

    private NamedTitles() {}

    public static Result of(Role role, String text, Environment env) {
        String readable = env.readable(text);
        List<Span> titles = new ArrayList<>();
        Set<String> unknown = new LinkedHashSet<>();
        Matcher q = QUOTED.matcher(readable);
        while (q.find()) {
            String title = q.group(1).strip();
            add(ItemNames.resolveTitle(title, env), title, q.start(), q.end(), titles, unknown);
        }
        Matcher y = WITH_YEAR.matcher(readable);
        while (y.find()) {
            // the longest run of words before "(year)" that is a title: "Alien, Aliens (1986)" is Aliens (1986)
            int start = titleStart(readable, y.start(1), y.end(1)), item = -1, at = start;
            Matcher w = WORD.matcher(readable).region(start, y.end(1));
            while (item < 0 && w.find()) {
                at = w.start();
                item = ItemNames.resolveTitle(readable.substring(at, y.end(1)) + " (" + y.group(2) + ")", env);
            }
            if (item < 0) at = unknownStart(readable, start, y.end(1));
            add(item, readable.substring(at, y.end(1)) + " (" + y.group(2) + ")", at, y.end(), titles, unknown);
        }
        // one ordered list of what the message names: whole titles, and the linker's mentions outside them
        List<int[]> named = new ArrayList<>(); // {position, entity, item}
        for (Span s : titles) named.add(new int[] {s.start(), env.data().itemEntity()[s.item()], s.item()});
        for (Mention m : env.link(readable)) {
            boolean inside = titles.stream().anyMatch(s -> m.start() < s.end() && m.end() > s.start());
            if (inside) continue;
            int item = env.itemOfMention(readable, m);
            named.add(new int[] {m.start(), item >= 0 && env.data().itemEntity()[item] >= 0 ? env.data().itemEntity()[item] : m.entity(), item});
        }
        named.sort(Comparator.comparingInt(a -> a[0]));
        var items = new it.unimi.dsi.fastutil.ints.IntLinkedOpenHashSet();
        var entities = new it.unimi.dsi.fastutil.ints.IntLinkedOpenHashSet();
        for (int[] n : named) {
            if (n[1] >= 0) entities.add(n[1]);
            if (n[2] >= 0) items.add(n[2]);
        }
        List<Integer> linked = new ArrayList<>();
        for (int i : items) linked.add(i);
        return new Result(new PreparedTurn(role, text, items.toIntArray(), entities.toIntArray()), linked, List.copyOf(unknown));
    }

    private static void add(int item, String title, int start, int end, List<Span> titles, Set<String> unknown) {
        if (title.isBlank()) return;
        if (item < 0) unknown.add(title);
        else if (titles.stream().noneMatch(s -> start < s.end() && end > s.start())) titles.add(new Span(start, end, item));
    }

    private static final Set<String> INNER = Set.of("of", "the", "and", "a", "an", "in", "on", "to", "at", "for", "from", "with", "de", "la", "le", "&");

    /**
     * Where an unknown title starts: the run of title-case words (and the small words titles hold, "of", "the")
     * that ends at the year, so that "Something scary now, not Moonfall (2022)" reports "Moonfall (2022)".
     */
    private static int unknownStart(String text, int from, int to) {
        List<int[]> words = new ArrayList<>();
        Matcher w = WORD.matcher(text).region(from, to);
        while (w.find()) words.add(new int[] {w.start(), w.end()});
        int k = words.size() - 1;
        while (k > 0) {
            String prev = text.substring(words.get(k - 1)[0], words.get(k - 1)[1]);
            boolean titleCase = Character.isUpperCase(prev.codePointAt(0)) || Character.isDigit(prev.codePointAt(0));
            if (prev.endsWith(",") || prev.endsWith(".") || prev.endsWith("!") || !(titleCase || INNER.contains(prev.toLowerCase(Locale.ROOT)))) break;
            k--;
        }
        while (k < words.size() - 1 && INNER.contains(text.substring(words.get(k)[0], words.get(k)[1]))) k++; // "not the": lower case only
        return words.isEmpty() ? from : words.get(k)[0];
    }

    /** Where the title of a with-year match starts: after the sentence's opening words ("I loved", "and"). */
    private static int titleStart(String text, int from, int to) {
        Matcher w = WORD.matcher(text).region(from, to);
        int start = from;
        while (w.find()) {
            start = w.start();
            if (w.end() >= to || !LEADING.contains(w.group().toLowerCase(Locale.ROOT))) break;
        }
        return start;
    }
}
