package org.crs4j.crs.llmcrs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a sub-task call out of what an LLM wrote. Never throws: an answer without a sub-task name is
 * {@link Result#call()} null with the reason. Accepted forms, most specific first:
 * <ul>
 *   <li>the schema form {@link SubTaskCall#render()} writes, with {@code =} or {@code :} between an argument and its
 *   value and {@code ;} or {@code ,} between arguments, quotes around values allowed;
 *   <li>a JSON object with the sub-task under {@code sub-task}, {@code sub-task name}, {@code task} or {@code name}
 *   and the arguments under {@code arguments}, {@code sub-task arguments} or {@code args} (instruction models often
 *   answer so);
 *   <li>just a sub-task's name or id anywhere in the text (the first one that occurs), without arguments.
 * </ul>
 * Arguments that are not the sub-task's are dropped and listed in {@link Result#ignored()}.
 */
public final class SubTaskParser {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NAME;

    static {
        List<String> alternatives = new ArrayList<>();
        for (SubTask t : SubTask.values()) {
            alternatives.add(flexible(t.displayName()));
            alternatives.add(flexible(t.id()));
        }
        NAME = Pattern.compile("(?i)(?<![\\p{L}])(" + String.join("|", alternatives) + ")(?![\\p{L}])");
    }

    private SubTaskParser() {}

    /**
     * @param call    the call, or null when no sub-task could be read
     * @param problem why it could not be read (null when it could)
     * @param ignored argument names given that the sub-task does not take
     */
    public record Result(SubTaskCall call, String problem, List<String> ignored) {
        public boolean parsed() { return call != null; }
    }

    public static Result parse(String text) {
        if (text == null || text.isBlank()) return new Result(null, "empty answer", List.of());
        Result json = fromJson(text);
        if (json != null) return json;
        Matcher m = NAME.matcher(text);
        if (!m.find()) return new Result(null, "no sub-task name in the answer", List.of());
        SubTask task = SubTask.find(m.group(1)).orElseThrow();
        String rest = text.substring(m.end());
        Map<String, String> given = new LinkedHashMap<>();
        int open = rest.indexOf('(');
        if (open >= 0 && rest.substring(0, open).isBlank()) {
            int close = closing(rest, open);
            given = arguments(rest.substring(open + 1, close));
        }
        return result(task, given);
    }

    private static Result result(SubTask task, Map<String, String> given) {
        Map<String, String> args = new LinkedHashMap<>();
        List<String> ignored = new ArrayList<>();
        for (var e : given.entrySet()) {
            String key = canonicalArgument(e.getKey());
            if (key != null && task.namedArguments().contains(key)) args.put(key, e.getValue());
            else if (key == null || !key.equals(SubTask.Args.DIALOGUE_CONTEXT)) ignored.add(e.getKey());
        }
        return new Result(new SubTaskCall(task, args), null, List.copyOf(ignored));
    }

    /** "key=value; key2: value2" or with commas between arguments; only known argument names start a new one. */
    static Map<String, String> arguments(String inside) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher k = Pattern.compile("(?i)(^|[;,])\\s*([\\p{L}][\\p{L} _\\-]{0,30}?)\\s*([=:])").matcher(inside);
        List<int[]> keys = new ArrayList<>(); // [nameStart, nameEnd, valueStart]
        while (k.find()) {
            // an unknown name after ", " with ':' is more likely inside a value ("drama, Title: Part II") than an argument
            boolean known = canonicalArgument(k.group(2)) != null;
            if (!known && !keys.isEmpty() && k.group(1).equals(",") && k.group(3).equals(":")) continue;
            keys.add(new int[] {k.start(2), k.end(2), k.end()});
        }
        for (int i = 0; i < keys.size(); i++) {
            int end = i + 1 < keys.size() ? keys.get(i + 1)[0] : inside.length();
            String value = inside.substring(keys.get(i)[2], end).strip();
            value = value.replaceAll("[;,]\\s*$", "").strip();
            value = unquote(value);
            out.putIfAbsent(inside.substring(keys.get(i)[0], keys.get(i)[1]).strip(), value);
        }
        return out;
    }

    private static Result fromJson(String text) {
        int start = text.indexOf('{');
        int end = text.lastIndexOf('}');
        if (start < 0 || end <= start) return null;
        JsonNode node;
        try {
            node = JSON.readTree(text.substring(start, end + 1));
        } catch (Exception e) {
            return null;
        }
        if (!node.isObject()) return null;
        String name = null;
        for (String f : List.of("sub-task", "sub-task name", "subtask", "task", "name")) {
            JsonNode v = node.get(f);
            if (v != null && v.isTextual()) { name = v.textValue(); break; }
        }
        if (name == null) return null;
        var task = SubTask.find(name);
        if (task.isEmpty()) return new Result(null, "unknown sub-task \"" + name + "\"", List.of());
        Map<String, String> given = new LinkedHashMap<>();
        for (String f : List.of("arguments", "sub-task arguments", "args")) {
            JsonNode a = node.get(f);
            if (a != null && a.isObject()) {
                a.properties().forEach(e -> given.put(e.getKey(), e.getValue().isTextual() ? e.getValue().textValue() : e.getValue().toString()));
                break;
            }
        }
        return result(task.get(), given);
    }

    /** Table 1's argument name for what the model wrote ("item_name", "Item-Name", "attribute"), or null. */
    static String canonicalArgument(String name) {
        String n = SubTask.squash(name);
        return switch (n) {
            case "category", "genre" -> SubTask.Args.CATEGORY;
            case "itemname", "item", "movie", "moviename", "title", "name" -> SubTask.Args.ITEM_NAME;
            case "itemattribute", "attribute" -> SubTask.Args.ITEM_ATTRIBUTE;
            case "dialoguecontext", "context", "dialogcontext" -> SubTask.Args.DIALOGUE_CONTEXT;
            default -> null;
        };
    }

    private static int closing(String s, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(') depth++;
            else if (c == ')' && --depth == 0) return i;
        }
        return s.length();
    }

    private static String unquote(String v) {
        if (v.length() >= 2) {
            char a = v.charAt(0), b = v.charAt(v.length() - 1);
            if ((a == '"' && b == '"') || (a == '\'' && b == '\'')) return v.substring(1, v.length() - 1).strip();
        }
        return v;
    }

    /** A name as a regex where spaces, underscores and hyphens are interchangeable or absent. */
    private static String flexible(String name) {
        StringBuilder sb = new StringBuilder();
        for (String part : name.toLowerCase(Locale.ROOT).split("[\\s_\\-]+")) {
            if (!sb.isEmpty()) sb.append("[\\s_\\-]*");
            sb.append(Pattern.quote(part));
        }
        return sb.toString();
    }
}
