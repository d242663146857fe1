package org.crs4j.crs.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.crs4j.models.LanguageModel;
import org.crs4j.models.LanguageModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server end to end over loopback HTTP on stories260K: answers equal what the model generates alone, the
 * streaming format, usage, stop, seeds, batching, and every bad-input case of issue 12 answered with the right status
 * and OpenAI error JSON while the server keeps serving.
 */
class ServerTest {
    private static LanguageModel stories;
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        stories = LanguageModels.load(TestServer.stories());
        server = new TestServer(ServeLimits.defaults().withGatherWindow(Duration.ofMillis(200)), null,
                List.of(new ServedModel("stories", stories, ChatFormat.bundled("plain"), ServeLimits.defaults())));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (stories != null) stories.close();
    }

    private static String completion(String prompt, int maxTokens, String extra) {
        return "{\"model\": \"stories\", \"prompt\": " + OpenAiRequests.JSON.valueToTree(prompt) + ", \"max_tokens\": " + maxTokens
                + (extra.isEmpty() ? "" : ", " + extra) + "}";
    }

    private static String chat(String user, int maxTokens, String extra) {
        return "{\"model\": \"stories\", \"messages\": [{\"role\": \"system\", \"content\": \"Tell stories.\"}, {\"role\": \"user\","
                + " \"content\": " + OpenAiRequests.JSON.valueToTree(user) + "}], \"max_tokens\": " + maxTokens
                + (extra.isEmpty() ? "" : ", " + extra) + "}";
    }

    private static String text(HttpResponse<String> r) throws Exception {
        assertEquals(200, r.statusCode(), r.body());
        return TestServer.json(r).get("choices").get(0).get("text").asText();
    }

    /** The model alone, greedy, through LanguageModel.generate. */
    private static String alone(String prompt, int maxTokens) {
        return stories.generate(prompt, stories.defaults().withMaxNewTokens(maxTokens).withTemperature(0), null);
    }

    @Test
    void modelsAreListed() throws Exception {
        JsonNode r = TestServer.json(server.get("/v1/models"));
        assertEquals("list", r.get("object").asText());
        assertEquals("stories", r.get("data").get(0).get("id").asText());
        assertEquals("model", r.get("data").get(0).get("object").asText());
    }

    @Test
    void greedyCompletionIsWhatTheModelGeneratesAloneWithUsage() throws Exception {
        String prompt = "Once upon a time, there was a little dog";
        HttpResponse<String> r = server.post("/v1/completions", completion(prompt, 40, "\"temperature\": 0"));
        JsonNode body = TestServer.json(r);
        assertEquals(alone(prompt, 40), text(r));
        assertEquals("text_completion", body.get("object").asText());
        assertTrue(body.get("id").asText().startsWith("cmpl-"));
        JsonNode usage = body.get("usage");
        assertEquals(stories.encodePrompt(prompt).length, usage.get("prompt_tokens").asInt());
        String reason = body.get("choices").get(0).get("finish_reason").asText();
        assertTrue(reason.equals("length") ? usage.get("completion_tokens").asInt() == 40 : reason.equals("stop"), body.toString());
        assertEquals(usage.get("prompt_tokens").asInt() + usage.get("completion_tokens").asInt(), usage.get("total_tokens").asInt());
    }

    @Test
    void completionsDefaultToSixteenTokensAsOpenAi() throws Exception {
        JsonNode body = TestServer.json(server.post("/v1/completions", "{\"model\": \"stories\", \"prompt\": \"The cat\", \"temperature\": 0}"));
        assertEquals(16, body.get("usage").get("completion_tokens").asInt(), body.toString());
    }

    @Test
    void chatStreamsOpenAiChunksThatReassembleTheWholeAnswer() throws Exception {
        JsonNode whole = TestServer.json(server.post("/v1/chat/completions", chat("A story about a cat", 30, "\"temperature\": 0")));
        assertEquals("chat.completion", whole.get("object").asText());
        JsonNode message = whole.get("choices").get(0).get("message");
        assertEquals("assistant", message.get("role").asText());
        String answer = message.get("content").asText();
        assertFalse(answer.isEmpty());
        assertFalse(answer.contains("\nUser:"), answer); // the plain format's stop string is cut, never shown

        HttpResponse<String> r = server.post("/v1/chat/completions", chat("A story about a cat", 30,
                "\"temperature\": 0, \"stream\": true, \"stream_options\": {\"include_usage\": true}"));
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"), r.headers().toString());
        TestServer.Events ev = TestServer.events(r.body());
        assertTrue(ev.done(), "the stream ends with data: [DONE]");
        List<JsonNode> chunks = ev.data();
        String id = chunks.get(0).get("id").asText();
        assertTrue(id.startsWith("chatcmpl-"), id);
        assertEquals("assistant", chunks.get(0).get("choices").get(0).get("delta").get("role").asText());
        StringBuilder streamed = new StringBuilder();
        for (int i = 0; i < chunks.size() - 2; i++) {
            JsonNode c = chunks.get(i);
            assertEquals(id, c.get("id").asText());
            assertEquals("chat.completion.chunk", c.get("object").asText());
            assertEquals("stories", c.get("model").asText());
            assertTrue(c.get("choices").get(0).get("finish_reason").isNull());
            assertTrue(c.has("usage") && c.get("usage").isNull(), "usage: null on every chunk but the last when include_usage");
            JsonNode content = c.get("choices").get(0).get("delta").get("content");
            if (content != null) streamed.append(content.asText());
        }
        assertEquals(answer, streamed.toString());
        JsonNode last = chunks.get(chunks.size() - 2);
        assertEquals(whole.get("choices").get(0).get("finish_reason").asText(), last.get("choices").get(0).get("finish_reason").asText());
        assertTrue(last.get("choices").get(0).get("delta").isEmpty());
        JsonNode usageChunk = chunks.get(chunks.size() - 1);
        assertEquals(0, usageChunk.get("choices").size());
        assertEquals(whole.get("usage"), usageChunk.get("usage"));
    }

    @Test
    void completionStreamCarriesTextPieces() throws Exception {
        String prompt = "Lily went to the park";
        HttpResponse<String> r = server.post("/v1/completions", completion(prompt, 25, "\"temperature\": 0, \"stream\": true"));
        TestServer.Events ev = TestServer.events(r.body());
        assertTrue(ev.done());
        StringBuilder s = new StringBuilder();
        for (JsonNode c : ev.data()) {
            assertEquals("text_completion", c.get("object").asText());
            assertFalse(c.has("usage"), "no usage field without include_usage");
            s.append(c.get("choices").get(0).get("text").asText());
        }
        assertEquals(alone(prompt, 25), s.toString());
    }

    @Test
    void stopStringsCutTheAnswerBeforeThem() throws Exception {
        String prompt = "Once upon a time";
        String full = alone(prompt, 60);
        int dot = full.indexOf('.');
        assertTrue(dot > 0, full);
        // a stop that spans several tokens: the two words before the first full stop
        String before = full.substring(0, dot);
        String stop = before.substring(before.lastIndexOf(' ', before.lastIndexOf(' ') - 1));
        HttpResponse<String> r = server.post("/v1/completions", completion(prompt, 60, "\"temperature\": 0, \"stop\": "
                + OpenAiRequests.JSON.valueToTree(List.of(stop, "never-there"))));
        assertEquals(full.substring(0, full.indexOf(stop)), text(r));
        assertEquals("stop", TestServer.json(r).get("choices").get(0).get("finish_reason").asText());
    }

    @Test
    void aSeedReproducesASampleAndChoiceKUsesSeedPlusK() throws Exception {
        String body = completion("The little bird", 30, "\"temperature\": 1.0, \"top_p\": 0.95, \"seed\": 11");
        String a = text(server.post("/v1/completions", body)), b = text(server.post("/v1/completions", body));
        assertEquals(a, b);
        String other = text(server.post("/v1/completions", completion("The little bird", 30, "\"temperature\": 1.0, \"top_p\": 0.95, \"seed\": 12")));
        assertNotEquals(a, other);
        // n = 3 in one batch: choice k equals the request alone with seed 11 + k
        JsonNode three = TestServer.json(server.post("/v1/completions", completion("The little bird", 30,
                "\"temperature\": 1.0, \"top_p\": 0.95, \"seed\": 11, \"n\": 3")));
        assertEquals(3, three.get("choices").size());
        assertEquals(a, three.get("choices").get(0).get("text").asText());
        assertEquals(other, three.get("choices").get(1).get("text").asText());
        assertEquals(2, three.get("choices").get(2).get("index").asInt());
        assertEquals(stories.encodePrompt("The little bird").length, three.get("usage").get("prompt_tokens").asInt(), "prompt counted once");
    }

    @Test
    void concurrentRequestsAreBatchedAndGiveTheSequentialResults() throws Exception {
        List<String> prompts = List.of("Tom had a red ball", "Once upon a time, in a big forest, there lived a", "Sue", "The sun was hot and the",
                "Max and his mom went", "A tiny frog");
        List<String> sequential = new ArrayList<>();
        for (String p : prompts) sequential.add(text(server.post("/v1/completions", completion(p, 48, "\"temperature\": 0"))));
        for (int i = 0; i < prompts.size(); i++) assertEquals(alone(prompts.get(i), 48), sequential.get(i), prompts.get(i));
        BatchEngine.Stats before = server.models.get(0).engine().stats();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<HttpResponse<String>>> futures = new ArrayList<>();
            for (String p : prompts) futures.add(pool.submit(() -> server.post("/v1/completions", completion(p, 48, "\"temperature\": 0"))));
            for (int i = 0; i < prompts.size(); i++) assertEquals(sequential.get(i), text(futures.get(i).get()), prompts.get(i));
        }
        BatchEngine.Stats after = server.models.get(0).engine().stats();
        assertEquals(prompts.size(), after.rows() - before.rows());
        assertTrue(after.batches() - before.batches() < prompts.size(), "6 concurrent requests ran in " + (after.batches() - before.batches())
                + " batches (within a 200 ms gathering window)");
        assertTrue(after.largestBatch() > 1);
    }

    @Test
    void chatPromptsAreRenderedByTheModelsFormat() throws Exception {
        String rendered = ChatFormat.bundled("plain").render(List.of(new ChatMessage("system", "Tell stories."), new ChatMessage("user", "Hi")));
        JsonNode r = TestServer.json(server.post("/v1/chat/completions", chat("Hi", 20, "\"temperature\": 0")));
        assertEquals(stories.encodePrompt(rendered).length, r.get("usage").get("prompt_tokens").asInt());
        String expected = alone(rendered, 20);
        int cut = expected.indexOf("\nUser:");
        assertEquals(cut < 0 ? expected : expected.substring(0, cut), r.get("choices").get(0).get("message").get("content").asText());
    }

    /** Status, error type, param and a message fragment of a refused request. */
    private static void refused(HttpResponse<String> r, int status, String param, String fragment) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("application/json"), r.headers().toString());
        JsonNode error = TestServer.json(r).get("error");
        assertNotNull(error, r.body());
        assertTrue(error.get("message").asText().contains(fragment), r.body());
        if (param != null) assertEquals(param, error.get("param").asText(), r.body());
        assertTrue(error.has("type") && error.has("code"), r.body());
    }

    @Test
    void badInputIsRefusedWithOpenAiErrorsAndTheServerKeepsServing() throws Exception {
        refused(server.post("/v1/chat/completions", "{\"model\": \"stories\", \"messages\": [}"), 400, null, "not valid JSON at line 1");
        refused(server.post("/v1/chat/completions", "{\"model\": \"stories\", \"messages\": \"hello\"}"), 400, "messages", "must be an array");
        refused(server.post("/v1/chat/completions", chat("hi", 5, "\"max_tokens\": \"5\"").replace("\"max_tokens\": 5, ", "")), 400, "max_tokens",
                "must be an integer");
        refused(server.post("/v1/chat/completions", chat("hi", 5, "\"temperatur\": 1")), 400, "temperatur", "Unrecognized request argument");
        HttpResponse<String> unknown = server.post("/v1/chat/completions", chat("hi", 5, "").replace("\"stories\"", "\"../../etc/passwd\""));
        refused(unknown, 404, "model", "does not exist");
        assertEquals("model_not_found", TestServer.json(unknown).get("error").get("code").asText());
        refused(server.post("/v1/chat/completions", chat("hi", -1, "")), 400, "max_tokens", "at least 1");
        refused(server.post("/v1/chat/completions", chat("hi", 1_000_000, "")), 400, "max_tokens", "above this server's limit of 2048");
        refused(server.post("/v1/chat/completions", "{\"model\": \"stories\", \"messages\": []}"), 400, "messages", "at least one message");
        refused(server.post("/v1/chat/completions", "{\"model\": \"stories\", \"messages\": [{\"role\": \"robot\", \"content\": \"x\"}]}"), 400,
                "messages[0].role", "is not one of");
        byte[] bad = chat("caf\u00e9", 5, "").getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bad.length; i++) if (bad[i] == (byte) 0xC3) bad[i + 1] = 'x'; // the é's second byte broken
        refused(server.postBytes("/v1/chat/completions", bad), 400, null, "not valid UTF-8");
        refused(server.post("/v1/completions", "{\"model\": \"stories\", \"prompt\": [1, 2, 99999]}"), 400, "prompt", "outside the vocabulary");
        refused(server.get("/v1/chat/completions"), 405, null, "use POST");
        refused(server.get("/v1/nothing"), 404, null, "no endpoint");
        refused(server.post("/v1/completions", completion("x", 5, "\"n\": 9")), 400, "prompt", "batch size of 8");
        // the server still answers
        assertFalse(text(server.post("/v1/completions", completion("Tom", 5, "\"temperature\": 0"))).isEmpty());
    }

    @Test
    void promptsBeyondTheContextAreRefusedWithTheNumbers() throws Exception {
        String longPrompt = "the big dog ran ".repeat(200); // far over stories260K's 512 positions
        int tokens = stories.encodePrompt(longPrompt).length;
        assertTrue(tokens > 512, "prompt of " + tokens + " tokens");
        HttpResponse<String> r = server.post("/v1/completions", completion(longPrompt, 10, ""));
        refused(r, 400, "max_tokens", "maximum context length is 512 tokens");
        assertEquals("context_length_exceeded", TestServer.json(r).get("error").get("code").asText());
        assertTrue(r.body().contains(tokens + " in the prompt"), r.body());
        // a prompt that fits, with max_tokens that does not
        String fits = "the big dog ran ".repeat(40);
        int n = stories.encodePrompt(fits).length;
        refused(server.post("/v1/completions", completion(fits, 512 - n + 1, "")), 400, "max_tokens", (512 + 1) + " tokens (" + n + " in the prompt");
        assertEquals(200, server.post("/v1/completions", completion(fits, 512 - n, "\"temperature\": 0, \"stop\": \"never\"")).statusCode());
        // chat: no max_tokens, and a conversation that leaves no room
        refused(server.post("/v1/chat/completions", "{\"model\": \"stories\", \"messages\": [{\"role\": \"user\", \"content\": "
                + OpenAiRequests.JSON.valueToTree(longPrompt) + "}]}"), 400, "messages", "leaving no room");
    }

    @Test
    void aBodyOverTheLimitIs413AndOversizedHeaders431() throws Exception {
        byte[] big = new byte[(1 << 20) + 10];
        java.util.Arrays.fill(big, (byte) ' ');
        refused(server.postBytes("/v1/completions", big), 413, null, "exceeds the limit of 1048576 bytes");
        // a chunked body (no Content-Length) is cut off while reading
        String head = "POST /v1/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
        String status = raw(head, out -> {
            byte[] chunk = new byte[65536];
            java.util.Arrays.fill(chunk, (byte) ' ');
            for (int i = 0; i < 20; i++) {
                out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(chunk);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        });
        assertTrue(status.startsWith("HTTP/1.1 413"), status);
        assertTrue(status.contains("\"error\""), status);
        String headers = raw("GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\nConnection: close\r\n\r\n", out -> {});
        assertTrue(headers.startsWith("HTTP/1.1 431"), headers);
        assertTrue(headers.contains("\"error\""), headers);
        assertEquals(200, server.get("/v1/models").statusCode());
    }

    /** Sends raw bytes and returns everything the server answers until it closes. */
    private static String raw(String head, IoWriter body) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            try {
                body.write(out);
                out.flush();
            } catch (java.io.IOException e) {
                // the server may answer and close before the whole body is sent
            }
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            try {
                in.transferTo(got);
            } catch (java.net.SocketException e) {
                // reset after the answer
            }
            return got.toString(StandardCharsets.UTF_8);
        }
    }

    interface IoWriter {
        void write(OutputStream out) throws java.io.IOException;
    }

    @Test
    void theTokenCountsOfSeveralPromptsAddUp() throws Exception {
        JsonNode r = TestServer.json(server.post("/v1/completions", "{\"model\": \"stories\", \"prompt\": [\"Tom\", \"A big red\"],"
                + " \"max_tokens\": 6, \"temperature\": 0}"));
        assertEquals(2, r.get("choices").size());
        Map<Integer, String> byIndex = new TreeMap<>();
        for (JsonNode c : r.get("choices")) byIndex.put(c.get("index").asInt(), c.get("text").asText());
        assertEquals(alone("Tom", 6), byIndex.get(0));
        assertEquals(alone("A big red", 6), byIndex.get(1));
        assertEquals(stories.encodePrompt("Tom").length + stories.encodePrompt("A big red").length, r.get("usage").get("prompt_tokens").asInt());
    }
}
