package org.crs4j.io.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

/**
 * Mutation operators shared by the reader families' fuzz tests: bytes (bit flips, truncation, splices), JSON (values
 * replaced by extreme or ill-typed ones, text edits, deep nesting, trailing content, repeated keys), lines (CSV, JSON
 * Lines, TSV: dropped, repeated or broken lines, invalid UTF-8, quotes) and gzip (valid, cut, corrupted or empty).
 */
public final class Mutators {
    private Mutators() {}

    /** Values that break declared sizes and types: near 2^31 and 2^63, negative, fractional, ill-typed. */
    public static final String[] JSON_VALUES = {
        "-1", "0", "1", "2", "3", "7", "64", "100000", "2147483647", "2147483648", "-2147483648", "1073741824", "1000000000",
        "4294967296", "9223372036854775807", "99999999999999999999999", "1.5", "5.0", "1e9", "1e308", "1e400", "-0", "\"\"",
        "\"x\"", "\"float99\"", "\"bfloat16\"", "null", "true", "false", "[]", "{}", "[1,2]", "[-1]", "[2147483647]",
        "{\"type\":\"x\"}", "\"\\u0000\""};

    private static final Pattern JSON_TOKEN =
            Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|-?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?|true|false|null");
    private static final String NOISE = "{}[],:\"0123456789-.eE \\a_\u00e9\u0000\n";

    // ------------------------------------------------------------------ bytes

    public static byte[] bytes(byte[] base, SplittableRandom rng) {
        if (base.length == 0) return new byte[] {(byte) rng.nextInt(256)};
        return switch (rng.nextInt(6)) {
            case 0 -> flipBits(base, rng, 1 + rng.nextInt(8));
            case 1 -> Arrays.copyOf(base, rng.nextInt(base.length));
            case 2 -> splice(base, rng);
            case 3 -> overwriteInt(base, rng);
            case 4 -> insertBytes(base, rng);
            default -> flipBits(Arrays.copyOf(base, rng.nextInt(base.length) + 1), rng, 2);
        };
    }

    public static byte[] flipBits(byte[] base, SplittableRandom rng, int flips) {
        byte[] out = base.clone();
        for (int i = 0; i < flips && out.length > 0; i++) out[rng.nextInt(out.length)] ^= (byte) (1 << rng.nextInt(8));
        return out;
    }

    /** A random 4-byte little-endian int overwritten with an extreme value: header fields of binary formats. */
    public static byte[] overwriteInt(byte[] base, SplittableRandom rng) {
        if (base.length < 4) return base.clone();
        byte[] out = base.clone();
        int at = rng.nextInt(5) < 3 ? 4 * rng.nextInt(Math.min(base.length / 4, 64)) : rng.nextInt(base.length - 3);
        int[] values = {0, -1, 1, Integer.MAX_VALUE, Integer.MIN_VALUE, 1 << 30, 1 << 24, 65536, 3, rng.nextInt()};
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putInt(at, values[rng.nextInt(values.length)]);
        return out;
    }

    private static byte[] splice(byte[] base, SplittableRandom rng) {
        int from = rng.nextInt(base.length), len = 1 + rng.nextInt(Math.min(64, base.length - from));
        int to = rng.nextInt(base.length + 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(base, 0, to);
        out.write(base, from, len);
        out.write(base, to, base.length - to);
        return out.toByteArray();
    }

    private static byte[] insertBytes(byte[] base, SplittableRandom rng) {
        int at = rng.nextInt(base.length + 1), n = 1 + rng.nextInt(8);
        byte[] out = new byte[base.length + n];
        System.arraycopy(base, 0, out, 0, at);
        for (int i = 0; i < n; i++) out[at + i] = (byte) rng.nextInt(256);
        System.arraycopy(base, at, out, at + n, base.length - at);
        return out;
    }

    // ------------------------------------------------------------------ JSON

    /** One of the JSON mutations, applied to UTF-8 text. */
    public static byte[] json(byte[] base, SplittableRandom rng) {
        String text = new String(base, StandardCharsets.UTF_8);
        return switch (rng.nextInt(10)) {
            case 0, 1, 2, 3 -> utf8(replaceValues(text, rng, 1 + rng.nextInt(3)));
            case 4 -> utf8(editText(text, rng));
            case 5 -> utf8(nest(text, rng));
            case 6 -> utf8(text + (rng.nextBoolean() ? " {}" : "\n{\"a\": 1}"));
            case 7 -> utf8(repeatKey(text, rng));
            case 8 -> bytes(base, rng);
            default -> utf8(replaceValues(editText(text, rng), rng, 1));
        };
    }

    /**
     * A structural edit of a JSON object: one field, at any depth, removed, or given a value from {@link #JSON_VALUES},
     * or a number scaled by a power of two (declared sizes grown towards 2^31). Falls back to {@link #json} when the
     * text is not a JSON object.
     */
    public static byte[] jsonField(byte[] base, SplittableRandom rng) {
        com.fasterxml.jackson.databind.JsonNode root;
        try {
            root = MAPPER.readTree(base);
        } catch (IOException e) {
            return json(base, rng);
        }
        if (root == null || !root.isContainerNode() || root.isEmpty()) return json(base, rng);
        List<com.fasterxml.jackson.databind.JsonNode> parents = new ArrayList<>();
        collectContainers(root, parents);
        var parent = parents.get(rng.nextInt(parents.size()));
        if (parent.isEmpty()) return json(base, rng);
        try {
            if (parent instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
                List<String> names = new ArrayList<>();
                o.fieldNames().forEachRemaining(names::add);
                String name = names.get(rng.nextInt(names.size()));
                var old = o.get(name);
                switch (rng.nextInt(4)) {
                    case 0 -> o.remove(name);
                    case 1 -> o.set(name, scaled(old, rng));
                    default -> o.set(name, MAPPER.readTree(JSON_VALUES[rng.nextInt(JSON_VALUES.length)]));
                }
            } else {
                var a = (com.fasterxml.jackson.databind.node.ArrayNode) parent;
                int i = rng.nextInt(a.size());
                switch (rng.nextInt(3)) {
                    case 0 -> a.remove(i);
                    case 1 -> a.set(i, scaled(a.get(i), rng));
                    default -> a.set(i, MAPPER.readTree(JSON_VALUES[rng.nextInt(JSON_VALUES.length)]));
                }
            }
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER = new com.fasterxml.jackson.databind.ObjectMapper();

    private static void collectContainers(com.fasterxml.jackson.databind.JsonNode node, List<com.fasterxml.jackson.databind.JsonNode> out) {
        if (!node.isContainerNode()) return;
        out.add(node);
        for (var child : node) collectContainers(child, out);
    }

    private static com.fasterxml.jackson.databind.JsonNode scaled(com.fasterxml.jackson.databind.JsonNode v, SplittableRandom rng) {
        var f = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance;
        if (v != null && v.isIntegralNumber()) {
            long x = v.asLong() << (1 + rng.nextInt(30));
            return rng.nextInt(4) == 0 ? f.numberNode(-x) : f.numberNode(x);
        }
        if (v != null && v.isNumber()) return f.numberNode(v.asDouble() * Math.pow(2, rng.nextInt(-40, 40)));
        return f.numberNode(rng.nextInt());
    }

    /** Replaces {@code edits} JSON scalars (strings, numbers, literals) by values from {@link #JSON_VALUES}. */
    public static String replaceValues(String text, SplittableRandom rng, int edits) {
        List<int[]> tokens = new ArrayList<>();
        Matcher m = JSON_TOKEN.matcher(text);
        while (m.find()) tokens.add(new int[] {m.start(), m.end()});
        if (tokens.isEmpty()) return text;
        // edit right to left so that earlier offsets stay valid
        List<int[]> chosen = new ArrayList<>();
        for (int e = 0; e < edits; e++) chosen.add(tokens.get(rng.nextInt(tokens.size())));
        chosen.sort((a, b) -> Integer.compare(b[0], a[0]));
        StringBuilder sb = new StringBuilder(text);
        int last = Integer.MAX_VALUE;
        for (int[] t : chosen) {
            if (t[1] > last) continue;
            sb.replace(t[0], t[1], JSON_VALUES[rng.nextInt(JSON_VALUES.length)]);
            last = t[0];
        }
        return sb.toString();
    }

    public static String editText(String text, SplittableRandom rng) {
        StringBuilder sb = new StringBuilder(text);
        int edits = 1 + rng.nextInt(3);
        for (int e = 0; e < edits && !sb.isEmpty(); e++) {
            int at = rng.nextInt(sb.length() + 1);
            switch (rng.nextInt(4)) {
                case 0 -> sb.delete(at, Math.min(sb.length(), at + 1 + rng.nextInt(12)));
                case 1 -> sb.insert(at, NOISE.charAt(rng.nextInt(NOISE.length())));
                case 2 -> {
                    int end = Math.min(sb.length(), at + 1 + rng.nextInt(60));
                    sb.insert(rng.nextInt(sb.length() + 1), sb.substring(at, end));
                }
                default -> sb.setLength(at);
            }
        }
        return sb.toString();
    }

    /** The document wrapped in (or a value replaced by) thousands of nested arrays. */
    public static String nest(String text, SplittableRandom rng) {
        int depth = rng.nextBoolean() ? 5000 : 100000;
        String deep = "[".repeat(depth) + "]".repeat(depth);
        int at = text.indexOf(':');
        if (at < 0 || rng.nextBoolean()) return deep;
        int end = at + 1;
        while (end < text.length() && ",}]".indexOf(text.charAt(end)) < 0) end++;
        return text.substring(0, at + 1) + deep + text.substring(end);
    }

    private static String repeatKey(String text, SplittableRandom rng) {
        int open = text.indexOf('{');
        Matcher m = Pattern.compile("\"([^\"\\\\]{1,40})\"\\s*:\\s*([^,{}\\[\\]]{1,40})").matcher(text);
        if (open < 0 || !m.find(rng.nextInt(Math.max(1, text.length() / 2)))) return text + "x";
        return text.substring(0, open + 1) + m.group() + "," + text.substring(open + 1);
    }

    // ------------------------------------------------------------------ lines (CSV, TSV, JSON Lines)

    public static byte[] lines(byte[] base, SplittableRandom rng) {
        String text = new String(base, StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        int i = rng.nextInt(lines.size());
        switch (rng.nextInt(9)) {
            case 0 -> lines.remove(i);
            case 1 -> lines.add(i, lines.get(rng.nextInt(lines.size())));
            case 2 -> lines.set(i, "");
            case 3 -> lines.set(i, lines.get(i) + (rng.nextBoolean() ? "\"" : ",,\t\"x"));
            case 4 -> {
                // invalid UTF-8 in the middle of line i
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                for (int j = 0; j < lines.size(); j++) {
                    byte[] l = utf8(lines.get(j));
                    if (j == i) {
                        int at = rng.nextInt(l.length + 1);
                        out.write(l, 0, at);
                        out.write(new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF}, 0, 1 + rng.nextInt(3));
                        out.write(l, at, l.length - at);
                    } else {
                        out.write(l, 0, l.length);
                    }
                    if (j + 1 < lines.size()) out.write('\n');
                }
                return out.toByteArray();
            }
            case 5 -> lines.set(i, new String(json(utf8(lines.get(i)), rng), StandardCharsets.UTF_8));
            case 6 -> lines.set(i, lines.get(i).replace("\"", ""));
            case 7 -> {
                return utf8(String.join("\r\n", lines));
            }
            default -> {
                return bytes(base, rng);
            }
        }
        return utf8(String.join("\n", lines));
    }

    // ------------------------------------------------------------------ gzip

    public static byte[] gzip(byte[] plain) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
                out.write(plain);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A gzip file of {@code plain}: intact, cut short, with flipped bits, empty, or not gzip at all. */
    public static byte[] gzipped(byte[] plain, SplittableRandom rng) {
        byte[] gz = gzip(plain);
        return switch (rng.nextInt(6)) {
            case 0 -> gz;
            case 1 -> Arrays.copyOf(gz, rng.nextInt(gz.length));
            case 2 -> flipBits(gz, rng, 1 + rng.nextInt(4));
            case 3 -> new byte[0];
            case 4 -> plain.clone();
            default -> Arrays.copyOf(gz, Math.min(gz.length, 10 + rng.nextInt(8)));
        };
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
