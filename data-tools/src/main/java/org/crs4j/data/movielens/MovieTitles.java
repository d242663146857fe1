package org.crs4j.data.movielens;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.crs4j.data.link.NormalizedText;

/** Title keys that let the same film match across catalogues: normalized name plus year. */
public final class MovieTitles {
    private static final Pattern TRAILING_ARTICLE =
            Pattern.compile("^(.*), (The|A|An|Les|La|Le|L'|Il|Das|Der|Die|El|Los|Las|Un|Une)$", Pattern.CASE_INSENSITIVE);
    private static final Pattern PAREN = Pattern.compile("\\s*\\(([^()]*)\\)");

    private MovieTitles() {}

    /** "American President, The" -> "The American President"; "Seven (a.k.a. Se7en)" -> "Seven". */
    public static String primaryName(String name) {
        String main = PAREN.matcher(name).replaceAll("").strip();
        if (main.isEmpty()) main = name.strip();
        return moveArticle(main);
    }

    /** Every name a title goes by: the primary one plus parenthesised alternatives ("a.k.a. Se7en", foreign titles). */
    public static List<String> names(String name) {
        List<String> out = new ArrayList<>();
        out.add(primaryName(name));
        Matcher m = PAREN.matcher(name);
        while (m.find()) {
            String alt = m.group(1).replaceFirst("^(?i)a\\.k\\.a\\.\\s*", "").strip();
            if (!alt.isEmpty()) out.add(moveArticle(alt));
        }
        return out;
    }

    private static String moveArticle(String s) {
        Matcher a = TRAILING_ARTICLE.matcher(s);
        return a.matches() ? a.group(2) + (a.group(2).endsWith("'") ? "" : " ") + a.group(1) : s;
    }

    /** The matching key: normalized name and year ("the american president|1995"). */
    public static String key(String name, int year) {
        return NormalizedText.normalize(name) + "|" + year;
    }
}
