package org.crs4j.crs.llmcrs;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The sub-tasks of seed 000's Table 1, with their schema: name, arguments, output type. The dialogue context is an
 * argument of three of them; the pipeline always passes the current context to the expert, so an LLM's sub-task call
 * names only the other arguments ({@code Recommendation(category=horror) -> Item}).
 */
public enum SubTask {
    PREFERENCE_ELICITATION("preference_elicitation", "User Preference Elicitation", List.of(Args.CATEGORY, Args.DIALOGUE_CONTEXT), "Text"),
    RECOMMENDATION("recommendation", "Recommendation", List.of(Args.CATEGORY, Args.DIALOGUE_CONTEXT), "Item"),
    EXPLANATION("explanation", "Explanation", List.of(Args.ITEM_NAME, Args.DIALOGUE_CONTEXT), "Text"),
    ITEM_DETAIL_SEARCH("item_detail_search", "Item Detail Search", List.of(Args.ITEM_NAME, Args.ITEM_ATTRIBUTE), "Text");

    /** Argument names as Table 1 writes them. */
    public static final class Args {
        public static final String CATEGORY = "category";
        public static final String DIALOGUE_CONTEXT = "dialogue context";
        public static final String ITEM_NAME = "item name";
        public static final String ITEM_ATTRIBUTE = "item attribute";

        private Args() {}
    }

    private final String id;
    private final String displayName;
    private final List<String> arguments;
    private final String outputType;

    SubTask(String id, String displayName, List<String> arguments, String outputType) {
        this.id = id;
        this.displayName = displayName;
        this.arguments = arguments;
        this.outputType = outputType;
    }

    /** The id used in registry files, traces and statistics ({@code item_detail_search}). */
    public String id() { return id; }

    /** The name of Table 1 ("Item Detail Search"), as prompts and parsed answers use it. */
    public String displayName() { return displayName; }

    /** Table 1's arguments, the dialogue context included. */
    public List<String> arguments() { return arguments; }

    /** The arguments an LLM names in a call: all but the dialogue context, which the pipeline passes itself. */
    public List<String> namedArguments() {
        return arguments.stream().filter(a -> !a.equals(Args.DIALOGUE_CONTEXT)).toList();
    }

    public String outputType() { return outputType; }

    /** The schema line of Table 1: {@code Recommendation(category, dialogue context) -> Item}. */
    public String schema() { return displayName + "(" + String.join(", ", arguments) + ") -> " + outputType; }

    /** By id or display name, ignoring case, spaces, underscores and hyphens. */
    public static Optional<SubTask> find(String name) {
        String n = squash(name);
        for (SubTask t : values()) if (squash(t.id).equals(n) || squash(t.displayName).equals(n)) return Optional.of(t);
        return Optional.empty();
    }

    static String squash(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[\\s_\\-]+", "");
    }
}
