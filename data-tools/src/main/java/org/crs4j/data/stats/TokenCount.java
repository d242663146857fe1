package org.crs4j.data.stats;

/**
 * Tokens per utterance roughly as NLTK's word tokenizer counts them (CRSLab's English tokenizer): runs of letters and
 * digits are words, a clitic such as "n't" or "'m" is its own token, each run of one punctuation character is a token.
 * Chinese and Japanese characters count one token each, so TG-ReDial's figure is in characters, not the pkuseg words
 * the paper counts.
 */
public final class TokenCount {
    private TokenCount() {}

    public static int count(String text) {
        int tokens = 0;
        int prevKind = 0; // 0 space, 1 word, 2 punctuation
        int prevPunct = -1;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int len = Character.charCount(cp);
            if (Character.isWhitespace(cp)) {
                prevKind = 0;
            } else if (isIdeograph(cp)) {
                tokens++;
                prevKind = 0;
            } else if (Character.isLetterOrDigit(cp)) {
                if (prevKind != 1) tokens++;
                prevKind = 1;
            } else if ((cp == '\'' || cp == '\u2019') && prevKind == 1 && i + len < text.length() && Character.isLetter(text.codePointAt(i + len))) {
                tokens++; // clitic: "do|n't", "I|'m"
                prevKind = 1;
                i += len;
                continue;
            } else {
                if (prevKind != 2 || cp != prevPunct) tokens++;
                prevKind = 2;
                prevPunct = cp;
            }
            i += len;
        }
        return tokens;
    }

    private static boolean isIdeograph(int cp) {
        Character.UnicodeScript s = Character.UnicodeScript.of(cp);
        return s == Character.UnicodeScript.HAN || s == Character.UnicodeScript.HIRAGANA || s == Character.UnicodeScript.KATAKANA;
    }
}
