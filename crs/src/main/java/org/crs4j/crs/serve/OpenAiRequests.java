package org.crs4j.crs.serve;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads OpenAI request bodies strictly: UTF-8 only, one JSON object, no duplicate keys, bounded nesting, every field
 * of the right type and range, and no field this server does not know (OpenAI itself answers "Unrecognized request
 * argument supplied"). Fields OpenAI defines but crs4j does not implement are accepted only at their neutral value
 * ({@code n} aside, which is implemented), so a client never silently gets something other than it asked for. Each
 * failure is an {@link ApiError} naming the field ({@code param}) and what is wrong.
 */
public final class OpenAiRequests {
    private OpenAiRequests() {}

    /** Strict JSON: duplicate keys, trailing content and nesting beyond {@link ServeLimits#MAX_JSON_DEPTH} refused. */
    public static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(ServeLimits.MAX_JSON_DEPTH).build())
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final Set<String> COMMON = Set.of("model", "max_tokens", "temperature", "top_p", "seed", "stop", "stream",
            "stream_options", "n", "user", "presence_penalty", "frequency_penalty", "logit_bias", "logprobs");
    private static final Set<String> CHAT = union(COMMON, "messages", "max_completion_tokens", "top_logprobs");
    private static final Set<String> COMPLETION = union(COMMON, "prompt", "echo", "best_of", "suffix");
    private static final Set<String> MESSAGE = Set.of("role", "content", "name");
    /** "developer" is OpenAI's newer name for the system role. */
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant");

    /** The body as text: strict UTF-8 (a malformed byte is refused with its offset, never replaced). */
    public static String utf8(byte[] body) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(body);
        try {
            return decoder.decode(in).toString();
        } catch (MalformedInputException e) {
            throw ApiError.invalid(null, "request body is not valid UTF-8: malformed byte at offset " + in.position());
        } catch (CharacterCodingException e) {
            throw ApiError.invalid(null, "request body is not valid UTF-8 at offset " + in.position());
        }
    }

    /** One JSON object, or a 400 naming where the JSON breaks. */
    public static JsonNode object(String body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JacksonException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw ApiError.invalid(null, "request body is not valid JSON" + where + ": " + firstLine(e.getOriginalMessage()));
        }
        if (root == null || root.isMissingNode()) throw ApiError.invalid(null, "request body is empty: expected a JSON object");
        if (!root.isObject()) throw ApiError.invalid(null, "request body must be a JSON object, found " + kind(root));
        return root;
    }

    /** {@code POST /v1/chat/completions}. */
    public static GenerationRequest chat(JsonNode body) {
        onlyKnown(body, "", CHAT);
        String model = requiredString(body, "model");
        JsonNode messagesNode = body.get("messages");
        if (messagesNode == null || messagesNode.isNull()) throw ApiError.invalid("messages", "messages is required");
        if (!messagesNode.isArray()) throw ApiError.invalid("messages", "messages must be an array, found " + kind(messagesNode));
        if (messagesNode.isEmpty()) throw ApiError.invalid("messages", "messages must contain at least one message");
        List<ChatMessage> messages = new ArrayList<>();
        for (int i = 0; i < messagesNode.size(); i++) messages.add(message(messagesNode.get(i), "messages[" + i + "]"));
        if (body.hasNonNull("max_tokens") && body.hasNonNull("max_completion_tokens")) {
            throw ApiError.invalid("max_completion_tokens", "give max_tokens or max_completion_tokens, not both");
        }
        String maxParam = body.hasNonNull("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        neutral(body, "top_logprobs", n -> n.isNull());
        return common(body, true, model, messages, null, maxParam);
    }

    /** {@code POST /v1/completions}. */
    public static GenerationRequest completion(JsonNode body) {
        onlyKnown(body, "", COMPLETION);
        String model = requiredString(body, "model");
        List<GenerationRequest.Prompt> prompts = prompts(body.get("prompt"));
        neutral(body, "echo", n -> n.isBoolean() && !n.asBoolean());
        neutral(body, "best_of", n -> n.isIntegralNumber() && n.asLong() == 1);
        neutral(body, "suffix", n -> n.isNull());
        return common(body, false, model, null, prompts, "max_tokens");
    }

    private static GenerationRequest common(JsonNode body, boolean chat, String model, List<ChatMessage> messages,
                                            List<GenerationRequest.Prompt> prompts, String maxParam) {
        Integer maxTokens = maxTokens(body.get(maxParam), maxParam);
        Double temperature = number(body, "temperature", 0, 2, true);
        Double topP = number(body, "top_p", 0, 1, false);
        Long seed = null;
        JsonNode s = body.get("seed");
        if (s != null && !s.isNull()) {
            if (!s.isIntegralNumber()) throw ApiError.invalid("seed", "seed must be an integer, found " + kind(s));
            if (!s.canConvertToLong()) throw ApiError.invalid("seed", "seed " + s + " does not fit in 64 bits");
            seed = s.asLong();
        }
        int n = 1;
        JsonNode nNode = body.get("n");
        if (nNode != null && !nNode.isNull()) {
            if (!nNode.isIntegralNumber()) throw ApiError.invalid("n", "n must be an integer, found " + kind(nNode));
            if (!nNode.canConvertToInt() || nNode.asInt() < 1 || nNode.asInt() > ServeLimits.MAX_CHOICES) {
                throw ApiError.invalid("n", "n must be between 1 and " + ServeLimits.MAX_CHOICES + ", got " + nNode);
            }
            n = nNode.asInt();
        }
        List<String> stop = stop(body.get("stop"));
        boolean stream = bool(body, "stream");
        boolean includeUsage = false;
        JsonNode options = body.get("stream_options");
        if (options != null && !options.isNull()) {
            if (!stream) throw ApiError.invalid("stream_options", "stream_options is only allowed when stream is true");
            if (!options.isObject()) throw ApiError.invalid("stream_options", "stream_options must be an object, found " + kind(options));
            onlyKnown(options, "stream_options.", Set.of("include_usage"));
            includeUsage = bool(options, "include_usage", "stream_options.include_usage");
        }
        JsonNode user = body.get("user");
        if (user != null && !user.isNull() && !user.isTextual()) throw ApiError.invalid("user", "user must be a string, found " + kind(user));
        neutral(body, "presence_penalty", v -> v.isNumber() && v.asDouble() == 0);
        neutral(body, "frequency_penalty", v -> v.isNumber() && v.asDouble() == 0);
        neutral(body, "logit_bias", v -> v.isNull() || (v.isObject() && v.isEmpty()));
        neutral(body, "logprobs", v -> v.isNull() || (v.isBoolean() && !v.asBoolean()));
        return new GenerationRequest(chat, model, messages, prompts, n, maxTokens, maxParam, temperature, topP, seed, stop,
                stream, includeUsage);
    }

    private static ChatMessage message(JsonNode m, String path) {
        if (!m.isObject()) throw ApiError.invalid(path, path + " must be an object with role and content, found " + kind(m));
        onlyKnown(m, path + ".", MESSAGE);
        JsonNode role = m.get("role");
        if (role == null || role.isNull()) throw ApiError.invalid(path + ".role", path + ".role is required");
        if (!role.isTextual()) throw ApiError.invalid(path + ".role", path + ".role must be a string, found " + kind(role));
        String r = role.asText();
        if (r.equals("tool") || r.equals("function")) {
            throw ApiError.invalid(path + ".role", path + ".role '" + r + "': tool and function messages are not supported by this server");
        }
        if (!ROLES.contains(r)) {
            throw ApiError.invalid(path + ".role", path + ".role '" + clip(r) + "' is not one of 'system', 'developer', 'user', 'assistant'");
        }
        JsonNode name = m.get("name");
        if (name != null && !name.isNull() && !name.isTextual()) throw ApiError.invalid(path + ".name", path + ".name must be a string");
        return new ChatMessage(r.equals("developer") ? "system" : r, content(m.get("content"), path + ".content"));
    }

    /** A string, or OpenAI's array of content parts of which only {@code {"type": "text", "text": ...}} is supported. */
    private static String content(JsonNode c, String path) {
        if (c == null || c.isNull()) throw ApiError.invalid(path, path + " is required");
        if (c.isTextual()) return c.asText();
        if (!c.isArray()) throw ApiError.invalid(path, path + " must be a string or an array of text parts, found " + kind(c));
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < c.size(); i++) {
            JsonNode part = c.get(i);
            String p = path + "[" + i + "]";
            if (!part.isObject()) throw ApiError.invalid(p, p + " must be an object, found " + kind(part));
            onlyKnown(part, p + ".", Set.of("type", "text"));
            JsonNode type = part.get("type");
            if (type == null || !type.isTextual()) throw ApiError.invalid(p + ".type", p + ".type must be a string");
            if (!type.asText().equals("text")) {
                throw ApiError.invalid(p + ".type", p + ".type '" + clip(type.asText()) + "' is not supported: only text parts");
            }
            JsonNode t = part.get("text");
            if (t == null || !t.isTextual()) throw ApiError.invalid(p + ".text", p + ".text must be a string");
            text.append(t.asText());
        }
        return text.toString();
    }

    /** A string, an array of strings, an array of token ids, or an array of arrays of token ids. */
    private static List<GenerationRequest.Prompt> prompts(JsonNode p) {
        if (p == null || p.isNull()) throw ApiError.invalid("prompt", "prompt is required");
        List<GenerationRequest.Prompt> out = new ArrayList<>();
        if (p.isTextual()) {
            out.add(GenerationRequest.Prompt.text(p.asText()));
            return out;
        }
        if (!p.isArray()) throw ApiError.invalid("prompt", "prompt must be a string, an array of strings or an array of token ids, found " + kind(p));
        if (p.isEmpty()) throw ApiError.invalid("prompt", "prompt must not be an empty array");
        if (p.get(0).isNumber()) {
            out.add(GenerationRequest.Prompt.ids(ids(p, "prompt")));
            return out;
        }
        if (p.size() > ServeLimits.MAX_CHOICES) {
            throw ApiError.invalid("prompt", "at most " + ServeLimits.MAX_CHOICES + " prompts per request, got " + p.size());
        }
        for (int i = 0; i < p.size(); i++) {
            JsonNode e = p.get(i);
            if (e.isTextual()) out.add(GenerationRequest.Prompt.text(e.asText()));
            else if (e.isArray()) out.add(GenerationRequest.Prompt.ids(ids(e, "prompt[" + i + "]")));
            else throw ApiError.invalid("prompt", "prompt[" + i + "] must be a string or an array of token ids, found " + kind(e));
        }
        return out;
    }

    private static int[] ids(JsonNode a, String path) {
        if (a.isEmpty()) throw ApiError.invalid("prompt", path + " must not be empty");
        int[] ids = new int[a.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode e = a.get(i);
            if (!e.isIntegralNumber() || !e.canConvertToInt() || e.asInt() < 0) {
                throw ApiError.invalid("prompt", path + "[" + i + "] must be a non-negative token id, found " + clip(e.toString()));
            }
            ids[i] = e.asInt();
        }
        return ids;
    }

    private static Integer maxTokens(JsonNode v, String param) {
        if (v == null || v.isNull()) return null;
        if (!v.isIntegralNumber()) throw ApiError.invalid(param, param + " must be an integer, found " + kind(v));
        if (v.canConvertToLong() && v.asLong() < 1) throw ApiError.invalid(param, param + " must be at least 1, got " + v);
        if (!v.canConvertToInt()) throw ApiError.invalid(param, param + " " + clip(v.toString()) + " is too large");
        return v.asInt();
    }

    private static List<String> stop(JsonNode s) {
        List<String> out = new ArrayList<>();
        if (s == null || s.isNull()) return out;
        if (s.isTextual()) {
            out.add(s.asText());
        } else if (s.isArray()) {
            if (s.size() > ServeLimits.MAX_STOP_STRINGS) {
                throw ApiError.invalid("stop", "stop may hold at most " + ServeLimits.MAX_STOP_STRINGS + " strings, got " + s.size());
            }
            for (int i = 0; i < s.size(); i++) {
                if (!s.get(i).isTextual()) throw ApiError.invalid("stop", "stop[" + i + "] must be a string, found " + kind(s.get(i)));
                out.add(s.get(i).asText());
            }
        } else {
            throw ApiError.invalid("stop", "stop must be a string or an array of strings, found " + kind(s));
        }
        for (String x : out) {
            if (x.isEmpty()) throw ApiError.invalid("stop", "stop strings must not be empty");
            if (x.length() > ServeLimits.MAX_STOP_LENGTH) {
                throw ApiError.invalid("stop", "stop strings may be at most " + ServeLimits.MAX_STOP_LENGTH + " characters, got " + x.length());
            }
        }
        return out;
    }

    private static Double number(JsonNode body, String name, double min, double max, boolean minInclusive) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) return null;
        if (!v.isNumber()) throw ApiError.invalid(name, name + " must be a number, found " + kind(v));
        double d = v.asDouble();
        boolean ok = (minInclusive ? d >= min : d > min) && d <= max;
        if (!ok) throw ApiError.invalid(name, name + " must be in " + (minInclusive ? "[" : "(") + fmt(min) + ", " + fmt(max) + "], got " + v);
        return d;
    }

    private static boolean bool(JsonNode body, String name) {
        return bool(body, name, name);
    }

    private static boolean bool(JsonNode body, String name, String param) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) return false;
        if (!v.isBoolean()) throw ApiError.invalid(param, param + " must be true or false, found " + kind(v));
        return v.asBoolean();
    }

    private static String requiredString(JsonNode body, String name) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) throw ApiError.invalid(name, name + " is required");
        if (!v.isTextual()) throw ApiError.invalid(name, name + " must be a string, found " + kind(v));
        return v.asText();
    }

    /** A field OpenAI defines that this server accepts only at its neutral value. */
    private static void neutral(JsonNode body, String name, java.util.function.Predicate<JsonNode> isNeutral) {
        JsonNode v = body.get(name);
        if (v != null && !v.isNull() && !isNeutral.test(v)) {
            throw ApiError.invalid(name, name + " " + clip(v.toString()) + " is not supported by this server (leave it out)");
        }
    }

    private static void onlyKnown(JsonNode obj, String prefix, Set<String> known) {
        for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw ApiError.invalid(prefix + clip(f), "Unrecognized request argument supplied: " + prefix + clip(f));
            }
        }
    }

    static String kind(JsonNode n) {
        if (n.isTextual()) return "a string";
        if (n.isIntegralNumber()) return "an integer";
        if (n.isNumber()) return "a number";
        if (n.isBoolean()) return "a boolean";
        if (n.isArray()) return "an array";
        if (n.isObject()) return "an object";
        if (n.isNull()) return "null";
        return n.getNodeType().toString().toLowerCase();
    }

    /** Client text quoted in an error, cut short so an error never echoes a megabyte back. */
    static String clip(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static String firstLine(String s) {
        if (s == null) return "malformed";
        int nl = s.indexOf('\n');
        return clip(nl < 0 ? s : s.substring(0, nl));
    }

    private static Set<String> union(Set<String> base, String... more) {
        java.util.HashSet<String> s = new java.util.HashSet<>(base);
        s.addAll(List.of(more));
        return Set.copyOf(s);
    }
}
