package org.crs4j.data.link;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Text cut into normalized tokens for name matching, each remembering where it came from. Normalization: Unicode
 * NFKD with accents dropped, lower case, possessive "'s" dropped ("Spielberg's" -> "spielberg"), other apostrophes removed inside words ("don't" -> "dont"), "&" read as
 * "and", any other non-letter/digit a separator. Chinese and Japanese characters are one token each, since those
 * scripts put no spaces between words.
 *
 * @param tokens      normalized tokens
 * @param starts      char offset in the original text where each token starts
 * @param ends        char offset (exclusive) where each token ends
 * @param capitalized whether each token began with an upper-case letter in the original text
 * @param sentenceStart whether each token is the first of a sentence (text start or after . ! ?)
 * @param afterTitleMark whether each token directly follows an opening Chinese title mark 《 (how Chinese text quotes
 *                    a film's title)
 * @param titleCase   whether most words are capitalized ("What Movies Can I Recommend?"), in which case
 *                    capitalization says nothing about names
 */
public record NormalizedText(String[] tokens, int[] starts, int[] ends, boolean[] capitalized, boolean[] sentenceStart,
                             boolean[] afterTitleMark, boolean titleCase) {
    /** "it's", "that's": contractions of "is", not possessives. */
    private static final java.util.Set<String> IS_CONTRACTIONS = java.util.Set.of("it", "that", "he", "she", "what", "there",
            "here", "who", "where", "how", "let", "this", "everything", "nothing", "something", "someone", "everyone");

    public int size() { return tokens.length; }

    public static NormalizedText of(String text) {
        List<String> tokens = new ArrayList<>();
        List<int[]> spans = new ArrayList<>();
        List<Boolean> caps = new ArrayList<>(), sent = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int curStart = -1;
        boolean curCap = false, atSentenceStart = true, curSentence = false;
        int n = text.length();
        for (int i = 0; i < n; ) {
            int cp = text.codePointAt(i);
            int len = Character.charCount(cp);
            if (isIdeograph(cp)) {
                if (cur.length() > 0) { flush(tokens, spans, caps, sent, cur, curStart, i, curCap, curSentence); }
                tokens.add(fold(new String(Character.toChars(cp))));
                spans.add(new int[] {i, i + len});
                caps.add(false);
                sent.add(atSentenceStart);
                atSentenceStart = false;
            } else if (Character.isLetterOrDigit(cp)) {
                if (cur.length() == 0) {
                    curStart = i;
                    curCap = Character.isUpperCase(cp) || Character.isTitleCase(cp);
                    curSentence = atSentenceStart;
                    atSentenceStart = false;
                }
                cur.appendCodePoint(cp);
            } else if ((cp == '\'' || cp == '\u2019') && cur.length() > 0 && i + len < n && Character.isLetter(text.codePointAt(i + len))) {
                // possessive 's is dropped ("Spielberg's" -> "spielberg", in names and text alike);
                // other apostrophes join the word ("don't" -> "dont")
                int next = text.codePointAt(i + len);
                boolean possessive = (next == 's' || next == 'S') && (i + len + 1 >= n || !Character.isLetterOrDigit(text.codePointAt(i + len + 1)));
                if (possessive && !IS_CONTRACTIONS.contains(cur.toString().toLowerCase(Locale.ROOT))) len += 1;
            } else if (cp == '&') {
                if (cur.length() > 0) flush(tokens, spans, caps, sent, cur, curStart, i, curCap, curSentence);
                tokens.add("and");
                spans.add(new int[] {i, i + 1});
                caps.add(false);
                sent.add(false);
            } else {
                if (cur.length() > 0) flush(tokens, spans, caps, sent, cur, curStart, i, curCap, curSentence);
                if (cp == '.' || cp == '!' || cp == '?' || cp == '\n' || cp == '\u3002' || cp == '\uff01' || cp == '\uff1f') atSentenceStart = true;
            }
            i += len;
        }
        if (cur.length() > 0) flush(tokens, spans, caps, sent, cur, curStart, n, curCap, curSentence);
        int m = tokens.size();
        int[] starts = new int[m], ends = new int[m];
        boolean[] c = new boolean[m], s = new boolean[m], mark = new boolean[m];
        for (int i = 0; i < m; i++) {
            starts[i] = spans.get(i)[0];
            ends[i] = spans.get(i)[1];
            c[i] = caps.get(i);
            s[i] = sent.get(i);
            int k = starts[i] - 1;
            while (k >= 0 && Character.isWhitespace(text.charAt(k))) k--;
            mark[i] = k >= 0 && text.charAt(k) == '\u300a';
        }
        int words = 0, capitalizedWords = 0;
        for (int i = 0; i < m; i++) {
            if (!Character.isLetter(tokens.get(i).codePointAt(0)) || isIdeograph(tokens.get(i).codePointAt(0))) continue;
            words++;
            if (c[i]) capitalizedWords++;
        }
        boolean title = words >= 5 && capitalizedWords >= 0.8 * words;
        return new NormalizedText(tokens.toArray(String[]::new), starts, ends, c, s, mark, title);
    }

    /** The normalized form of a name: its tokens joined by single spaces. */
    public static String normalize(String name) {
        return String.join(" ", of(name).tokens());
    }

    private static void flush(List<String> tokens, List<int[]> spans, List<Boolean> caps, List<Boolean> sent,
                              StringBuilder cur, int start, int end, boolean cap, boolean sentence) {
        String f = fold(cur.toString());
        cur.setLength(0);
        if (f.isEmpty()) return;
        tokens.add(f);
        spans.add(new int[] {start, end});
        caps.add(cap);
        sent.add(sentence);
    }

    static String fold(String s) {
        boolean ascii = true;
        for (int i = 0; i < s.length() && ascii; i++) ascii = s.charAt(i) < 128;
        if (ascii) return s.toLowerCase(Locale.ROOT);
        String d = Normalizer.normalize(s, Normalizer.Form.NFKD);
        StringBuilder sb = new StringBuilder(d.length());
        for (int i = 0; i < d.length(); ) {
            int cp = d.codePointAt(i);
            if (Character.getType(cp) != Character.NON_SPACING_MARK && (Character.isLetterOrDigit(cp) || isIdeograph(cp)))
                sb.appendCodePoint(Character.toLowerCase(cp));
            i += Character.charCount(cp);
        }
        return sb.toString();
    }

    public static boolean isIdeograph(int cp) {
        Character.UnicodeScript s = Character.UnicodeScript.of(cp);
        return s == Character.UnicodeScript.HAN || s == Character.UnicodeScript.HIRAGANA || s == Character.UnicodeScript.KATAKANA;
    }
}
