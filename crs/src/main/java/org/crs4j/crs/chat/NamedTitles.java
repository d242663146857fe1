package org.crs4j.crs.chat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.crs4j.crs.llmcrs.Environment;
import org.crs4j.crs.llmcrs.ItemNames;
import org.crs4j.data.model.Role;

/**
 * What a user's message names, read as the chat shows it back: the catalogue items the entity linker finds (the
 * linker of {@code data prepare}, titles included), and the titles the user clearly meant but the catalogue does
 * not have. A title is "clearly meant" when it is quoted ({@code "Dune"}) or written with its year
 * ({@code Dune (2021)}); such a span that resolves to no item (exact name and year, without a leading article,
 * seed 003's fuzzy rule) is reported as unknown rather than silently dropped. Unquoted titles without a year are
 * left to the linker: a capitalised phrase is too often not a title.
 */
public final class NamedTitles {
    private static final Pattern QUOTED = Pattern.compile("[\"“«]([^\"”»]{2,120})[\"”»]");
    private static final Pattern WITH_YEAR = Pattern.compile("((?:[\\p{Lu}\\d][\\p{L}\\d'’:&.\\-]*)(?:\\s+[\\p{L}\\d'’:&.\\-]+){0,12}?)\\s*\\(((?:18|19|20)\\d\\d)\\)");
    private static final Set<String> LEADING = Set.of("i", "loved", "love", "liked", "like", "saw", "watched", "seen", "and", "or", "but",
            "also", "the movie", "movie", "film", "enjoyed", "hated", "about", "is", "was", "what", "who", "how", "did", "you", "have");

    /** @param linked catalogue indices, in order of mention; @param unknown the unresolved title spans, as written */
    public record Result(List<Integer> linked, List<String> unknown) {}

    private NamedTitles() {}

    public static Result of(String text, Environment env) {
        List<Integer> linked = new ArrayList<>();
        for (int i : env.turn(Role.SEEKER, text).items()) linked.add(i);
        Set<String> unknown = new LinkedHashSet<>();
        Matcher q = QUOTED.matcher(text);
        while (q.find()) check(q.group(1).strip(), env, linked, unknown);
        Matcher y = WITH_YEAR.matcher(text);
        while (y.find()) check(trimLeading(y.group(1)) + " (" + y.group(2) + ")", env, linked, unknown);
        return new Result(linked, List.copyOf(unknown));
    }

    private static void check(String span, Environment env, List<Integer> linked, Set<String> unknown) {
        if (span.isBlank()) return;
        int item = ItemNames.resolve(span, env);
        if (item < 0) unknown.add(span);
        else if (!linked.contains(item)) linked.add(item);
    }

    /** "I loved Dune (2021)" matches from "I": drops the words before the title that are plainly not part of it. */
    private static String trimLeading(String span) {
        String[] w = span.strip().split("\\s+");
        int start = 0;
        while (start < w.length - 1 && LEADING.contains(w[start].toLowerCase(java.util.Locale.ROOT))) start++;
        return String.join(" ", java.util.Arrays.copyOfRange(w, start, w.length));
    }
}
