package org.crs4j.crs.eval;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * BLEU exactly as NLTK 3.8's {@code nltk.translate.bleu_score} computes it, in the two forms conversational
 * recommendation papers report:
 * <ul>
 *   <li>{@link #crsBleu}: CRSLab's and UniCRS's BLEU-k, {@code sentence_bleu(refs, hyp, weights)} with all weight on
 *       order k (weights of length 4), no smoothing, averaged over responses — what the CRS tables (seed 003 Table 4)
 *       call BLEU-2 and BLEU-4;</li>
 *   <li>{@link #corpusBleu} with {@link #uniform}(n): NLTK's {@code corpus_bleu}, the cumulative BLEU-n of machine
 *       translation (clipped counts summed over the corpus, one brevity penalty).</li>
 * </ul>
 * NLTK's quirks are kept, since they are what the published numbers contain: a score is 0 when no unigram matches;
 * otherwise an order without any match contributes {@code log(2.2e-308)} (its "method0" smoothing), so a BLEU-4
 * without a 4-gram match is about 2e-308 times the brevity penalty, not 0; the closest reference length breaks ties
 * toward the shorter reference. Texts are tokenized by {@link #tokens}, the one tokenization of the text metrics.
 */
public final class Bleu {
    /** Orders CRSLab and UniCRS compute (their weight vectors have length 4). */
    public static final int CRS_ORDERS = 4;

    private Bleu() {}

    /**
     * The text metrics' tokens: lower case ({@link Locale#ROOT}), split at runs of whitespace as Python's
     * {@code str.split()} splits (Unicode spaces included), so an empty or blank text has no tokens. Case-insensitive
     * as seed 003 states; CRSLab splits at single spaces and does not lower-case, which only differs on such texts.
     * Chinese, Japanese and Korean text is written without spaces, so each of its characters (and each full-width
     * punctuation mark) is a token of its own, as sacreBLEU's {@code zh} tokenizer counts it; CRSLab segments
     * TG-ReDial into words with pkuseg instead, so our TG-ReDial BLEU is character BLEU, higher than word BLEU.
     */
    public static List<String> tokens(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        List<String> out = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < lower.length(); ) {
            int c = lower.codePointAt(i);
            int next = i + Character.charCount(c);
            boolean space = isPythonSpace(c), own = !space && isCjk(c);   // U+3000 is a CJK space, not a token
            if (space || own) {
                if (start >= 0) out.add(lower.substring(start, i));
                start = -1;
                if (own) out.add(lower.substring(i, next));
            } else if (start < 0) {
                start = i;
            }
            i = next;
        }
        if (start >= 0) out.add(lower.substring(start));
        return out;
    }

    /** A character of a script written without spaces, or East Asian punctuation: one token each. */
    static boolean isCjk(int c) {
        Character.UnicodeScript script = Character.UnicodeScript.of(c);
        if (script == Character.UnicodeScript.HAN || script == Character.UnicodeScript.HIRAGANA
                || script == Character.UnicodeScript.KATAKANA || script == Character.UnicodeScript.HANGUL) return true;
        Character.UnicodeBlock block = Character.UnicodeBlock.of(c);
        return block == Character.UnicodeBlock.CJK_SYMBOLS_AND_PUNCTUATION
                || (block == Character.UnicodeBlock.HALFWIDTH_AND_FULLWIDTH_FORMS && !Character.isLetterOrDigit(c));
    }

    /** Python's {@code str.isspace()}: Java's whitespace plus no-break spaces (Zs) and U+0085. */
    static boolean isPythonSpace(int c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }

    /**
     * What NLTK accumulates for one hypothesis: per order n (index n-1), the clipped n-gram matches and the
     * hypothesis' n-gram count (at least 1, NLTK's denominator), the hypothesis length and the closest reference
     * length. Summing counts over a corpus gives {@code corpus_bleu}'s statistics.
     */
    public record Counts(long[] matches, long[] totals, long hypothesisLength, long referenceLength) {
        public int orders() {
            return matches.length;
        }

        public Counts plus(Counts o) {
            long[] m = matches.clone(), t = totals.clone();
            for (int i = 0; i < m.length; i++) {
                m[i] += o.matches[i];
                t[i] += o.totals[i];
            }
            return new Counts(m, t, hypothesisLength + o.hypothesisLength, referenceLength + o.referenceLength);
        }

        public static Counts zero(int orders) {
            return new Counts(new long[orders], new long[orders], 0, 0);
        }
    }

    /** NLTK's {@code modified_precision} for orders 1..maxOrder, {@code closest_ref_length} and the lengths. */
    public static Counts counts(List<List<String>> references, List<String> hypothesis, int maxOrder) {
        if (references.isEmpty()) throw new IllegalArgumentException("a hypothesis needs at least one reference");
        if (maxOrder < 1) throw new IllegalArgumentException("maxOrder must be >= 1");
        long[] matches = new long[maxOrder], totals = new long[maxOrder];
        for (int n = 1; n <= maxOrder; n++) {
            Map<List<String>, Integer> hyp = ngrams(hypothesis, n);
            Map<List<String>, Integer> maxRef = new HashMap<>();
            for (List<String> ref : references) {
                Map<List<String>, Integer> r = ngrams(ref, n);
                for (List<String> g : hyp.keySet()) maxRef.merge(g, r.getOrDefault(g, 0), Math::max);
            }
            long clipped = 0, count = 0;
            for (var e : hyp.entrySet()) {
                clipped += Math.min(e.getValue(), maxRef.get(e.getKey()));
                count += e.getValue();
            }
            matches[n - 1] = clipped;
            totals[n - 1] = Math.max(1, count);
        }
        int h = hypothesis.size(), closest = references.get(0).size();
        for (List<String> ref : references) {
            int r = ref.size();
            if (Math.abs(r - h) < Math.abs(closest - h) || (Math.abs(r - h) == Math.abs(closest - h) && r < closest)) closest = r;
        }
        return new Counts(matches, totals, h, closest);
    }

    /** The n-grams of a token list with their counts (none when the list is shorter than n). */
    static Map<List<String>, Integer> ngrams(List<String> tokens, int n) {
        Map<List<String>, Integer> out = new HashMap<>();
        for (int i = 0; i + n <= tokens.size(); i++) out.merge(tokens.subList(i, i + n), 1, Integer::sum);
        return out;
    }

    /**
     * The BLEU of (corpus-summed) counts under the given weights, NLTK's formula: 0 when no unigram matches, else
     * {@code BP · exp(fsum(w_n · log p_n))} with unmatched orders at {@code p_n = Double.MIN_NORMAL} (NLTK's
     * {@code sys.float_info.min}).
     */
    public static double score(Counts c, double[] weights) {
        if (weights.length > c.orders()) throw new IllegalArgumentException(weights.length + " weights for counts of " + c.orders() + " orders");
        if (c.matches()[0] == 0) return 0;
        BigDecimal sum = BigDecimal.ZERO; // exact sum, then one rounding: Python's math.fsum
        for (int n = 0; n < weights.length; n++) {
            double p = c.matches()[n] == 0 ? Double.MIN_NORMAL : (double) c.matches()[n] / c.totals()[n];
            sum = sum.add(new BigDecimal(weights[n] * Math.log(p)));
        }
        return brevityPenalty(c.referenceLength(), c.hypothesisLength()) * Math.exp(sum.doubleValue());
    }

    /** NLTK's {@code brevity_penalty(closest_ref_len, hyp_len)}. */
    static double brevityPenalty(long referenceLength, long hypothesisLength) {
        if (hypothesisLength > referenceLength) return 1;
        if (hypothesisLength == 0) return 0;
        return Math.exp(1 - (double) referenceLength / hypothesisLength);
    }

    /** NLTK's {@code sentence_bleu(references, hypothesis, weights)} without smoothing. */
    public static double sentenceBleu(List<List<String>> references, List<String> hypothesis, double[] weights) {
        return score(counts(references, hypothesis, weights.length), weights);
    }

    /** NLTK's {@code corpus_bleu(list_of_references, hypotheses, weights)} without smoothing. */
    public static double corpusBleu(List<List<List<String>>> references, List<List<String>> hypotheses, double[] weights) {
        if (references.size() != hypotheses.size())
            throw new IllegalArgumentException(hypotheses.size() + " hypotheses but " + references.size() + " reference lists");
        Counts total = Counts.zero(weights.length);
        for (int i = 0; i < hypotheses.size(); i++) total = total.plus(counts(references.get(i), hypotheses.get(i), weights.length));
        return score(total, weights);
    }

    /** CRSLab/UniCRS BLEU-k of each hypothesis: sentence BLEU with weight 1 on order k of 4. */
    public static double[] crsBleu(List<List<List<String>>> references, List<List<String>> hypotheses, int k) {
        if (references.size() != hypotheses.size())
            throw new IllegalArgumentException(hypotheses.size() + " hypotheses but " + references.size() + " reference lists");
        double[] w = crsWeights(k), out = new double[hypotheses.size()];
        for (int i = 0; i < out.length; i++) out[i] = sentenceBleu(references.get(i), hypotheses.get(i), w);
        return out;
    }

    /** {@code [0, 0, 0, 0]} with a 1 at order k (1..4), as CRSLab and UniCRS build them. */
    public static double[] crsWeights(int k) {
        if (k < 1 || k > CRS_ORDERS) throw new IllegalArgumentException("BLEU-k needs 1 <= k <= " + CRS_ORDERS + ", got " + k);
        double[] w = new double[CRS_ORDERS];
        w[k - 1] = 1;
        return w;
    }

    /** NLTK's default cumulative weights for BLEU-n: {@code 1/n} on each order 1..n. */
    public static double[] uniform(int n) {
        if (n < 1) throw new IllegalArgumentException("BLEU-n needs n >= 1, got " + n);
        double[] w = new double[n];
        java.util.Arrays.fill(w, 1.0 / n);
        return w;
    }
}
