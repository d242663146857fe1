package org.crs4j.crs.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Request bodies, one rule each: what is accepted, and the status, param and message of what is not. */
class OpenAiRequestsTest {

    private static GenerationRequest chat(String json) {
        return OpenAiRequests.chat(OpenAiRequests.object(json));
    }

    private static GenerationRequest completion(String json) {
        return OpenAiRequests.completion(OpenAiRequests.object(json));
    }

    /** The error a body gets, checked to be a 400 naming {@code param} with {@code fragment} in its message. */
    private static ApiError refused(String param, String fragment, Runnable parse) {
        ApiError e = assertThrows(ApiError.class, parse::run);
        assertEquals(400, e.status(), e.getMessage());
        assertEquals("invalid_request_error", e.type());
        assertEquals(param, e.param(), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        return e;
    }

    @Test
    void aFullChatRequestIsRead() {
        GenerationRequest r = chat("""
                {"model": "m", "messages": [{"role": "developer", "content": "Be brief."},
                  {"role": "user", "content": [{"type": "text", "text": "Hi "}, {"type": "text", "text": "there"}], "name": "ann"}],
                 "max_completion_tokens": 7, "temperature": 0.5, "top_p": 0.9, "seed": -3, "stop": ["\\n", "END"],
                 "stream": true, "stream_options": {"include_usage": true}, "n": 2, "user": "u1",
                 "presence_penalty": 0, "frequency_penalty": 0.0, "logprobs": false, "logit_bias": {}}""");
        assertTrue(r.chat());
        assertEquals("m", r.model());
        assertEquals(List.of(new ChatMessage("system", "Be brief."), new ChatMessage("user", "Hi there")), r.messages());
        assertEquals(7, r.maxTokens());
        assertEquals("max_completion_tokens", r.maxTokensParam());
        assertEquals(0.5, r.temperature());
        assertEquals(0.9, r.topP());
        assertEquals(-3L, r.seed());
        assertEquals(List.of("\n", "END"), r.stop());
        assertTrue(r.stream() && r.includeUsage());
        assertEquals(2, r.n());
    }

    @Test
    void leftOutFieldsAreNull() {
        GenerationRequest r = completion("{\"model\": \"m\", \"prompt\": \"x\"}");
        assertNull(r.maxTokens());
        assertNull(r.temperature());
        assertNull(r.topP());
        assertNull(r.seed());
        assertEquals(List.of(), r.stop());
        assertEquals(1, r.n());
        assertEquals("x", r.prompts().get(0).text());
    }

    @Test
    void promptsMayBeTextListsOrTokenIds() {
        assertEquals(2, completion("{\"model\": \"m\", \"prompt\": [\"a\", \"b\"]}").prompts().size());
        assertArrayEquals(new int[] {1, 2, 3}, completion("{\"model\": \"m\", \"prompt\": [1, 2, 3]}").prompts().get(0).ids());
        GenerationRequest two = completion("{\"model\": \"m\", \"prompt\": [[1], \"b\"]}");
        assertArrayEquals(new int[] {1}, two.prompts().get(0).ids());
        assertEquals("b", two.prompts().get(1).text());
        refused("prompt", "non-negative token id", () -> completion("{\"model\": \"m\", \"prompt\": [1, -2]}"));
        refused("prompt", "non-negative token id", () -> completion("{\"model\": \"m\", \"prompt\": [1, \"a\"]}"));
        refused("prompt", "empty array", () -> completion("{\"model\": \"m\", \"prompt\": []}"));
        refused("prompt", "must not be empty", () -> completion("{\"model\": \"m\", \"prompt\": [[]]}"));
        refused("prompt", "is required", () -> completion("{\"model\": \"m\"}"));
        refused("prompt", "must be a string", () -> completion("{\"model\": \"m\", \"prompt\": {\"a\": 1}}"));
    }

    @Test
    void malformedJsonNamesWhereItBreaks() {
        ApiError e = refused(null, "not valid JSON at line 2", () -> OpenAiRequests.object("{\"model\": \"m\",\n \"messages\": [}"));
        assertTrue(e.getMessage().length() < 300, e.getMessage());
        refused(null, "not valid JSON", () -> OpenAiRequests.object("{\"model\": \"m\"} {\"x\": 1}")); // trailing content
        refused(null, "not valid JSON", () -> OpenAiRequests.object("{\"model\": \"a\", \"model\": \"b\"}")); // duplicate key
        refused(null, "empty", () -> OpenAiRequests.object(""));
        refused(null, "must be a JSON object, found an array", () -> OpenAiRequests.object("[1, 2]"));
        refused(null, "must be a JSON object, found a string", () -> OpenAiRequests.object("\"hi\""));
        // nesting beyond the limit is refused by the parser before it builds the tree
        String deep = "{\"model\": " + "[".repeat(5000) + "]".repeat(5000) + "}";
        refused(null, "not valid JSON", () -> OpenAiRequests.object(deep));
    }

    @Test
    void invalidUtf8IsRefusedWithItsOffset() {
        byte[] ok = "{\"model\": \"é\"}".getBytes(StandardCharsets.UTF_8);
        assertEquals("{\"model\": \"é\"}", OpenAiRequests.utf8(ok));
        byte[] bad = "{\"model\": \"xx\"}".getBytes(StandardCharsets.UTF_8);
        bad[12] = (byte) 0xC3; // a lead byte followed by an ASCII byte
        refused(null, "not valid UTF-8: malformed byte at offset 12", () -> OpenAiRequests.utf8(bad));
        byte[] overlong = {'"', (byte) 0xC0, (byte) 0xAF, '"'};
        refused(null, "offset 1", () -> OpenAiRequests.utf8(overlong));
        byte[] surrogate = {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'}; // an encoded UTF-16 surrogate
        refused(null, "offset 1", () -> OpenAiRequests.utf8(surrogate));
    }

    @Test
    void wrongTypesAreNamed() {
        String base = "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], ";
        refused("model", "must be a string, found an integer", () -> chat("{\"model\": 3, \"messages\": []}"));
        refused("max_tokens", "must be an integer, found a string", () -> chat(base + "\"max_tokens\": \"10\"}"));
        refused("max_tokens", "must be an integer, found a number", () -> chat(base + "\"max_tokens\": 10.5}"));
        refused("temperature", "must be a number, found a string", () -> chat(base + "\"temperature\": \"hot\"}"));
        refused("temperature", "must be in [0, 2]", () -> chat(base + "\"temperature\": 2.5}"));
        refused("temperature", "must be in [0, 2]", () -> chat(base + "\"temperature\": -0.1}"));
        refused("top_p", "must be in (0, 1]", () -> chat(base + "\"top_p\": 0}"));
        refused("seed", "must be an integer", () -> chat(base + "\"seed\": 1.5}"));
        refused("seed", "does not fit in 64 bits", () -> chat(base + "\"seed\": 99999999999999999999999}"));
        refused("stream", "must be true or false, found a string", () -> chat(base + "\"stream\": \"yes\"}"));
        refused("stop", "must be a string or an array", () -> chat(base + "\"stop\": 5}"));
        refused("stop", "stop[1] must be a string", () -> chat(base + "\"stop\": [\"a\", 1]}"));
        refused("stop", "at most 4", () -> chat(base + "\"stop\": [\"a\", \"b\", \"c\", \"d\", \"e\"]}"));
        refused("stop", "must not be empty", () -> chat(base + "\"stop\": \"\"}"));
        refused("n", "between 1 and", () -> chat(base + "\"n\": 0}"));
        refused("user", "must be a string", () -> chat(base + "\"user\": 5}"));
        refused("stream_options", "only allowed when stream is true", () -> chat(base + "\"stream_options\": {\"include_usage\": true}}"));
        refused("stream_options.include_usage", "must be true or false",
                () -> chat(base + "\"stream\": true, \"stream_options\": {\"include_usage\": 1}}"));
        refused("messages", "must be an array, found a string", () -> chat("{\"model\": \"m\", \"messages\": \"hi\"}"));
    }

    @Test
    void maxTokensBelowOneOrBeyondAnIntIsRefused() {
        String base = "{\"model\": \"m\", \"prompt\": \"x\", \"max_tokens\": ";
        refused("max_tokens", "at least 1, got -5", () -> completion(base + "-5}"));
        refused("max_tokens", "at least 1, got 0", () -> completion(base + "0}"));
        refused("max_tokens", "99999999999999999999 is too large", () -> completion(base + "99999999999999999999}"));
        refused("max_tokens", "at least 1", () -> completion(base + "-99999999999}"));
        refused("max_completion_tokens", "not both", () -> chat("{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}],"
                + " \"max_tokens\": 1, \"max_completion_tokens\": 2}"));
    }

    @Test
    void unknownAndUnsupportedFieldsAreRefusedByName() {
        String msg = "\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]";
        refused("temprature", "Unrecognized request argument supplied: temprature",
                () -> chat("{\"model\": \"m\", " + msg + ", \"temprature\": 1}"));
        refused("messages[0].mood", "Unrecognized request argument supplied: messages[0].mood",
                () -> chat("{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\", \"mood\": 1}]}"));
        refused("messages", "Unrecognized", () -> completion("{\"model\": \"m\", \"prompt\": \"x\", " + msg + "}"));
        refused("presence_penalty", "not supported", () -> chat("{\"model\": \"m\", " + msg + ", \"presence_penalty\": 0.5}"));
        refused("logprobs", "not supported", () -> chat("{\"model\": \"m\", " + msg + ", \"logprobs\": true}"));
        refused("echo", "not supported", () -> completion("{\"model\": \"m\", \"prompt\": \"x\", \"echo\": true}"));
        refused("best_of", "not supported", () -> completion("{\"model\": \"m\", \"prompt\": \"x\", \"best_of\": 3}"));
        refused("tools", "Unrecognized", () -> chat("{\"model\": \"m\", " + msg + ", \"tools\": []}"));
    }

    @Test
    void messagesMustBeNonEmptyWithKnownRolesAndTextContent() {
        refused("messages", "at least one message", () -> chat("{\"model\": \"m\", \"messages\": []}"));
        refused("messages", "is required", () -> chat("{\"model\": \"m\"}"));
        refused("messages[0].role", "'wizard' is not one of", () -> chat("{\"model\": \"m\", \"messages\": [{\"role\": \"wizard\", \"content\": \"x\"}]}"));
        refused("messages[0].role", "tool and function messages are not supported",
                () -> chat("{\"model\": \"m\", \"messages\": [{\"role\": \"tool\", \"content\": \"x\"}]}"));
        refused("messages[0].role", "is required", () -> chat("{\"model\": \"m\", \"messages\": [{\"content\": \"x\"}]}"));
        refused("messages[0].role", "must be a string", () -> chat("{\"model\": \"m\", \"messages\": [{\"role\": 1, \"content\": \"x\"}]}"));
        refused("messages[1]", "must be an object", () -> chat("{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}, 4]}"));
        refused("messages[0].content", "is required", () -> chat("{\"model\": \"m\", \"messages\": [{\"role\": \"user\"}]}"));
        refused("messages[0].content[0].type", "'image_url' is not supported",
                () -> chat("{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\"}]}]}"));
        // a role name as long as the body is not echoed back whole
        ApiError e = refused("messages[0].role", "is not one of",
                () -> chat("{\"model\": \"m\", \"messages\": [{\"role\": \"" + "r".repeat(10_000) + "\", \"content\": \"x\"}]}"));
        assertTrue(e.getMessage().length() < 300, e.getMessage());
    }
}
