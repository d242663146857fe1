package org.crs4j.crs.llmcrs;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.crs4j.crs.llm.PromptTemplate;

/**
 * The prompt files of one LLMCRS run: a template per {@link Stage}, the form of one demonstration case
 * ({@code demonstration.txt}) and the sub-task goals for model matching ({@code goals.properties}: one line
 * {@code <sub-task id> = <goal>}). The shipped files are resources next to this
 * class ({@code prompts/}); a directory given with {@code --prompts DIR} replaces those of its files that it holds, so
 * a researcher edits a copy of one file without recompiling. Every file is checked when loaded.
 */
public final class PromptSet {
    static final String RESOURCES = "prompts/";
    public static final String GOALS = "goals.properties";
    /** One demonstration's form: the case number, its dialogue context and its sub-task in schema form. */
    public static final String DEMONSTRATION = "demonstration.txt";

    private final Map<Stage, PromptTemplate> templates;
    private final PromptTemplate demonstration;
    private final Map<SubTask, String> goals;

    private PromptSet(Map<Stage, PromptTemplate> templates, PromptTemplate demonstration, Map<SubTask, String> goals) {
        this.templates = templates;
        this.demonstration = demonstration;
        this.goals = goals;
    }

    /** The shipped prompts. */
    public static PromptSet defaults() { return load(null); }

    /**
     * @param overrides a folder whose files replace the shipped ones of the same name, or null
     * @throws IllegalArgumentException one line naming the file (and slot or key) that is wrong
     */
    public static PromptSet load(Path overrides) {
        if (overrides != null && !Files.isDirectory(overrides))
            throw new IllegalArgumentException("--prompts " + overrides + ": not a folder");
        Map<Stage, PromptTemplate> templates = new EnumMap<>(Stage.class);
        for (Stage s : Stage.values()) {
            Set<String> known = new java.util.HashSet<>(s.required());
            known.addAll(s.optional());
            templates.put(s, template(overrides, s.file(), known, s.required()));
        }
        Set<String> caseSlots = Set.of(Stage.Slots.CASE_NUMBER, Stage.Slots.DIALOGUE_CONTEXT, Stage.Slots.SUBTASK);
        PromptTemplate demonstration = template(overrides, DEMONSTRATION, caseSlots, Set.of(Stage.Slots.DIALOGUE_CONTEXT, Stage.Slots.SUBTASK));
        var g = read(overrides, GOALS);
        Properties p = new Properties();
        try {
            p.load(new StringReader(g.text()));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(g.source() + ": " + e.getMessage());
        }
        Map<SubTask, String> goals = new EnumMap<>(SubTask.class);
        for (String key : p.stringPropertyNames()) {
            SubTask t = SubTask.find(key).filter(x -> x.id().equals(key))
                    .orElseThrow(() -> new IllegalArgumentException(g.source() + ": unknown sub-task \"" + key + "\" (known: " + ids() + ")"));
            goals.put(t, p.getProperty(key).strip());
        }
        for (SubTask t : SubTask.values()) {
            if (goals.get(t) == null || goals.get(t).isEmpty())
                throw new IllegalArgumentException(g.source() + ": missing goal for sub-task \"" + t.id() + "\"");
        }
        return new PromptSet(templates, demonstration, goals);
    }

    private static PromptTemplate template(Path overrides, String name, Set<String> known, Set<String> required) {
        Path file = overrides == null ? null : overrides.resolve(name);
        return file != null && Files.isRegularFile(file) ? PromptTemplate.file(file, known, required)
                : PromptTemplate.resource(PromptSet.class, RESOURCES + name, known, required);
    }

    public PromptTemplate template(Stage s) { return templates.get(s); }

    /** The form of one demonstration case. */
    public PromptTemplate demonstration() { return demonstration; }

    /** The goal of a sub-task as the model-matching prompt states it. */
    public String goal(SubTask t) { return goals.get(t); }

    private record Source(String source, String text) {}

    private static Source read(Path overrides, String name) {
        if (overrides != null) {
            Path f = overrides.resolve(name);
            if (Files.isRegularFile(f)) {
                try {
                    return new Source(f.toString(), Files.readString(f, StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new UncheckedIOException(f + ": " + e.getMessage(), e);
                }
            }
        }
        try (InputStream in = PromptSet.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) throw new IllegalStateException("the shipped prompt " + RESOURCES + name + " is missing from the class path");
            return new Source("(shipped) " + name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String ids() {
        return String.join(", ", java.util.Arrays.stream(SubTask.values()).map(SubTask::id).toList());
    }
}
