package org.crs4j.crs.llmcrs;

import java.util.List;
import java.util.Locale;
import org.crs4j.crs.llmcrs.experts.ExpertRegistry;

/**
 * Reads the model-matching answer: the registered id of the sub-task's candidates that the answer names, where an id
 * counts only as a whole word (not inside a longer id or word); the earliest in the answer wins, the longer id on a
 * tie ("movielens-popularity" over "popularity"). Null when the answer names none. Never throws.
 */
public final class ExpertChoice {
    private ExpertChoice() {}

    public static ExpertRegistry.Registered parse(String answer, List<ExpertRegistry.Registered> candidates) {
        if (answer == null) return null;
        String a = answer.toLowerCase(Locale.ROOT);
        ExpertRegistry.Registered best = null;
        int bestAt = Integer.MAX_VALUE;
        for (ExpertRegistry.Registered c : candidates) {
            String id = c.id().toLowerCase(Locale.ROOT);
            for (int at = a.indexOf(id); at >= 0; at = a.indexOf(id, at + 1)) {
                boolean startOk = at == 0 || !idChar(a, at - 1);
                int end = at + id.length();
                boolean endOk = end == a.length() || !idChar(a, end);
                if (!startOk || !endOk) continue;
                if (at < bestAt || (at == bestAt && id.length() > best.id().length())) { best = c; bestAt = at; }
                break;
            }
        }
        return best;
    }

    /** Whether the char at i continues an id: a letter, digit, '-' or '_', or a '.' between such chars. */
    private static boolean idChar(String s, int i) {
        char c = s.charAt(i);
        if (Character.isLetterOrDigit(c) || c == '-' || c == '_') return true;
        return c == '.' && i > 0 && i + 1 < s.length() && Character.isLetterOrDigit(s.charAt(i - 1)) && Character.isLetterOrDigit(s.charAt(i + 1));
    }
}
