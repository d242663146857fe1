package org.crs4j.crs.llm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A prompt as data: text with named slots written {@code {{name}}}, shipped as a resource and replaceable by a file,
 * so that a researcher edits a prompt without recompiling. {@code {{#name}} ... {{/name}}} is a section, kept only
 * when the slot {@code name} has a value (absent or null: the section and its text disappear; this is how LLMCRS's
 * ablations remove the schema or the demonstrations together with the sentence around them). Everything else is
 * literal text (single braces, JSON examples included). A template is checked when it is read: a slot the program
 * does not fill, a slot it needs that the text lacks, an unclosed {@code {{} or an unbalanced section is one line
 * naming the template and the line.
 */
public final class PromptTemplate {
    private sealed interface Part permits Text, Slot, Section {}
    private record Text(String text) implements Part {}
    private record Slot(String name) implements Part {}
    private record Section(String name, List<Part> body) implements Part {}

    private final String name;
    private final List<Part> parts;
    private final Set<String> slots; // in order of first use, section names included

    private PromptTemplate(String name, List<Part> parts, Set<String> slots) {
        this.name = name;
        this.parts = parts;
        this.slots = slots;
    }

    /**
     * @param name     how messages call the template (its file or resource)
     * @param known    the slots the program fills
     * @param required the slots the text must use
     * @throws IllegalArgumentException {@code NAME line L: problem}
     */
    public static PromptTemplate parse(String name, String text, Set<String> known, Set<String> required) {
        List<List<Part>> stack = new ArrayList<>();
        List<String> open = new ArrayList<>();
        stack.add(new ArrayList<>());
        Set<String> used = new LinkedHashSet<>();
        int at = 0;
        while (true) {
            int start = text.indexOf("{{", at);
            if (start < 0) break;
            int close = text.indexOf("}}", start + 2);
            if (close < 0) throw new IllegalArgumentException(name + " line " + line(text, start) + ": \"{{\" is not closed by \"}}\"");
            String tag = text.substring(start + 2, close).strip();
            char kind = tag.isEmpty() ? ' ' : tag.charAt(0);
            String slot = kind == '#' || kind == '/' ? tag.substring(1).strip() : tag;
            if (!known.contains(slot))
                throw new IllegalArgumentException(name + " line " + line(text, start) + ": unknown slot {{" + slot + "}} (this prompt's slots: "
                        + String.join(", ", new TreeSet<>(known)) + ")");
            if (start > at) stack.getLast().add(new Text(text.substring(at, start)));
            used.add(slot);
            if (kind == '#') {
                open.add(slot);
                stack.add(new ArrayList<>());
            } else if (kind == '/') {
                if (open.isEmpty() || !open.getLast().equals(slot))
                    throw new IllegalArgumentException(name + " line " + line(text, start) + ": {{/" + slot + "}} "
                            + (open.isEmpty() ? "closes no section" : "closes {{#" + open.getLast() + "}}"));
                open.removeLast();
                List<Part> body = stack.removeLast();
                stack.getLast().add(new Section(slot, List.copyOf(body)));
            } else stack.getLast().add(new Slot(slot));
            at = close + 2;
        }
        if (!open.isEmpty()) throw new IllegalArgumentException(name + ": section {{#" + open.getLast() + "}} is never closed");
        if (at < text.length()) stack.getLast().add(new Text(text.substring(at)));
        for (String r : new TreeSet<>(required)) {
            if (!used.contains(r)) throw new IllegalArgumentException(name + ": the prompt must use the slot {{" + r + "}}");
        }
        return new PromptTemplate(name, List.copyOf(stack.getFirst()), java.util.Collections.unmodifiableSet(used));
    }

    /** A template shipped next to {@code anchor} in the jar. */
    public static PromptTemplate resource(Class<?> anchor, String resource, Set<String> known, Set<String> required) {
        try (InputStream in = anchor.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("prompt resource " + resource + " is missing from the build");
            return parse(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8), known, required);
        } catch (IOException e) {
            throw new IllegalStateException("prompt resource " + resource + ": " + e.getMessage(), e);
        }
    }

    /** A template from a file (UTF-8). */
    public static PromptTemplate file(Path file, Set<String> known, Set<String> required) {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": no such prompt file");
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
            return parse(file.toString(), text, known, required);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(file + ": not valid UTF-8");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** The slots the text uses (section names included), in order of first use. */
    public Set<String> slots() {
        return slots;
    }

    public String name() {
        return name;
    }

    /**
     * Fills every slot; a section is kept when its slot has a value and dropped (with its text) when it has none.
     *
     * @throws IllegalArgumentException naming a slot outside a dropped section that has no value
     */
    public String render(Map<String, String> values) {
        StringBuilder sb = new StringBuilder();
        render(parts, values, sb);
        return sb.toString();
    }

    private void render(List<Part> parts, Map<String, String> values, StringBuilder sb) {
        for (Part p : parts) {
            switch (p) {
                case Text t -> sb.append(t.text());
                case Slot s -> {
                    String v = values.get(s.name());
                    if (v == null) throw new IllegalArgumentException(name + ": no value for slot {{" + s.name() + "}}");
                    sb.append(v);
                }
                case Section s -> { if (values.get(s.name()) != null) render(s.body(), values, sb); }
            }
        }
    }

    private static int line(String text, int offset) {
        int n = 1;
        for (int i = 0; i < offset; i++) if (text.charAt(i) == '\n') n++;
        return n;
    }
}
