package org.crs4j.crs.llm;

import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.crs4j.data.link.NormalizedText;

/**
 * Finds which catalogue title an LLM meant: seed 003 §4's fuzzy rule, "90 % token overlap".
 *
 * <p>Exactly: a title's tokens are those of {@code data.link.NormalizedText} (accents dropped, lower case,
 * punctuation as separators, "&amp;" read as "and"), after a year in brackets — "(1995)" or "[1995]" — is taken out
 * as the title's year, apostrophes are removed ("Ocean's" = "Oceans"), a trailing ", The" / ", A" / ", An" is moved
 * to the front, and with these changes: a leading article (the, a, an) is dropped unless it is the only token; Roman numerals
 * II–XX become digits ("Rocky II" = "Rocky 2"). The overlap of two titles is the size of the intersection of their
 * token multisets divided by the size of the larger one; they match when it is at least 0.9 and, when both carry a
 * year, the years are equal. Dividing by the larger set makes the rule symmetric and keeps sequels apart: "The
 * Conjuring" and "The Conjuring 2" overlap 1/2. Below ten tokens 0.9 means the same tokens; from ten on, one token
 * may differ.
 */
public final class TitleMatcher {
    /** The share of tokens seed 003 requires in common. */
    public static final double THRESHOLD = 0.9;

    private static final Pattern BRACKET_YEAR = Pattern.compile("[(\\[]\\s*((?:18|19|20)\\d\\d)\\s*[)\\]]");
    private static final Pattern TRAILING_ARTICLE = Pattern.compile("^(.*\\S)\\s*,\\s*(the|a|an)\\s*$", Pattern.CASE_INSENSITIVE);
    private static final Pattern APOSTROPHES = Pattern.compile("['\u2019\u2018\u02bc`\u00b4]");
    private static final String[] ROMAN = {"ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii",
            "xiv", "xv", "xvi", "xvii", "xviii", "xix", "xx"};
    private static final Map<String, String> NUMERALS = new HashMap<>();

    static {
        // "i" stays a word ("I, Robot"); mapping "v" and "x" too is harmless, since both sides are mapped alike
        for (int i = 0; i < ROMAN.length; i++) NUMERALS.put(ROMAN[i], String.valueOf(i + 2));
    }

    /**
     * A title reduced to what the rule compares.
     *
     * @param year 0 when the text gives none
     */
    public record Title(List<String> tokens, int year) {}

    private final List<Title> titles = new ArrayList<>();
    private final Map<String, IntArrayList> postings = new HashMap<>();

    /** An index over the titles, e.g. a candidate list or the whole catalogue (position = index returned). */
    public TitleMatcher(List<String> titles) {
        for (int i = 0; i < titles.size(); i++) {
            Title t = parse(titles.get(i));
            this.titles.add(t);
            for (String tok : new java.util.HashSet<>(t.tokens())) postings.computeIfAbsent(tok, k -> new IntArrayList()).add(i);
        }
    }

    public static Title parse(String text) {
        int year = 0;
        Matcher y = BRACKET_YEAR.matcher(text);
        StringBuilder rest = new StringBuilder();
        int last = 0;
        while (y.find()) {
            year = Integer.parseInt(y.group(1)); // the last bracketed year counts ("Heat (1995) (remastered) (1995)")
            rest.append(text, last, y.start()).append(' ');
            last = y.end();
        }
        rest.append(text.substring(last));
        // apostrophes go before tokenizing, so "Ocean's Eleven" and "Oceans Eleven" read alike
        String s = APOSTROPHES.matcher(rest.toString()).replaceAll("").strip();
        Matcher a = TRAILING_ARTICLE.matcher(s);
        if (a.matches()) s = a.group(2) + " " + a.group(1);
        List<String> tokens = new ArrayList<>();
        for (String tok : NormalizedText.of(s).tokens()) tokens.add(NUMERALS.getOrDefault(tok, tok));
        if (tokens.size() > 1 && (tokens.get(0).equals("the") || tokens.get(0).equals("a") || tokens.get(0).equals("an"))) tokens.remove(0);
        return new Title(List.copyOf(tokens), year);
    }

    /** Shared tokens (as multisets) over the larger token count; 0 when either has no tokens. */
    public static double overlap(Title a, Title b) {
        if (a.tokens().isEmpty() || b.tokens().isEmpty()) return 0;
        Map<String, Integer> counts = new HashMap<>();
        for (String t : a.tokens()) counts.merge(t, 1, Integer::sum);
        int shared = 0;
        for (String t : b.tokens()) {
            Integer c = counts.get(t);
            if (c != null && c > 0) {
                shared++;
                counts.put(t, c - 1);
            }
        }
        return (double) shared / Math.max(a.tokens().size(), b.tokens().size());
    }

    public static boolean matches(Title a, Title b) {
        if (a.year() != 0 && b.year() != 0 && a.year() != b.year()) return false;
        return overlap(a, b) >= THRESHOLD;
    }

    public static boolean matches(String a, String b) {
        return matches(parse(a), parse(b));
    }

    /**
     * The indexed title the text matches, or -1: the highest overlap, then one whose year equals the text's, then the
     * lowest index (for a candidate list: the recommender's better-ranked item).
     */
    public int match(String text) {
        Title q = parse(text);
        int best = -1;
        double bestOverlap = -1;
        boolean bestYear = false;
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (String tok : q.tokens()) {
            IntArrayList list = postings.get(tok);
            if (list == null) continue;
            for (int i = 0; i < list.size(); i++) {
                int idx = list.getInt(i);
                if (!seen.add(idx)) continue;
                Title t = titles.get(idx);
                if (!matches(q, t)) continue;
                double o = overlap(q, t);
                boolean year = q.year() != 0 && q.year() == t.year();
                if (o > bestOverlap || (o == bestOverlap && year && !bestYear) || (o == bestOverlap && year == bestYear && idx < best)) {
                    best = idx;
                    bestOverlap = o;
                    bestYear = year;
                }
            }
        }
        return best;
    }

    public int size() {
        return titles.size();
    }
}
