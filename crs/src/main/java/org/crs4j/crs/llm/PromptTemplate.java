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
 * so that a researcher edits a prompt without recompiling. Everything else is literal text (single braces, JSON
 * examples included). A template is checked when it is read: a slot the program does not fill, a slot it needs that
 * the text lacks, or an unclosed {@code {{} is one line naming the template and the line.
 */
public final class PromptTemplate {
    private final String name;
    private final List<String> literals; // literals.get(i) precedes slots.get(i); one more literal than slots
    private final List<String> slots;

    private PromptTemplate(String name, List<String> literals, List<String> slots) {
        this.name = name;
        this.literals = literals;
        this.slots = slots;
    }

    /**
     * @param name     how messages call the template (its file or resource)
     * @param known    the slots the program fills
     * @param required the slots the text must use
     * @throws IllegalArgumentException {@code NAME line L: problem}
     */
    public static PromptTemplate parse(String name, String text, Set<String> known, Set<String> required) {
        List<String> literals = new ArrayList<>(), slots = new ArrayList<>();
        int at = 0;
        while (true) {
            int open = text.indexOf("{{", at);
            if (open < 0) break;
            int close = text.indexOf("}}", open + 2);
            if (close < 0) throw new IllegalArgumentException(name + " line " + line(text, open) + ": \"{{\" is not closed by \"}}\"");
            String slot = text.substring(open + 2, close).strip();
            if (!known.contains(slot))
                throw new IllegalArgumentException(name + " line " + line(text, open) + ": unknown slot {{" + slot + "}} (this prompt's slots: "
                        + String.join(", ", new TreeSet<>(known)) + ")");
            literals.add(text.substring(at, open));
            slots.add(slot);
            at = close + 2;
        }
        literals.add(text.substring(at));
        for (String r : required) {
            if (!slots.contains(r)) throw new IllegalArgumentException(name + ": the prompt must use the slot {{" + r + "}}");
        }
        return new PromptTemplate(name, List.copyOf(literals), List.copyOf(slots));
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

    /** The slots the text uses, in order of first use. */
    public Set<String> slots() {
        return new LinkedHashSet<>(slots);
    }

    public String name() {
        return name;
    }

    /**
     * Fills every slot.
     *
     * @throws IllegalArgumentException naming a slot without a value
     */
    public String render(Map<String, String> values) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < slots.size(); i++) {
            String v = values.get(slots.get(i));
            if (v == null) throw new IllegalArgumentException(name + ": no value for slot {{" + slots.get(i) + "}}");
            sb.append(literals.get(i)).append(v);
        }
        return sb.append(literals.get(literals.size() - 1)).toString();
    }

    private static int line(String text, int offset) {
        int n = 1;
        for (int i = 0; i < offset; i++) if (text.charAt(i) == '\n') n++;
        return n;
    }
}
