package org.crs4j.crs.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.crs4j.crs.llm.FakeChatServer.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every bad-endpoint case of issue 10 against a loopback fake server; waits between retries are recorded, not slept. */
class RemoteLlmTest {
    private static final String KEY = "sk-test-0123456789abcdef";
    private static final Sampling SAMPLING = new Sampling(64, 0.7, 0.9, 42);
    private final List<Duration> waits = new CopyOnWriteArrayList<>();

    private RemoteLlm open(FakeChatServer server, RemoteLlm.Settings settings) {
        return RemoteLlm.open(server.base() + "#test-model", settings, KEY, waits::add);
    }

    private RemoteLlm open(FakeChatServer server) {
        return open(server, RemoteLlm.Settings.defaults());
    }

    private static LlmRequest request() {
        return new LlmRequest("rerank", "Recommend a movie like Heat (1995).", SAMPLING);
    }

    @Test
    void answersFromChoicesAndSendsTheOpenAiRequest() throws Exception {
        try (var server = new FakeChatServer(Reply.content("Try Collateral (2004).")); var llm = open(server)) {
            StringBuilder streamed = new StringBuilder();
            LlmResponse r = llm.complete(new LlmRequest("rerank", "Recommend a movie like Heat (1995).", SAMPLING, streamed::append));
            assertEquals("Try Collateral (2004).", r.text());
            assertEquals(r.text(), streamed.toString());
            assertEquals(7, r.promptTokens());
            assertEquals(3, r.outputTokens());
            assertTrue(r.latencyNanos() > 0);
            assertEquals(null, r.outputIds());
            var seen = server.requests.get(0);
            assertEquals("POST", seen.method());
            assertEquals("/v1/chat/completions", seen.path());
            assertEquals(List.of("Bearer " + KEY), seen.headers().get("Authorization"));
            JsonNode body = new ObjectMapper().readTree(seen.body());
            assertEquals("test-model", body.get("model").asText());
            assertEquals("user", body.get("messages").get(0).get("role").asText());
            assertEquals("Recommend a movie like Heat (1995).", body.get("messages").get(0).get("content").asText());
            assertEquals(64, body.get("max_tokens").asInt());
            assertEquals(0.7, body.get("temperature").asDouble());
            assertEquals(0.9, body.get("top_p").asDouble());
            assertEquals(42, body.get("seed").asLong());
            assertTrue(body.get("stream").asBoolean(), "a request with a stream asks for one; this server answered plain JSON");
            llm.complete(request());
            assertFalse(new ObjectMapper().readTree(server.requests.get(1).body()).get("stream").asBoolean());
            assertEquals(server.base() + "/chat/completions#test-model", llm.endpoint());
            assertTrue(waits.isEmpty());
        }
    }

    @Test
    void specsNameTheModelAfterTheHashAndAcceptTheFullPath() throws Exception {
        try (var server = new FakeChatServer(Reply.content("ok"))) {
            try (var full = RemoteLlm.open(server.base() + "/chat/completions#m%201", RemoteLlm.Settings.defaults(), null, waits::add)) {
                assertEquals("m 1", full.model());
                assertEquals("ok", full.complete(request()).text());
                assertEquals("/v1/chat/completions", server.requests.get(0).path());
                assertEquals(null, server.requests.get(0).headers().get("Authorization"), "no key unless one is named");
            }
            try (var slash = RemoteLlm.open(server.base() + "/#m", RemoteLlm.Settings.defaults(), null, waits::add)) {
                assertEquals(server.base() + "/chat/completions", slash.url().toString());
            }
        }
        var noModel = assertThrows(LlmException.class, () -> RemoteLlm.open("http://127.0.0.1:1/v1", RemoteLlm.Settings.defaults(), null, waits::add));
        assertTrue(noModel.getMessage().contains("name the model after '#'"), noModel.getMessage());
        var creds = assertThrows(LlmException.class, () -> RemoteLlm.open("http://user:" + KEY + "@127.0.0.1:1/v1#m", RemoteLlm.Settings.defaults(), null, waits::add));
        assertTrue(creds.getMessage().contains("--llm-key-env"), creds.getMessage());
        assertFalse(creds.getMessage().contains(KEY), creds.getMessage());
        var bad = assertThrows(LlmException.class, () -> Llms.open("http://exa mple.com/v1#m"));
        assertTrue(bad.getMessage().startsWith("--llm http://exa mple.com/v1#m: not a valid URL"), bad.getMessage());
        var env = assertThrows(LlmException.class, () -> Llms.open("http://127.0.0.1:1/v1#m",
                new Llms.Options("CRS4J_TEST_NO_SUCH_VARIABLE", RemoteLlm.Settings.defaults(), null)));
        assertEquals("--llm-key-env CRS4J_TEST_NO_SUCH_VARIABLE: the environment variable is not set or empty", env.getMessage());
    }

    @Test
    void endpointThatIsDownIsRetriedThenNamed() throws Exception {
        int port;
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (var llm = RemoteLlm.open("http://127.0.0.1:" + port + "/v1#m", RemoteLlm.Settings.defaults().withMaxRetries(2), KEY, waits::add)) {
            var e = assertThrows(LlmException.class, () -> llm.complete(request()));
            assertTrue(e.getMessage().startsWith("http://127.0.0.1:" + port + "/v1/chat/completions#m: cannot connect to"), e.getMessage());
            assertTrue(e.getMessage().endsWith("(attempt 3 of 3)"), e.getMessage());
            assertEquals(2, waits.size());
        }
    }

    @Test
    void slowHeadersAndSlowBodiesTimeOut() throws Exception {
        var settings = RemoteLlm.Settings.defaults().withTimeout(Duration.ofMillis(300)).withMaxRetries(1);
        try (var server = new FakeChatServer(Reply.content("late").delayed(3000)); var llm = open(server, settings)) {
            long t0 = System.nanoTime();
            var e = assertThrows(LlmException.class, () -> llm.complete(request()));
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertTrue(e.getMessage().contains("answer within 0.300 s"), e.getMessage());
            assertTrue(seconds < 2.5, "gave up after " + seconds + " s");
            assertEquals(1, waits.size());
        }
        waits.clear();
        try (var server = new FakeChatServer(Reply.content("a body that arrives one byte every 50 ms").trickled(50)); var llm = open(server, settings.withMaxRetries(0))) {
            long t0 = System.nanoTime();
            var e = assertThrows(LlmException.class, () -> llm.complete(request()));
            assertTrue(e.getMessage().contains("no complete answer within 0.300 s"), e.getMessage());
            assertTrue((System.nanoTime() - t0) / 1e9 < 2.5);
        }
    }

    @Test
    void clientErrorsFailAtOnceWithTheServersMessage() throws Exception {
        String error = "{\"error\":{\"message\":\"max_tokens is too large: 64000\",\"type\":\"invalid_request_error\"}}";
        try (var server = new FakeChatServer(Reply.json(400, error)); var llm = open(server)) {
            var e = assertThrows(LlmException.class, () -> llm.complete(request()));
            assertEquals(llm.endpoint() + ": HTTP 400: max_tokens is too large: 64000", e.getMessage());
            assertEquals(1, server.requests.size());
        }
        try (var server = new FakeChatServer(Reply.json(404, "<html>Not Found</html>")); var llm = open(server)) {
            var e = assertThrows(LlmException.class, () -> llm.complete(request()));
            assertTrue(e.getMessage().contains("HTTP 404: <html>Not Found</html> (is the base URL right?"), e.getMessage());
        }
    }

    @Test
    void serverErrorsAreRetriedWithExponentialBackoff() throws Exception {
        try (var server = new FakeChatServer(Reply.json(503, "overloaded")); var llm = open(server, RemoteLlm.Settings.defaults().withMaxRetries(3))) {
            var e = assertThrows(LlmException.class, () -> llm.complete(request()));
            assertTrue(e.getMessage().endsWith("HTTP 503: overloaded (attempt 4 of 4)"), e.getMessage());
            assertEquals(4, server.requests.size());
            assertEquals(3, waits.size());
            for (int i = 0; i < 3; i++) {
                double s = waits.get(i).toNanos() / 1e9, full = 0.5 * Math.pow(2, i);
                assertTrue(s <= full && s >= 0.75 * full, "wait " + i + ": " + s + " s");
            }
        }
    }

    @Test
    void tooManyRequestsThenSuccessHonoursRetryAfter() throws Exception {
        try (var server = new FakeChatServer(Reply.json(429, "{\"error\":{\"message\":\"rate limited\"}}").withHeader("Retry-After", "2"),
                Reply.json(429, "slow down").withHeader("retry-after-ms", "150"), Reply.content("finally"));
             var llm = open(server)) {
            assertEquals("finally", llm.complete(request()).text());
            assertEquals(List.of(Duration.ofSeconds(2), Duration.ofMillis(150)), waits);
            assertEquals(3, server.requests.size());
        }
        waits.clear();
        try (var server = new FakeChatServer(Reply.json(429, "quota").withHeader("Retry-After", "3600")); var llm = open(server)) {
            var e = assertThrows(LlmException.class, () -> llm.complete(request()));
            assertTrue(e.getMessage().contains("HTTP 429: quota; the server asks to retry after 3.60e+03 s, more than the 60.0 s this client waits"), e.getMessage());
            assertTrue(waits.isEmpty());
        }
    }

    @Test
    void invalidJsonEmptyBodiesAndMissingContentAreNamed() throws Exception {
        try (var server = new FakeChatServer(Reply.json(200, "{\"choices\": [ {\"message\": oops")); var llm = open(server)) {
            var e = assertThrows(LlmException.class, () -> llm.complete(request()));
            assertTrue(e.getMessage().startsWith(llm.endpoint() + ": the answer is not valid JSON ("), e.getMessage());
            assertTrue(e.getMessage().contains("line 1, column"), e.getMessage());
            assertEquals(1, server.requests.size(), "invalid JSON is not retried");
        }
        try (var server = new FakeChatServer(Reply.json(200, "")); var llm = open(server)) {
            assertEquals(llm.endpoint() + ": empty response body (HTTP 200)", assertThrows(LlmException.class, () -> llm.complete(request())).getMessage());
        }
        try (var server = new FakeChatServer(Reply.json(200, "{\"choices\":[]}")); var llm = open(server)) {
            assertTrue(assertThrows(LlmException.class, () -> llm.complete(request())).getMessage().contains("the answer has no choices"));
        }
        try (var server = new FakeChatServer(Reply.json(200, "{\"choices\":[{\"message\":{\"content\":null,\"refusal\":\"I cannot help\"}}]}")); var llm = open(server)) {
            assertTrue(assertThrows(LlmException.class, () -> llm.complete(request())).getMessage().endsWith("(a refusal: I cannot help)"));
        }
        try (var server = new FakeChatServer(Reply.content("")); var llm = open(server)) {
            LlmResponse r = llm.complete(request());
            assertEquals("", r.text(), "an empty content string is an empty answer, for the stage to count");
        }
    }

    @Test
    void hugeAnswersAreRefusedWithOrWithoutContentLength() throws Exception {
        String huge = "x".repeat(300_000);
        var settings = RemoteLlm.Settings.defaults().withMaxResponseBytes(100_000);
        for (Reply reply : new Reply[] {Reply.content(huge), Reply.content(huge).chunkedBody()}) {
            try (var server = new FakeChatServer(reply); var llm = open(server, settings)) {
                var e = assertThrows(LlmException.class, () -> llm.complete(request()));
                assertEquals(llm.endpoint() + ": the answer is larger than the limit of 100000 bytes", e.getMessage());
                assertEquals(1, server.requests.size(), "not retried");
            }
        }
    }

    @Test
    void theKeyIsNeverInMessagesOrTraces(@TempDir Path dir) throws Exception {
        String echo = "{\"error\":{\"message\":\"Incorrect API key provided: {{authorization}}\"}}";
        Path trace = dir.resolve("trace.jsonl");
        try (var server = new FakeChatServer(Reply.json(401, echo), Reply.json(500, "bad key {{authorization}}"), Reply.content("{{authorization}}"));
             var llm = new TracingLlm(open(server, RemoteLlm.Settings.defaults().withMaxRetries(0)), trace)) {
            var unauthorized = assertThrows(LlmException.class, () -> llm.complete(request()));
            assertEquals(llm.endpoint() + ": HTTP 401: Incorrect API key provided: Bearer ***", unauthorized.getMessage());
            var server500 = assertThrows(LlmException.class, () -> llm.complete(request()));
            assertTrue(server500.getMessage().contains("bad key Bearer ***"), server500.getMessage());
            assertFalse(llm.toString().contains(KEY));
            assertEquals("Bearer ***", llm.complete(request()).text(), "a server that echoes the key in its answer");
        }
        String lines = Files.readString(trace);
        assertEquals(3, lines.lines().count());
        assertFalse(lines.contains(KEY), lines);
        assertFalse(lines.contains(KEY.substring(3)), lines);
    }

    private static String delta(String content) {
        return "{\"choices\":[{\"index\":0,\"delta\":{\"content\":" + (content == null ? "null" : "\"" + content + "\"") + "}}]}";
    }

    @Test
    void streamedAnswersArriveInPiecesAsTheServerSendsThem() throws Exception {
        String usage = "{\"choices\":[],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":4}}";
        try (var server = new FakeChatServer(Reply.events(150, "{\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}", delta("Try"),
                delta(" Collateral"), delta(" (2004) – \u00e9t\u00e9"), usage, "[DONE]")); var llm = open(server)) {
            List<String> pieces = new CopyOnWriteArrayList<>();
            List<Long> at = new CopyOnWriteArrayList<>();
            LlmResponse r = llm.complete(new LlmRequest("chat", "hi", SAMPLING, p -> {
                pieces.add(p);
                at.add(System.nanoTime());
            }));
            long end = System.nanoTime();
            assertEquals(List.of("Try", " Collateral", " (2004) – été"), pieces);
            assertEquals("Try Collateral (2004) – été", r.text());
            assertEquals(11, r.promptTokens());
            assertEquals(4, r.outputTokens());
            assertTrue((end - at.get(0)) / 1e6 > 300, "the first piece came before the rest of the stream: " + (end - at.get(0)) / 1e6 + " ms");
            assertTrue(server.requests.get(0).headers().get("Accept").get(0).startsWith("text/event-stream"));
        }
    }

    @Test
    void brokenStreamsFailOnceTextWasShownAndAreRetriedBefore() throws Exception {
        try (var server = new FakeChatServer(Reply.events(0, delta("Half an"), delta(" answer"))); var llm = open(server)) {
            StringBuilder shown = new StringBuilder();
            var e = assertThrows(LlmException.class, () -> llm.complete(new LlmRequest("chat", "hi", SAMPLING, shown::append)));
            assertEquals(llm.endpoint() + ": the answer's stream ended without data: [DONE] after 14 characters were streamed", e.getMessage());
            assertEquals("Half an answer", shown.toString());
            assertEquals(1, server.requests.size(), "no retry once text was shown");
        }
        try (var server = new FakeChatServer(Reply.events(0, delta(null)), Reply.events(0, delta("whole"), "[DONE]")); var llm = open(server)) {
            assertEquals("whole", llm.complete(new LlmRequest("chat", "hi", SAMPLING, p -> { })).text());
            assertEquals(2, server.requests.size(), "a stream that broke before any text is retried");
        }
        try (var server = new FakeChatServer(Reply.events(0, "{\"error\":{\"message\":\"overloaded\"}}")); var llm = open(server)) {
            var e = assertThrows(LlmException.class, () -> llm.complete(new LlmRequest("chat", "hi", SAMPLING, p -> { })));
            assertEquals(llm.endpoint() + ": error in the stream: overloaded", e.getMessage());
        }
        try (var server = new FakeChatServer(Reply.events(0, delta("ok"), "{not json")); var llm = open(server)) {
            var e = assertThrows(LlmException.class, () -> llm.complete(new LlmRequest("chat", "hi", SAMPLING, p -> { })));
            assertTrue(e.getMessage().startsWith(llm.endpoint() + ": an event of the answer is not valid JSON: {not json after 2 characters"), e.getMessage());
        }
        String huge = delta("x".repeat(60_000));
        try (var server = new FakeChatServer(Reply.events(0, huge, huge, "[DONE]")); var llm = open(server, RemoteLlm.Settings.defaults().withMaxResponseBytes(100_000))) {
            var e = assertThrows(LlmException.class, () -> llm.complete(new LlmRequest("chat", "hi", SAMPLING, p -> { })));
            assertTrue(e.getMessage().contains("the answer is larger than the limit of 100000 bytes"), e.getMessage());
        }
    }
}
