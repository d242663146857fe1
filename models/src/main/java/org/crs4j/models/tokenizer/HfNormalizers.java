package org.crs4j.models.tokenizer;

import java.nio.charset.StandardCharsets;
import java.text.BreakIterator;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/** The {@code normalizer} section of a {@code tokenizer.json}: each kind as the Hugging Face tokenizers library applies it. */
final class HfNormalizers {
    private HfNormalizers() {}

    static UnaryOperator<String> parse(JsonNode node, HfJson json, String path) throws TokenizerFormatException {
        if (node == null || node.isNull()) return null;
        String type = json.type(node, path);
        return switch (type) {
            case "Sequence" -> {
                JsonNode list = json.array(node, "normalizers", path);
                List<UnaryOperator<String>> steps = new ArrayList<>();
                for (int i = 0; i < list.size(); i++) {
                    UnaryOperator<String> n = parse(list.get(i), json, path + ".normalizers[" + i + "]");
                    if (n != null) steps.add(n);
                }
                yield s -> {
                    for (UnaryOperator<String> n : steps) s = n.apply(s);
                    return s;
                };
            }
            case "NFC" -> s -> Normalizer.normalize(s, Normalizer.Form.NFC);
            case "NFD" -> s -> Normalizer.normalize(s, Normalizer.Form.NFD);
            case "NFKC" -> s -> Normalizer.normalize(s, Normalizer.Form.NFKC);
            case "NFKD" -> s -> Normalizer.normalize(s, Normalizer.Form.NFKD);
            case "Lowercase" -> s -> s.toLowerCase(Locale.ROOT);
            case "Strip" -> {
                boolean left = json.bool(node, "strip_left", false, path), right = json.bool(node, "strip_right", false, path);
                yield s -> strip(s, left, right);
            }
            case "StripAccents" -> HfNormalizers::stripAccents;
            case "Replace" -> {
                Pattern p = json.pattern(node, "pattern", path);
                String content = Matcher.quoteReplacement(json.string(node, "content", path));
                yield s -> p.matcher(s).replaceAll(content);
            }
            case "Prepend" -> {
                String prepend = json.string(node, "prepend", path);
                yield s -> s.isEmpty() ? s : prepend + s;
            }
            case "Nmt" -> HfNormalizers::nmt;
            case "ByteLevel" -> ByteLevelAlphabet::encode;
            case "Precompiled" -> {
                String b64 = json.stringOrNull(node, "precompiled_charsmap", path);
                if (b64 == null || b64.isEmpty()) yield null; // the library skips an empty charsmap too
                byte[] blob;
                try {
                    blob = Base64.getDecoder().decode(b64);
                } catch (IllegalArgumentException e) {
                    throw json.error(path + ".precompiled_charsmap", "not valid base64: " + e.getMessage());
                }
                PrecompiledCharsMap map = new PrecompiledCharsMap(blob, json.file);
                String[] ascii = new String[128]; // rule of each ASCII character alone, null = unchanged
                for (int c = 0; c < 128; c++) {
                    PrecompiledCharsMap.Match m = map.shortestMatch(new byte[] {(byte) c}, 0, 1);
                    if (m != null) ascii[c] = replacement(map, m);
                }
                yield s -> precompiled(map, ascii, s);
            }
            case "BertNormalizer" -> {
                boolean clean = json.bool(node, "clean_text", true, path);
                boolean chinese = json.bool(node, "handle_chinese_chars", true, path);
                boolean lower = json.bool(node, "lowercase", true, path);
                JsonNode sa = node.get("strip_accents");
                boolean stripAccents = sa == null || sa.isNull() ? lower : sa.asBoolean();
                yield s -> bert(s, clean, chinese, stripAccents, lower);
            }
            default -> throw json.error(path + ".type", "unsupported normalizer \"" + type + "\"");
        };
    }

    static String strip(String s, boolean left, boolean right) {
        int from = 0, to = s.length();
        if (left) while (from < to && isWhitespace(s.codePointAt(from))) from += Character.charCount(s.codePointAt(from));
        if (right) while (to > from && isWhitespace(s.codePointBefore(to))) to -= Character.charCount(s.codePointBefore(to));
        return s.substring(from, to);
    }

    /** Rust's {@code char::is_whitespace}: the Unicode White_Space property. */
    static boolean isWhitespace(int c) {
        return switch (c) {
            case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000 -> true;
            default -> c >= 0x2000 && c <= 0x200A;
        };
    }

    private static String stripAccents(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().filter(c -> Character.getType(c) != Character.NON_SPACING_MARK
                && Character.getType(c) != Character.ENCLOSING_MARK && Character.getType(c) != Character.COMBINING_SPACING_MARK)
                .forEach(out::appendCodePoint);
        return out.toString();
    }

    private static String nmt(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if ((c >= 0x01 && c <= 0x08) || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F || c == 0x8F || c == 0x9F) return;
            boolean space = c == 0x09 || c == 0x0A || c == 0x0C || c == 0x0D || c == 0x1680 || (c >= 0x200B && c <= 0x200F)
                    || c == 0x2028 || c == 0x2029 || c == 0x2581 || c == 0xFEFF || c == 0xFFFD;
            out.appendCodePoint(space ? ' ' : c);
        });
        return out.toString();
    }

    /**
     * Hugging Face's {@code Precompiled} normalizer: unlike SentencePiece it walks extended grapheme clusters, replaces
     * a cluster shorter than 6 bytes by the rule of its shortest matching prefix, and otherwise goes character by
     * character.
     */
    static String precompiled(PrecompiledCharsMap map, String[] ascii, String s) {
        // Fast path: in ASCII text without "\r\n" every character is its own grapheme cluster.
        boolean simple = true, changed = false;
        for (int i = 0; i < s.length() && simple; i++) {
            char c = s.charAt(i);
            simple = c < 128 && !(c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n');
            changed |= simple && ascii[c] != null;
        }
        if (simple) {
            if (!changed) return s;
            StringBuilder out = new StringBuilder(s.length());
            for (int i = 0; i < s.length(); i++) {
                String r = ascii[s.charAt(i)];
                if (r != null) out.append(r);
                else out.append(s.charAt(i));
            }
            return out.toString();
        }
        BreakIterator graphemes = BreakIterator.getCharacterInstance(Locale.ROOT);
        graphemes.setText(s);
        StringBuilder out = null;
        int start = graphemes.first();
        for (int end = graphemes.next(); end != BreakIterator.DONE; start = end, end = graphemes.next()) {
            String g = s.substring(start, end);
            byte[] b = g.getBytes(StandardCharsets.UTF_8);
            String replaced = null;
            if (b.length < 6) {
                PrecompiledCharsMap.Match m = map.shortestMatch(b, 0, b.length);
                if (m != null) replaced = replacement(map, m);
            }
            if (replaced == null) {
                StringBuilder sb = null;
                for (int i = 0; i < g.length(); ) {
                    int cp = g.codePointAt(i);
                    int n = Character.charCount(cp);
                    byte[] cb = g.substring(i, i + n).getBytes(StandardCharsets.UTF_8);
                    PrecompiledCharsMap.Match m = map.shortestMatch(cb, 0, cb.length);
                    if (m != null) {
                        if (sb == null) sb = new StringBuilder(g.substring(0, i));
                        sb.append(replacement(map, m));
                    } else if (sb != null) {
                        sb.appendCodePoint(cp);
                    }
                    i += n;
                }
                if (sb != null) replaced = sb.toString();
            }
            if (replaced != null && out == null) out = new StringBuilder(s.length()).append(s, 0, start);
            if (out != null) out.append(replaced != null ? replaced : g);
        }
        return out == null ? s : out.toString();
    }

    private static String replacement(PrecompiledCharsMap map, PrecompiledCharsMap.Match m) {
        return new String(map.replacements(), m.start(), m.end() - m.start(), StandardCharsets.UTF_8);
    }

    private static String bert(String s, boolean clean, boolean chinese, boolean stripAccents, boolean lower) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (clean) {
                if (c == 0 || c == 0xFFFD || isControl(c)) return;
                if (isWhitespace(c) || c == '\t' || c == '\n' || c == '\r') c = ' ';
            }
            if (chinese && isChinese(c)) out.append(' ').appendCodePoint(c).append(' ');
            else out.appendCodePoint(c);
        });
        String r = out.toString();
        if (stripAccents) r = stripAccents(Normalizer.normalize(r, Normalizer.Form.NFD));
        if (lower) r = r.toLowerCase(Locale.ROOT);
        return r;
    }

    private static boolean isControl(int c) {
        if (c == '\t' || c == '\n' || c == '\r') return false;
        int t = Character.getType(c);
        return t == Character.CONTROL || t == Character.FORMAT || t == Character.PRIVATE_USE || t == Character.SURROGATE
                || t == Character.UNASSIGNED;
    }

    private static boolean isChinese(int c) {
        return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF)
                || (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF)
                || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
    }
}
