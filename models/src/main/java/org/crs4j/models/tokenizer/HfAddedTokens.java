package org.crs4j.models.tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * The {@code added_tokens} of a {@code tokenizer.json} (special tokens such as {@code <|begin_of_text|>} and
 * {@code </s>}): found in the text before the model runs and never split. Matching is leftmost-longest, as the
 * library's Aho-Corasick automaton does; tokens with {@code normalized: false} are matched in the raw text, the
 * others in the normalized text. {@code single_word}, {@code lstrip} and {@code rstrip} behave as in the library.
 */
final class HfAddedTokens {
    record AddedToken(int id, String content, boolean singleWord, boolean lstrip, boolean rstrip, boolean normalized,
                      boolean special) {}

    /** A piece of text that is either an added token ({@code id >= 0}) or still to be tokenized. */
    record Segment(String text, int id, boolean atStart) {}

    private static final Pattern WORD_END = Pattern.compile("\\w$", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern WORD_START = Pattern.compile("^\\w", Pattern.UNICODE_CHARACTER_CLASS);

    final List<AddedToken> tokens;
    private final ContentMatcher raw, normalized;

    HfAddedTokens(List<AddedToken> tokens, UnaryOperator<String> normalizer) {
        this.tokens = List.copyOf(tokens);
        List<AddedToken> rawTokens = new ArrayList<>(), normTokens = new ArrayList<>();
        List<String> normContents = new ArrayList<>();
        for (AddedToken t : tokens) {
            if (t.content().isEmpty()) continue;
            if (t.normalized()) {
                normTokens.add(t);
                normContents.add(normalizer == null ? t.content() : normalizer.apply(t.content()));
            } else {
                rawTokens.add(t);
            }
        }
        List<String> rawContents = rawTokens.stream().map(AddedToken::content).toList();
        raw = rawTokens.isEmpty() ? null : new ContentMatcher(rawTokens, rawContents);
        normalized = normTokens.isEmpty() ? null : new ContentMatcher(normTokens, normContents);
    }

    /** Splits off the tokens matched in raw text. */
    void splitRaw(Segment in, List<Segment> out) {
        split(in, raw, out);
    }

    /** Splits off the tokens matched in normalized text. */
    void splitNormalized(Segment in, List<Segment> out) {
        split(in, normalized, out);
    }

    private static void split(Segment in, ContentMatcher m, List<Segment> out) {
        String s = in.text();
        if (m == null) {
            if (!s.isEmpty()) out.add(in);
            return;
        }
        int startOffset = 0;
        int pos = 0;
        while (pos < s.length()) {
            int[] found = m.leftmostLongest(s, pos);
            if (found == null) break;
            int start = found[0], stop = found[1];
            AddedToken t = m.tokens.get(found[2]);
            pos = stop;
            if (t.singleWord()) {
                boolean startSpace = start == 0 || !WORD_END.matcher(s.substring(0, start)).find();
                boolean stopSpace = stop == s.length() || !WORD_START.matcher(s.substring(stop)).find();
                if (!startSpace || !stopSpace) continue;
            }
            if (t.lstrip()) {
                int newStart = start;
                while (newStart > 0 && HfNormalizers.isWhitespace(s.codePointBefore(newStart)))
                    newStart -= Character.charCount(s.codePointBefore(newStart));
                start = Math.max(newStart, startOffset);
            }
            if (t.rstrip()) {
                while (stop < s.length() && HfNormalizers.isWhitespace(s.codePointAt(stop)))
                    stop += Character.charCount(s.codePointAt(stop));
                pos = stop;
            }
            if (startOffset < start) out.add(new Segment(s.substring(startOffset, start), -1, in.atStart() && startOffset == 0));
            out.add(new Segment(s.substring(start, stop), t.id(), in.atStart() && start == 0));
            startOffset = stop;
        }
        if (startOffset < s.length()) out.add(new Segment(s.substring(startOffset), -1, in.atStart() && startOffset == 0));
    }

    /** Leftmost-longest search over a set of strings, indexed by first character. */
    private static final class ContentMatcher {
        final List<AddedToken> tokens;
        private final Map<Character, List<Integer>> byFirst = new HashMap<>(); // token indices, longest first
        private final java.util.BitSet firstChars = new java.util.BitSet(); // quick rejection without boxing
        private final List<String> contents;

        ContentMatcher(List<AddedToken> tokens, List<String> contents) {
            this.tokens = tokens;
            this.contents = contents;
            for (int i = 0; i < contents.size(); i++) {
                if (contents.get(i).isEmpty()) continue;
                byFirst.computeIfAbsent(contents.get(i).charAt(0), k -> new ArrayList<>()).add(i);
                firstChars.set(contents.get(i).charAt(0));
            }
            for (List<Integer> l : byFirst.values()) l.sort((a, b) -> contents.get(b).length() - contents.get(a).length());
        }

        /** {start, end, token index} of the leftmost match at or after {@code from}, longest there; or null. */
        int[] leftmostLongest(String s, int from) {
            for (int i = from; i < s.length(); i++) {
                if (!firstChars.get(s.charAt(i))) continue;
                List<Integer> candidates = byFirst.get(s.charAt(i));
                if (candidates == null) continue;
                for (int k : candidates) {
                    String c = contents.get(k);
                    if (s.startsWith(c, i)) return new int[] {i, i + c.length(), k};
                }
            }
            return null;
        }
    }
}
