package org.crs4j.crs.llmcrs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A prompt with named slots, read from a text file: {@code {{slot}}} is replaced by the slot's text, and
 * {@code {{#slot}} ... {{/slot}}} is a section kept only when the slot has a value (this is how the Table 8 ablations
 * remove the schema or the demonstrations with the sentence around them). Everything else is literal, so JSON or
 * other braces in a prompt stay as written. A template is checked when it is read: a slot the stage does not define,
 * a required slot that does not occur, or an unbalanced section is an {@link IllegalArgumentException} of one line
 * naming the file and the slot.
 */
public final class PromptTemplate {
    private static final Pattern TAG = Pattern.compile("\\{\\{\\s*([#/]?)\\s*([a-z_][a-z0-9_]*)\\s*}}");

    private sealed interface Part permits Text, Slot, Section {}
    private record Text(String text) implements Part {}
    private record Slot(String name) implements Part {}
    private record Section(String name, List<Part> body) implements Part {}

    private final String source;
    private final List<Part> parts;

    private PromptTemplate(String source, List<Part> parts) {
        this.source = source;
        this.parts = parts;
    }

    /**
     * @param source   what errors call the template (its file name or resource)
     * @param text     the template
     * @param required slots that must occur
     * @param optional slots that may occur (sections usually)
     */
    public static PromptTemplate parse(String source, String text, Set<String> required, Set<String> optional) {
        List<List<Part>> stack = new ArrayList<>();
        List<String> open = new ArrayList<>();
        stack.add(new ArrayList<>());
        Set<String> seen = new java.util.HashSet<>();
        Matcher m = TAG.matcher(text);
        int at = 0;
        while (m.find()) {
            if (m.start() > at) stack.getLast().add(new Text(text.substring(at, m.start())));
            at = m.end();
            String kind = m.group(1), name = m.group(2);
            if (!required.contains(name) && !optional.contains(name))
                throw new IllegalArgumentException(source + ": unknown slot {{" + name + "}} at line " + line(text, m.start())
                        + " (this stage's slots: " + String.join(", ", sorted(required, optional)) + ")");
            seen.add(name);
            switch (kind) {
                case "#" -> { open.add(name); stack.add(new ArrayList<>()); }
                case "/" -> {
                    if (open.isEmpty() || !open.getLast().equals(name))
                        throw new IllegalArgumentException(source + ": {{/" + name + "}} at line " + line(text, m.start())
                                + (open.isEmpty() ? " closes no section" : " closes {{#" + open.getLast() + "}}"));
                    open.removeLast();
                    List<Part> body = stack.removeLast();
                    stack.getLast().add(new Section(name, List.copyOf(body)));
                }
                default -> stack.getLast().add(new Slot(name));
            }
        }
        if (!open.isEmpty()) throw new IllegalArgumentException(source + ": section {{#" + open.getLast() + "}} is never closed");
        if (at < text.length()) stack.getLast().add(new Text(text.substring(at)));
        for (String r : sorted(required, Set.of()))
            if (!seen.contains(r)) throw new IllegalArgumentException(source + ": missing slot {{" + r + "}} (required by this stage)");
        return new PromptTemplate(source, List.copyOf(stack.getFirst()));
    }

    public String source() { return source; }

    /**
     * Fills the slots. A slot without a value (absent or null) prints nothing; its sections are dropped. Runs of blank
     * space left where a section was are collapsed to one, and the result is stripped.
     */
    public String render(Map<String, String> values) {
        StringBuilder sb = new StringBuilder();
        render(parts, values, sb);
        return sb.toString().replaceAll("[ \\t]{2,}", " ").replaceAll("\\n{3,}", "\n\n").strip();
    }

    private static void render(List<Part> parts, Map<String, String> values, StringBuilder sb) {
        for (Part p : parts) {
            switch (p) {
                case Text t -> sb.append(t.text());
                case Slot s -> { String v = values.get(s.name()); if (v != null) sb.append(v); }
                case Section s -> { if (values.get(s.name()) != null) render(s.body(), values, sb); }
            }
        }
    }

    private static int line(String text, int offset) {
        int n = 1;
        for (int i = 0; i < offset; i++) if (text.charAt(i) == '\n') n++;
        return n;
    }

    private static List<String> sorted(Set<String> a, Set<String> b) {
        var all = new java.util.TreeSet<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }
}
