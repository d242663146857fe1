package org.crs4j.crs.llmcrs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * A turn as JSON, for the server's {@code POST /v1/crs/turn}, the web page's folded trace and saved runs:
 * <pre>
 * {"response": "...", "items": [{"key", "title", "named": true|false}],
 *  "trace": {"subtask": {"name", "id", "arguments", "schema_form", "detected_by", "ignored_arguments"},
 *            "expert": {"id", "matched_by", "output", "items", "notes"} or null,
 *            "calls": [{"stage", "prompt", "output", "error", "prompt_tokens", "output_tokens", "latency_ms",
 *                       "sampling": {"max_new_tokens", "temperature", "top_p", "seed"}}],
 *            "fallbacks": [{"kind", "detail"}], "ablations": [...], "execution_ms", "total_ms"}}
 * </pre>
 * Token ids are left out (RLPF reads them from {@link LlmCall} in process).
 */
public final class TurnJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TurnJson() {}

    public static ObjectNode of(TurnResult r, Environment env, int maxItems) {
        ObjectNode root = JSON.createObjectNode();
        root.put("response", r.response());
        ArrayNode items = root.putArray("items");
        var named = new java.util.HashSet<Integer>();
        for (int i : r.namedItems()) named.add(i);
        for (int k = 0; k < Math.min(maxItems, r.items().length); k++) {
            int i = r.items()[k];
            items.addObject().put("key", env.item(i).key()).put("title", env.title(i)).put("named", named.contains(i));
        }
        TurnTrace t = r.trace();
        ObjectNode trace = root.putObject("trace");
        ObjectNode st = trace.putObject("subtask");
        st.put("name", t.subTask().task().displayName()).put("id", t.subTask().task().id()).put("schema_form", t.subTask().render())
                .put("detected_by", t.detectedBy());
        ObjectNode args = st.putObject("arguments");
        t.subTask().arguments().forEach(args::put);
        ArrayNode ign = st.putArray("ignored_arguments");
        t.ignoredArguments().forEach(ign::add);
        if (t.expertId() == null) trace.putNull("expert");
        else {
            ObjectNode e = trace.putObject("expert");
            e.put("id", t.expertId()).put("matched_by", t.matchedBy()).put("output", t.expertOutput().text());
            ArrayNode ei = e.putArray("items");
            for (int k = 0; k < Math.min(maxItems, t.expertOutput().items().length); k++) ei.add(env.title(t.expertOutput().items()[k]));
            ArrayNode notes = e.putArray("notes");
            t.expertOutput().notes().forEach(notes::add);
        }
        ArrayNode calls = trace.putArray("calls");
        for (LlmCall c : t.calls()) {
            ObjectNode o = calls.addObject();
            o.put("stage", c.stage().name().toLowerCase(Locale.ROOT)).put("prompt", c.request().prompt());
            if (c.failed()) o.putNull("output").put("error", c.error());
            else o.put("output", c.response().text()).putNull("error").put("prompt_tokens", c.response().promptTokens())
                    .put("output_tokens", c.response().outputTokens()).put("latency_ms", c.response().latencyNanos() / 1e6);
            var s = c.request().sampling();
            o.putObject("sampling").put("max_new_tokens", s.maxNewTokens()).put("temperature", s.temperature()).put("top_p", s.topP()).put("seed", s.seed());
        }
        ArrayNode fb = trace.putArray("fallbacks");
        for (Fallback f : t.fallbacks()) fb.addObject().put("kind", f.kind().name()).put("detail", f.detail());
        ArrayNode ab = trace.putArray("ablations");
        t.ablations().stream().map(Ablation::label).sorted().forEach(ab::add);
        trace.put("execution_ms", t.executionNanos() / 1e6).put("total_ms", t.totalNanos() / 1e6);
        return root;
    }
}
