package org.crs4j.crs.llmcrs;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * A detected sub-task with the arguments the LLM (or the labeler) named, in the schema form the detection prompt asks
 * for and {@link SubTaskParser} reads back: {@code Item Detail Search(item name=Titanic; item attribute=director) -> Text}.
 * The form uses no braces or angle brackets, which T5's vocabulary cannot write.
 */
public record SubTaskCall(SubTask task, Map<String, String> arguments) {
    public SubTaskCall {
        if (task == null) throw new IllegalArgumentException("a sub-task call needs a sub-task");
        Map<String, String> clean = new LinkedHashMap<>();
        for (String name : task.namedArguments()) {
            String v = arguments.get(name);
            if (v != null && !v.isBlank()) clean.put(name, v.strip());
        }
        arguments = java.util.Collections.unmodifiableMap(clean);
    }

    public static SubTaskCall of(SubTask task) { return new SubTaskCall(task, Map.of()); }

    public static SubTaskCall of(SubTask task, String argument, String value) {
        return new SubTaskCall(task, value == null ? Map.of() : Map.of(argument, value));
    }

    /** The argument's value, or null when the call does not name it. */
    public String argument(String name) { return arguments.get(name); }

    /** The schema form, arguments in Table 1's order. */
    public String render() {
        StringJoiner args = new StringJoiner("; ");
        for (var e : arguments.entrySet()) args.add(e.getKey() + "=" + e.getValue().replace(";", ","));
        return task.displayName() + "(" + args + ") -> " + task.outputType();
    }

    @Override
    public String toString() { return render(); }
}
