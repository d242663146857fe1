package org.crs4j.crs.llm.rerank;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an LLM answered to the re-ranking prompt, read into seed 003's three parts (Eq. 9): the explanation E, the
 * ranked titles of I^llm (as written, not yet matched to candidates) and the response R.
 *
 * <p>How it is read, in order:
 * <ol>
 *   <li>a JSON object anywhere in the text (from the first "{" to the last "}") with an explanation, a list
 *       ({@code ranking}, {@code ranked_list}, {@code recommendations}, {@code items}, {@code movies}: strings or
 *       objects with a {@code title}) and a response;</li>
 *   <li>else headed sections, a heading being a line that starts (after Markdown marks such as {@code #}, {@code **})
 *       with Explanation / Reasoning, Ranking / Ranked list / Re-ranked list / Recommendations, or Response / Reply,
 *       followed by a colon; text after the colon belongs to the section. List items are lines starting with
 *       {@code 1.}, {@code 1)}, {@code -}, {@code *} or {@code •}; a section without such lines takes each non-empty
 *       line, and a single line is split at ";" or "|".</li>
 * </ol>
 * An answer is unparsable when neither gives a non-empty list; explanation and response may be missing (empty).
 *
 * @param titles the list items with list marks, Markdown emphasis and surrounding quotes removed
 */
public record RerankAnswer(boolean parsed, String explanation, List<String> titles, String response) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern HEADING = Pattern.compile(
            "^[\\s#>*_]*(explanation|causal explanation|reasoning|ranking|ranked list|re-ranked list|reranked list|recommendations|"
                    + "recommended movies|final ranking|response|reply)[\\s*_]*[:：][\\s*_]*(.*)$", Pattern.CASE_INSENSITIVE);
    private static final Pattern ITEM = Pattern.compile("^\\s*(?:\\d{1,3}\\s*[.)]|[-*•])\\s+(.*)$");

    private enum Section { NONE, EXPLANATION, RANKING, RESPONSE }

    public static RerankAnswer unparsable() {
        return new RerankAnswer(false, "", List.of(), "");
    }

    public static RerankAnswer parse(String text) {
        RerankAnswer json = fromJson(text);
        if (json != null && json.parsed()) return json;
        return fromSections(text);
    }

    private static RerankAnswer fromJson(String text) {
        int open = text.indexOf('{'), close = text.lastIndexOf('}');
        if (open < 0 || close <= open) return null;
        JsonNode root;
        try {
            root = JSON.readTree(text.substring(open, close + 1));
        } catch (IOException e) {
            return null;
        }
        if (root == null || !root.isObject()) return null;
        String explanation = "", response = "";
        List<String> titles = new ArrayList<>();
        for (var it = root.fields(); it.hasNext(); ) {
            var f = it.next();
            String key = f.getKey().toLowerCase(Locale.ROOT).replace('-', '_').replace(' ', '_');
            JsonNode v = f.getValue();
            switch (key) {
                case "explanation", "causal_explanation", "reasoning" -> explanation = v.isTextual() ? v.textValue().strip() : v.toString();
                case "response", "reply" -> response = v.isTextual() ? v.textValue().strip() : v.toString();
                case "ranking", "ranked_list", "reranked_list", "re_ranked_list", "recommendations", "items", "movies" -> {
                    if (!v.isArray()) break;
                    for (JsonNode e : v) {
                        String t = e.isTextual() ? e.textValue() : e.isObject() && e.hasNonNull("title") ? e.get("title").asText() : null;
                        if (t != null && !clean(t).isEmpty()) titles.add(clean(t));
                    }
                }
                default -> { }
            }
        }
        return new RerankAnswer(!titles.isEmpty(), explanation, titles, response);
    }

    private static RerankAnswer fromSections(String text) {
        StringBuilder explanation = new StringBuilder(), response = new StringBuilder();
        List<String> rankingLines = new ArrayList<>();
        boolean sawRanking = false;
        Section current = Section.NONE;
        for (String line : text.split("\\R")) {
            Matcher h = HEADING.matcher(line);
            if (h.matches()) {
                String name = h.group(1).toLowerCase(Locale.ROOT);
                current = name.contains("explanation") || name.equals("reasoning") ? Section.EXPLANATION
                        : name.equals("response") || name.equals("reply") ? Section.RESPONSE : Section.RANKING;
                if (current == Section.RANKING) sawRanking = true;
                line = h.group(2);
            }
            switch (current) {
                case EXPLANATION -> append(explanation, line);
                case RESPONSE -> append(response, line);
                case RANKING -> { if (!line.isBlank()) rankingLines.add(line); }
                case NONE -> { }
            }
        }
        if (!sawRanking) return new RerankAnswer(false, explanation.toString().strip(), List.of(), response.toString().strip());
        List<String> titles = new ArrayList<>();
        for (String l : rankingLines) {
            Matcher m = ITEM.matcher(l);
            if (m.matches()) titles.add(clean(m.group(1)));
        }
        if (titles.isEmpty() && rankingLines.size() == 1) {
            for (String piece : rankingLines.get(0).split("[;|]")) titles.add(clean(piece));
        } else if (titles.isEmpty()) {
            for (String l : rankingLines) titles.add(clean(l));
        }
        titles.removeIf(String::isEmpty);
        return new RerankAnswer(!titles.isEmpty(), explanation.toString().strip(), List.copyOf(titles), response.toString().strip());
    }

    private static void append(StringBuilder sb, String line) {
        if (line.isBlank()) return;
        if (!sb.isEmpty()) sb.append('\n');
        sb.append(line.strip());
    }

    /** A list item without Markdown emphasis, surrounding quotes or a final period. */
    static String clean(String s) {
        String t = s.replace("**", "").replace("__", "").strip();
        t = t.replaceAll("^[\"“”'`*_]+|[\"“”'`*_]+$", "").strip();
        if (t.endsWith(".") && !t.endsWith("..")) t = t.substring(0, t.length() - 1).strip();
        return t;
    }
}
