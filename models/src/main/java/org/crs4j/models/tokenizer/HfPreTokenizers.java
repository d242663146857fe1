package org.crs4j.models.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The {@code pre_tokenizer} section of a {@code tokenizer.json}: rules that cut normalized text into the words the
 * model tokenizes one by one, following the Hugging Face tokenizers library's split behaviours.
 */
final class HfPreTokenizers {
    private HfPreTokenizers() {}

    /** A piece of text on its way to the model; {@code atStart} is true when it begins the input (Metaspace "first"). */
    record Split(String text, boolean atStart) {}

    interface PreTokenizer {
        void apply(Split in, List<Split> out);
    }

    enum Behavior { REMOVED, ISOLATED, MERGED_WITH_PREVIOUS, MERGED_WITH_NEXT, CONTIGUOUS }

    private static final Pattern GPT2 = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern WORDS = Pattern.compile("\\w+|[^\\w\\s]+", Pattern.UNICODE_CHARACTER_CLASS);

    static PreTokenizer parse(JsonNode node, HfJson json, String path) throws TokenizerFormatException {
        if (node == null || node.isNull()) return null;
        String type = json.type(node, path);
        return switch (type) {
            case "Sequence" -> {
                JsonNode list = json.array(node, "pretokenizers", path);
                List<PreTokenizer> steps = new ArrayList<>();
                for (int i = 0; i < list.size(); i++) {
                    PreTokenizer p = parse(list.get(i), json, path + ".pretokenizers[" + i + "]");
                    if (p != null) steps.add(p);
                }
                yield (in, out) -> {
                    List<Split> cur = List.of(in);
                    for (PreTokenizer p : steps) {
                        List<Split> next = new ArrayList<>();
                        for (Split s : cur) p.apply(s, next);
                        cur = next;
                    }
                    out.addAll(cur);
                };
            }
            case "ByteLevel" -> {
                boolean addPrefixSpace = json.bool(node, "add_prefix_space", true, path);
                boolean useRegex = json.bool(node, "use_regex", true, path);
                yield (in, out) -> {
                    String s = in.text();
                    if (addPrefixSpace && !s.startsWith(" ")) s = " " + s;
                    List<Split> parts = new ArrayList<>();
                    if (useRegex) split(new Split(s, in.atStart()), regexMatches(GPT2, s), Behavior.ISOLATED, parts);
                    else parts.add(new Split(s, in.atStart()));
                    for (Split p : parts) out.add(new Split(ByteLevelAlphabet.encode(p.text()), p.atStart()));
                };
            }
            case "Split" -> {
                Pattern p = json.pattern(node, "pattern", path);
                Behavior behavior = behavior(json.string(node, "behavior", path), json, path + ".behavior");
                boolean invert = json.bool(node, "invert", false, path);
                yield (in, out) -> split(in, invert(regexMatches(p, in.text()), invert), behavior, out);
            }
            case "Metaspace" -> metaspace(node, json, path);
            case "Digits" -> {
                boolean individual = json.bool(node, "individual_digits", false, path);
                yield (in, out) -> split(in, charMatches(in.text(), HfPreTokenizers::isNumeric),
                        individual ? Behavior.ISOLATED : Behavior.CONTIGUOUS, out);
            }
            case "Whitespace" -> (in, out) -> split(in, invert(regexMatches(WORDS, in.text()), true), Behavior.REMOVED, out);
            case "WhitespaceSplit" -> (in, out) -> split(in, charMatches(in.text(), HfNormalizers::isWhitespace), Behavior.REMOVED, out);
            case "CharDelimiterSplit" -> {
                int delimiter = json.codePoint(node, "delimiter", path);
                yield (in, out) -> split(in, charMatches(in.text(), c -> c == delimiter), Behavior.REMOVED, out);
            }
            case "Punctuation" -> {
                Behavior behavior = node.has("behavior")
                        ? behavior(json.string(node, "behavior", path), json, path + ".behavior") : Behavior.ISOLATED;
                yield (in, out) -> split(in, charMatches(in.text(), HfPreTokenizers::isPunctuation), behavior, out);
            }
            case "BertPreTokenizer" -> (in, out) -> {
                List<Split> words = new ArrayList<>();
                split(in, charMatches(in.text(), HfNormalizers::isWhitespace), Behavior.REMOVED, words);
                for (Split w : words) split(w, charMatches(w.text(), HfPreTokenizers::isPunctuation), Behavior.ISOLATED, out);
            };
            default -> throw json.error(path + ".type", "unsupported pre_tokenizer \"" + type + "\"");
        };
    }

    static PreTokenizer metaspace(JsonNode node, HfJson json, String path) throws TokenizerFormatException {
        int replacement = json.codePoint(node, "replacement", path);
        String rep = new String(Character.toChars(replacement));
        String scheme = metaspaceScheme(node, json, path);
        boolean splitWords = json.bool(node, "split", true, path);
        return (in, out) -> {
            String s = in.text().replace(" ", rep);
            if (!s.startsWith(rep) && (scheme.equals("always") || scheme.equals("first") && in.atStart())) s = rep + s;
            Split whole = new Split(s, in.atStart());
            if (splitWords) split(whole, charMatches(s, c -> c == replacement), Behavior.MERGED_WITH_NEXT, out);
            else out.add(whole);
        };
    }

    /** {@code prepend_scheme}, or the older {@code add_prefix_space} flag. */
    static String metaspaceScheme(JsonNode node, HfJson json, String path) throws TokenizerFormatException {
        String scheme = node.has("prepend_scheme") ? json.string(node, "prepend_scheme", path) : "always";
        if (!scheme.equals("always") && !scheme.equals("first") && !scheme.equals("never"))
            throw json.error(path + ".prepend_scheme", "expected always, first or never, found \"" + scheme + "\"");
        if (node.has("add_prefix_space") && !json.bool(node, "add_prefix_space", true, path)) scheme = "never";
        return scheme;
    }

    private static Behavior behavior(String s, HfJson json, String path) throws TokenizerFormatException {
        return switch (s) {
            case "Removed" -> Behavior.REMOVED;
            case "Isolated" -> Behavior.ISOLATED;
            case "MergedWithPrevious" -> Behavior.MERGED_WITH_PREVIOUS;
            case "MergedWithNext" -> Behavior.MERGED_WITH_NEXT;
            case "Contiguous" -> Behavior.CONTIGUOUS;
            default -> throw json.error(path, "unknown split behavior \"" + s + "\"");
        };
    }

    /** Rust's {@code char::is_numeric}: general categories Nd, Nl and No. */
    static boolean isNumeric(int c) {
        int t = Character.getType(c);
        return t == Character.DECIMAL_DIGIT_NUMBER || t == Character.LETTER_NUMBER || t == Character.OTHER_NUMBER;
    }

    static boolean isPunctuation(int c) {
        if (c < 128) return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
        return switch (Character.getType(c)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    // Matches as (start, end, isMatch) triples covering the whole text, like the library's Pattern::find_matches.

    static List<int[]> regexMatches(Pattern p, String s) {
        List<int[]> out = new ArrayList<>();
        if (s.isEmpty()) {
            out.add(new int[] {0, 0, 0});
            return out;
        }
        Matcher m = p.matcher(s);
        int prev = 0;
        while (m.find()) {
            if (m.start() == m.end()) continue; // empty matches produce empty splits, which are dropped anyway
            if (prev != m.start()) out.add(new int[] {prev, m.start(), 0});
            out.add(new int[] {m.start(), m.end(), 1});
            prev = m.end();
        }
        if (prev != s.length()) out.add(new int[] {prev, s.length(), 0});
        return out;
    }

    static List<int[]> charMatches(String s, IntPredicate isMatch) {
        List<int[]> out = new ArrayList<>();
        if (s.isEmpty()) {
            out.add(new int[] {0, 0, 0});
            return out;
        }
        int last = 0;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            int n = Character.charCount(c);
            if (isMatch.test(c)) {
                if (last < i) out.add(new int[] {last, i, 0});
                out.add(new int[] {i, i + n, 1});
                last = i + n;
            }
            i += n;
        }
        if (last < s.length()) out.add(new int[] {last, s.length(), 0});
        return out;
    }

    static List<int[]> invert(List<int[]> matches, boolean invert) {
        if (invert) for (int[] m : matches) m[2] = 1 - m[2];
        return matches;
    }

    /** {@code NormalizedString::split}: applies the behaviour to the matches and emits the non-empty pieces. */
    static void split(Split in, List<int[]> matches, Behavior behavior, List<Split> out) {
        List<int[]> pieces = new ArrayList<>(); // start, end, remove
        switch (behavior) {
            case ISOLATED -> { for (int[] m : matches) pieces.add(new int[] {m[0], m[1], 0}); }
            case REMOVED -> { for (int[] m : matches) pieces.add(new int[] {m[0], m[1], m[2]}); }
            case CONTIGUOUS -> {
                boolean prevMatch = false;
                for (int[] m : matches) {
                    boolean isMatch = m[2] == 1;
                    if (isMatch == prevMatch && !pieces.isEmpty()) pieces.getLast()[1] = m[1];
                    else pieces.add(new int[] {m[0], m[1], 0});
                    prevMatch = isMatch;
                }
            }
            case MERGED_WITH_PREVIOUS -> {
                boolean prevMatch = false;
                for (int[] m : matches) {
                    boolean isMatch = m[2] == 1;
                    if (isMatch && !prevMatch && !pieces.isEmpty()) pieces.getLast()[1] = m[1];
                    else pieces.add(new int[] {m[0], m[1], 0});
                    prevMatch = isMatch;
                }
            }
            case MERGED_WITH_NEXT -> {
                boolean prevMatch = false;
                for (int k = matches.size() - 1; k >= 0; k--) {
                    int[] m = matches.get(k);
                    boolean isMatch = m[2] == 1;
                    if (isMatch && !prevMatch && !pieces.isEmpty()) pieces.getLast()[0] = m[0];
                    else pieces.add(new int[] {m[0], m[1], 0});
                    prevMatch = isMatch;
                }
                java.util.Collections.reverse(pieces);
            }
        }
        String s = in.text();
        for (int[] p : pieces) {
            if (p[2] == 1 || p[0] == p[1]) continue;
            out.add(new Split(s.substring(p[0], p[1]), in.atStart() && p[0] == 0));
        }
    }
}
