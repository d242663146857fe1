package org.crs4j.crs.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * One LLM call as a trace file holds it: one JSON object per line (JSON Lines), written by {@link TracingLlm} and read
 * by {@link ReplayLlm}. The format, field by field:
 *
 * <pre>
 * {"time": "2026-12-06T05:13:23.123Z",              when the call finished (UTC)
 *  "endpoint": "http://127.0.0.1:8000/v1/chat/completions#m",   what answered (never a key or a URL query)
 *  "stage": "rerank",                                 which step asked
 *  "sampling": {"max_new_tokens": 256, "temperature": 0.0, "top_p": 1.0, "seed": 0},
 *  "prompt": "...",                                   the whole prompt
 *  "output": "...",                                   the whole answer (absent when the call failed)
 *  "error": "...",                                    the failure message (only when the call failed)
 *  "prompt_tokens": 812, "output_tokens": 143,        -1 when the endpoint did not say
 *  "latency_ms": 2315.2,
 *  "prompt_ids": [...], "output_ids": [...]}          local models only: the exact token ids
 * </pre>
 *
 * @param error null for a call that answered; then {@code output} is non-null
 */
public record TraceRecord(Instant time, String endpoint, String stage, Sampling sampling, String prompt, String output,
                          String error, int promptTokens, int outputTokens, long latencyNanos, int[] promptIds, int[] outputIds) {

    public static TraceRecord answered(String endpoint, LlmRequest request, LlmResponse r) {
        return new TraceRecord(Instant.now(), endpoint, request.stage(), request.sampling(), request.prompt(), r.text(), null,
                r.promptTokens(), r.outputTokens(), r.latencyNanos(), r.promptIds(), r.outputIds());
    }

    public static TraceRecord failed(String endpoint, LlmRequest request, String error, long latencyNanos) {
        return new TraceRecord(Instant.now(), endpoint, request.stage(), request.sampling(), request.prompt(), null, error,
                -1, -1, latencyNanos, null, null);
    }

    /** The response this record replays (only for answered calls). */
    public LlmResponse response() {
        return new LlmResponse(output, promptTokens, outputTokens, latencyNanos, promptIds, outputIds);
    }

    ObjectNode toJson(ObjectMapper json) {
        ObjectNode o = json.createObjectNode();
        o.put("time", time.toString());
        o.put("endpoint", endpoint);
        o.put("stage", stage);
        ObjectNode s = o.putObject("sampling");
        s.put("max_new_tokens", sampling.maxNewTokens());
        s.put("temperature", sampling.temperature());
        s.put("top_p", sampling.topP());
        s.put("seed", sampling.seed());
        o.put("prompt", prompt);
        if (error == null) o.put("output", output);
        else o.put("error", error);
        o.put("prompt_tokens", promptTokens);
        o.put("output_tokens", outputTokens);
        o.put("latency_ms", latencyNanos / 1e6);
        if (promptIds != null) ids(o.putArray("prompt_ids"), promptIds);
        if (outputIds != null) ids(o.putArray("output_ids"), outputIds);
        return o;
    }

    private static void ids(ArrayNode a, int[] ids) {
        for (int id : ids) a.add(id);
    }

    /**
     * Reads one line's object.
     *
     * @throws IllegalArgumentException naming the field that is missing or mistyped
     */
    static TraceRecord fromJson(JsonNode o) {
        if (o == null || !o.isObject()) throw new IllegalArgumentException("expected a JSON object");
        JsonNode s = field(o, "sampling");
        if (!s.isObject()) throw new IllegalArgumentException("field sampling: expected an object");
        Sampling sampling;
        int maxNewTokens = integer(s, "max_new_tokens", "sampling.");
        double temperature = number(s, "temperature", "sampling."), topP = number(s, "top_p", "sampling.");
        long seed = field(s, "seed", "sampling.").asLong();
        try {
            sampling = new Sampling(maxNewTokens, temperature, topP, seed);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("field sampling: " + e.getMessage());
        }
        String error = o.hasNonNull("error") ? text(o, "error") : null;
        String output = error == null ? text(o, "output") : null;
        Instant time;
        try {
            time = o.hasNonNull("time") ? Instant.parse(o.get("time").asText()) : Instant.EPOCH;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("field time: not an ISO-8601 instant: " + o.get("time").asText());
        }
        return new TraceRecord(time, o.path("endpoint").asText(""), text(o, "stage"), sampling, text(o, "prompt"), output, error,
                o.path("prompt_tokens").asInt(-1), o.path("output_tokens").asInt(-1),
                (long) (o.path("latency_ms").asDouble(0) * 1e6), ids(o, "prompt_ids"), ids(o, "output_ids"));
    }

    private static JsonNode field(JsonNode o, String name) {
        return field(o, name, "");
    }

    private static JsonNode field(JsonNode o, String name, String prefix) {
        JsonNode v = o.get(name);
        if (v == null || v.isNull()) throw new IllegalArgumentException("field " + prefix + name + ": missing");
        return v;
    }

    private static String text(JsonNode o, String name) {
        JsonNode v = field(o, name);
        if (!v.isTextual()) throw new IllegalArgumentException("field " + name + ": expected a string");
        return v.textValue();
    }

    private static int integer(JsonNode o, String name, String prefix) {
        JsonNode v = field(o, name, prefix);
        if (!v.canConvertToInt() || !v.isIntegralNumber()) throw new IllegalArgumentException("field " + prefix + name + ": expected an integer");
        return v.intValue();
    }

    private static double number(JsonNode o, String name, String prefix) {
        JsonNode v = field(o, name, prefix);
        if (!v.isNumber()) throw new IllegalArgumentException("field " + prefix + name + ": expected a number");
        return v.doubleValue();
    }

    private static int[] ids(JsonNode o, String name) {
        JsonNode v = o.get(name);
        if (v == null || v.isNull()) return null;
        if (!v.isArray()) throw new IllegalArgumentException("field " + name + ": expected an array of token ids");
        int[] out = new int[v.size()];
        for (int i = 0; i < out.length; i++) {
            if (!v.get(i).canConvertToInt() || !v.get(i).isIntegralNumber()) throw new IllegalArgumentException("field " + name + "[" + i + "]: expected an integer");
            out[i] = v.get(i).intValue();
        }
        return out;
    }
}
