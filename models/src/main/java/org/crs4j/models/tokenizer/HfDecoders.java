package org.crs4j.models.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/** The {@code decoder} section of a {@code tokenizer.json}: token strings back to text, step by step. */
final class HfDecoders {
    private HfDecoders() {}

    interface Decoder {
        List<String> decodeChain(List<String> tokens);
    }

    static Decoder parse(JsonNode node, HfJson json, String path) throws TokenizerFormatException {
        if (node == null || node.isNull()) return null;
        String type = json.type(node, path);
        return switch (type) {
            case "Sequence" -> {
                JsonNode list = json.array(node, "decoders", path);
                List<Decoder> steps = new ArrayList<>();
                for (int i = 0; i < list.size(); i++) {
                    Decoder d = parse(list.get(i), json, path + ".decoders[" + i + "]");
                    if (d != null) steps.add(d);
                }
                yield tokens -> {
                    for (Decoder d : steps) tokens = d.decodeChain(tokens);
                    return tokens;
                };
            }
            case "ByteLevel" -> HfDecoders::byteLevel;
            case "Metaspace" -> {
                int replacement = json.codePoint(node, "replacement", path);
                boolean prepends = !HfPreTokenizers.metaspaceScheme(node, json, path).equals("never");
                yield tokens -> {
                    List<String> out = new ArrayList<>(tokens.size());
                    for (int i = 0; i < tokens.size(); i++) {
                        StringBuilder sb = new StringBuilder();
                        int first = i;
                        tokens.get(i).codePoints().forEach(c -> {
                            if (c != replacement) sb.appendCodePoint(c);
                            else if (!(first == 0 && prepends)) sb.append(' ');
                        });
                        out.add(sb.toString());
                    }
                    return out;
                };
            }
            case "ByteFallback" -> HfDecoders::byteFallback;
            case "Fuse" -> tokens -> List.of(String.join("", tokens));
            case "Strip" -> {
                int content = json.codePoint(node, "content", path);
                int start = json.integer(node, "start", 0, path), stop = json.integer(node, "stop", 0, path);
                yield tokens -> {
                    List<String> out = new ArrayList<>(tokens.size());
                    for (String t : tokens) out.add(strip(t, content, start, stop));
                    return out;
                };
            }
            case "Replace" -> {
                Pattern p = json.pattern(node, "pattern", path);
                String content = java.util.regex.Matcher.quoteReplacement(json.string(node, "content", path));
                yield tokens -> {
                    List<String> out = new ArrayList<>(tokens.size());
                    for (String t : tokens) out.add(p.matcher(t).replaceAll(content));
                    return out;
                };
            }
            case "WordPiece" -> {
                String prefix = node.has("prefix") ? json.string(node, "prefix", path) : "##";
                boolean cleanup = json.bool(node, "cleanup", true, path);
                yield tokens -> {
                    List<String> out = new ArrayList<>(tokens.size());
                    for (int i = 0; i < tokens.size(); i++) {
                        String t = tokens.get(i);
                        if (i != 0) t = t.startsWith(prefix) ? t.substring(prefix.length()) : " " + t;
                        out.add(cleanup ? cleanup(t) : t);
                    }
                    return out;
                };
            }
            case "BPEDecoder" -> {
                String suffix = node.has("suffix") ? json.string(node, "suffix", path) : "</w>";
                yield tokens -> {
                    List<String> out = new ArrayList<>(tokens.size());
                    for (int i = 0; i < tokens.size(); i++)
                        out.add(tokens.get(i).replace(suffix, i == tokens.size() - 1 ? "" : " "));
                    return out;
                };
            }
            default -> throw json.error(path + ".type", "unsupported decoder \"" + type + "\"");
        };
    }

    /** Characters of the byte-level alphabet back to bytes (tokens outside it as their own UTF-8), then lossy UTF-8. */
    private static List<String> byteLevel(List<String> tokens) {
        ByteBuf bytes = new ByteBuf(64);
        for (String t : tokens) {
            boolean all = true;
            for (int i = 0; i < t.length() && all; i++) all = ByteLevelAlphabet.byteOf(t.charAt(i)) >= 0;
            if (all) for (int i = 0; i < t.length(); i++) bytes.append((byte) ByteLevelAlphabet.byteOf(t.charAt(i)));
            else bytes.append(Utf8.bytes(t));
        }
        return List.of(new String(bytes.array(), 0, bytes.size(), StandardCharsets.UTF_8));
    }

    /** Runs of {@code <0xNN>} tokens become their UTF-8 text, or one U+FFFD per byte when the run is not valid UTF-8. */
    private static List<String> byteFallback(List<String> tokens) {
        List<String> out = new ArrayList<>(tokens.size());
        ByteBuf run = new ByteBuf(16);
        for (String t : tokens) {
            int b = SpmVocab.pieceToByte(t.length() == 6 ? t.substring(0, 3) + t.substring(3, 5).toUpperCase(java.util.Locale.ROOT) + ">" : t);
            if (b >= 0) {
                run.append((byte) b);
                continue;
            }
            flush(run, out);
            out.add(t);
        }
        flush(run, out);
        return out;
    }

    private static void flush(ByteBuf run, List<String> out) {
        if (run.size() == 0) return;
        byte[] b = java.util.Arrays.copyOf(run.array(), run.size());
        if (isValidUtf8(b)) out.add(new String(b, StandardCharsets.UTF_8));
        else for (int i = 0; i < b.length; i++) out.add("\uFFFD");
        run.setSize(0);
    }

    private static boolean isValidUtf8(byte[] b) {
        for (int p = 0; p < b.length; ) {
            int n = Utf8.validCharLen(b, p, b.length);
            if (n < 0) return false;
            p += n;
        }
        return true;
    }

    private static String strip(String t, int content, int start, int stop) {
        int[] cps = t.codePoints().toArray();
        int from = 0;
        for (int i = 0; i < Math.min(start, cps.length); i++) {
            if (cps[i] == content) from = i + 1;
            else break;
        }
        int to = cps.length;
        for (int i = 0; i < stop && cps.length - i - 1 >= 0; i++) {
            int index = cps.length - i - 1;
            if (cps[index] == content) to = index;
            else break;
        }
        return to <= from ? "" : new String(cps, from, to - from);
    }

    /** WordPiece's cleanup of tokenization spaces before punctuation and in English contractions. */
    private static String cleanup(String s) {
        return s.replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ,", ",").replace(" ' ", "'")
                .replace(" n't", "n't").replace(" 'm", "'m").replace(" do not", " don't").replace(" 's", "'s")
                .replace(" 've", "'ve").replace(" 're", "'re");
    }
}
