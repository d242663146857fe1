package org.crs4j.crs.eval;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Distinct-n at the word level, as UniCRS and KBRD count it: the number of different word n-grams over all responses
 * divided by the number of responses (tokens from {@link Bleu#tokens}). CRSLab counts character n-grams instead, a
 * known bug (its issues #42 and #67) that is not copied here. UniCRS divides by the number of non-empty responses;
 * this divides by all of them, so a run with empty responses scores lower (the text-score report prints how many
 * were empty, for conversion).
 */
public final class Distinct {
    private Distinct() {}

    /** Distinct-n of tokenized responses; 0 for an empty list. */
    public static double distinct(List<List<String>> responses, int n) {
        if (n < 1) throw new IllegalArgumentException("Distinct-n needs n >= 1, got " + n);
        if (responses.isEmpty()) return 0;
        Set<List<String>> seen = new HashSet<>();
        for (List<String> r : responses) {
            for (int i = 0; i + n <= r.size(); i++) seen.add(r.subList(i, i + n));
        }
        return (double) seen.size() / responses.size();
    }
}
