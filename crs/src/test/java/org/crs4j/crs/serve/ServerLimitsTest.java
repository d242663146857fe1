package org.crs4j.crs.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
 * The bounds under load, on stories260K slowed to a known time per decoding step: a client that disconnects
 * mid-stream frees its slot at once, 200 concurrent clients meet 429s with Retry-After while the server keeps
 * serving in bounded memory, requests past the time limit end with 504 (or an SSE error), the API key.
 */
class ServerLimitsTest {
    private static LanguageModel stories;

    @BeforeAll
    static void load() throws Exception {
        stories = LanguageModels.load(TestServer.stories());
    }

    @AfterAll
    static void close() {
        if (stories != null) stories.close();
    }

    private static TestServer slowServer(ServeLimits limits, long millisPerStep, String apiKey) throws Exception {
        return new TestServer(limits, apiKey, List.of(new ServedModel("stories", stories, ChatFormat.bundled("plain"), limits,
                TestServer.slow(stories.decoder(), millisPerStep), ServeLimits.kvBudgetBytes())));
    }

    private static String body(int maxTokens, boolean stream) {
        return "{\"model\": \"stories\", \"prompt\": \"Once upon a time\", \"max_tokens\": " + maxTokens + ", \"temperature\": 0,"
                + " \"stop\": \"never-stops\", \"stream\": " + stream + "}";
    }

    @Test
    void aClientThatDisconnectsMidStreamFreesItsSlotAndStopsItsGeneration() throws Exception {
        ServeLimits limits = ServeLimits.defaults().withBatch(1, 0); // one generation at a time, no queue
        try (TestServer server = slowServer(limits, 20, null)) {
            BatchEngine engine = server.models.get(0).engine();
            String json = body(400, true); // 400 steps x 20 ms = 8 s if it ran to the end
            try (Socket s = new Socket("127.0.0.1", server.port())) {
                OutputStream out = s.getOutputStream();
                out.write(("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                        + json.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + json).getBytes(StandardCharsets.UTF_8));
                out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                int events = 0;
                for (String line; events < 3 && (line = in.readLine()) != null; ) if (line.startsWith("data: {")) events++;
                assertEquals(3, events, "the stream started");
                assertEquals(1, engine.activeRows());
                // while it streams, the one slot is taken: a second request is refused
                HttpResponse<String> busy = server.post("/v1/completions", body(5, false));
                assertEquals(429, busy.statusCode(), busy.body());
            } // the client goes away mid-stream
            long t0 = System.nanoTime();
            while (engine.activeRows() > 0 && System.nanoTime() - t0 < 3_000_000_000L) Thread.sleep(10);
            assertEquals(0, engine.activeRows(), "the slot was freed");
            assertTrue((System.nanoTime() - t0) / 1e9 < 3, "freed within a few steps, not after the remaining 8 s");
            // and the engine is free again: with batch 1 this runs only after the abandoned generation stopped
            long t1 = System.nanoTime();
            HttpResponse<String> next = server.post("/v1/completions", body(5, false));
            assertEquals(200, next.statusCode(), next.body());
            assertTrue((System.nanoTime() - t1) / 1e9 < 3, "the next request did not wait for the abandoned one");
        }
    }

    @Test
    void twoHundredConcurrentClientsGet429sBeyondTheQueueAndTheServerKeepsServing() throws Exception {
        ServeLimits limits = ServeLimits.defaults().withBatch(4, 8);
        try (TestServer server = slowServer(limits, 5, null)) {
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            System.gc();
            long heapBefore = memory.getHeapMemoryUsage().getUsed();
            Map<Integer, Integer> statuses = new TreeMap<>();
            List<HttpResponse<String>> ok = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<HttpResponse<String>>> futures = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    boolean stream = i % 2 == 0;
                    futures.add(pool.submit(() -> server.post("/v1/completions", body(12, stream))));
                }
                for (Future<HttpResponse<String>> f : futures) {
                    HttpResponse<String> r = f.get();
                    statuses.merge(r.statusCode(), 1, Integer::sum);
                    if (r.statusCode() == 200) {
                        ok.add(r);
                    } else {
                        assertEquals(429, r.statusCode(), r.body());
                        JsonNode err = TestServer.json(r).get("error");
                        assertEquals("rate_limit_exceeded", err.get("code").asText());
                        int retry = Integer.parseInt(r.headers().firstValue("retry-after").orElseThrow());
                        assertTrue(retry >= 1 && retry <= 60, "Retry-After " + retry);
                    }
                }
            }
            assertEquals(200, statuses.values().stream().mapToInt(Integer::intValue).sum());
            assertTrue(statuses.getOrDefault(429, 0) > 0, "some were refused: " + statuses);
            assertTrue(ok.size() >= limits.maxBatch(), "at least a batch was served: " + statuses);
            for (HttpResponse<String> r : ok) {
                String text = r.body().startsWith("data:") ? TestServer.events(r.body()).data().get(1).get("choices").get(0).get("text").asText()
                        : TestServer.json(r).get("choices").get(0).get("text").asText();
                assertTrue(!text.isEmpty(), r.body());
            }
            BatchEngine.Stats stats = booked(server.models.get(0).engine(), ok.size());
            assertTrue(stats.largestBatch() <= limits.maxBatch(), "never more than the batch size decoded at once: " + stats);
            assertEquals(ok.size(), stats.rows(), "every admitted request, and only those, was decoded");
            assertEquals(0, server.models.get(0).engine().activeRows());
            assertEquals(0, server.models.get(0).engine().queuedRows());
            // still serving
            assertEquals(200, server.post("/v1/completions", body(5, false)).statusCode());
            System.gc();
            long grown = memory.getHeapMemoryUsage().getUsed() - heapBefore;
            assertTrue(grown < 64L << 20, "heap after the burst grew by " + (grown >> 20) + " MiB");
        }
    }

    @Test
    void aBatchsSessionStaysWithinItsBudget() throws Exception {
        int prompt = stories.encodePrompt("Once upon a time").length;
        // room for two rows of 100 positions, as models' own accounting counts a session (cache, logits, activations)
        long budget = stories.decoder().sessionBytes(2, prompt, 100 - prompt);
        ServeLimits limits = ServeLimits.defaults().withGatherWindow(Duration.ofMillis(300));
        try (TestServer server = new TestServer(limits, null, List.of(new ServedModel("stories", stories, ChatFormat.bundled("plain"),
                limits, TestServer.slow(stories.decoder(), 5), budget)))) {
            // one request that alone needs more than the budget is refused before any work
            HttpResponse<String> big = server.post("/v1/completions", body(300 - prompt, false));
            assertEquals(400, big.statusCode(), big.body());
            assertTrue(big.body().contains("KV cache") && big.body().contains("budget"), big.body());
            // three requests of 100 positions each: two fit a batch, the third waits for the next one
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<HttpResponse<String>>> fs = new ArrayList<>();
                for (int i = 0; i < 3; i++) fs.add(pool.submit(() -> server.post("/v1/completions", body(100 - prompt, false))));
                for (Future<HttpResponse<String>> f : fs) assertEquals(200, f.get().statusCode(), f.get().body());
            }
            BatchEngine.Stats stats = booked(server.models.get(0).engine(), 3);
            assertEquals(3, stats.rows());
            assertEquals(2, stats.batches(), stats.toString());
            assertEquals(2, stats.largestBatch(), stats.toString());
        }
    }

    @Test
    void requestsThatFitTheContextAloneButNotTogetherRunInTurn() throws Exception {
        // stories260K's context is 512 positions; a batch allocates its longest prompt plus its largest budget
        String longPrompt = "the big dog ran ".repeat(80);
        int n = stories.encodePrompt(longPrompt).length;
        assertTrue(n > 250 && n + 20 <= 512, "prompt of " + n + " tokens");
        ServeLimits limits = ServeLimits.defaults().withGatherWindow(Duration.ofMillis(300));
        try (TestServer server = slowServer(limits, 2, null)) {
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                Future<HttpResponse<String>> a = pool.submit(() -> server.post("/v1/completions", "{\"model\": \"stories\", \"prompt\": "
                        + OpenAiRequests.JSON.valueToTree(longPrompt) + ", \"max_tokens\": 20, \"temperature\": 0}"));
                int shortPrompt = stories.encodePrompt("Once upon a time").length; // alone: exactly the 512 positions
                Future<HttpResponse<String>> b = pool.submit(() -> server.post("/v1/completions", body(512 - shortPrompt, false)));
                assertEquals(200, a.get().statusCode(), a.get().body());
                assertEquals(200, b.get().statusCode(), b.get().body());
            }
            BatchEngine.Stats stats = booked(server.models.get(0).engine(), 2);
            assertEquals(2, stats.batches(), "together they would need " + n + " prompt + ~500 new positions: " + stats);
        }
    }

    @Test
    void anIdleSlowModelWaitsHalfAStepForCompany() throws Exception {
        try (TestServer server = slowServer(ServeLimits.defaults(), 600, null)) { // a 10 ms window, 600 ms steps
            BatchEngine engine = server.models.get(0).engine();
            assertEquals(10_000_000L, engine.gatherNanos(), "before any batch: the configured window");
            assertEquals(200, server.post("/v1/completions", body(4, false)).statusCode()); // 3 appends of 600 ms over 4 steps
            // the answer reaches the client before the engine thread books the batch's step time
            for (long t0 = System.nanoTime(); engine.gatherNanos() == 10_000_000L && System.nanoTime() - t0 < 5_000_000_000L; ) Thread.sleep(5);
            long window = engine.gatherNanos();
            assertTrue(window >= 200_000_000L && window <= BatchEngine.MAX_GATHER_NANOS, "window " + window / 1e6 + " ms");
            // a second request 20 ms after the first joins its batch instead of waiting for it to end
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                Future<HttpResponse<String>> a = pool.submit(() -> server.post("/v1/completions", body(4, false)));
                Thread.sleep(20);
                Future<HttpResponse<String>> b = pool.submit(() -> server.post("/v1/completions", body(4, false)));
                assertEquals(200, a.get().statusCode());
                assertEquals(200, b.get().statusCode());
            }
            BatchEngine.Stats stats = booked(engine, 3);
            assertEquals(2, stats.batches(), stats.toString());
            assertEquals(2, stats.largestBatch(), stats.toString());
        }
    }

    /**
     * The engine's statistics once it has taken {@code rows} rows into batches and released them all (a client holds
     * its answer before the engine thread releases the row that produced it).
     */
    private static BatchEngine.Stats booked(BatchEngine engine, long rows) throws InterruptedException {
        long t0 = System.nanoTime();
        while ((engine.stats().rows() < rows || engine.activeRows() > 0) && System.nanoTime() - t0 < 5_000_000_000L) Thread.sleep(5);
        return engine.stats();
    }

    @Test
    void requestsPastTheTimeLimitEndWith504OrAnSseError() throws Exception {
        ServeLimits limits = ServeLimits.defaults().withTimeout(Duration.ofMillis(400));
        try (TestServer server = slowServer(limits, 30, null)) {
            HttpResponse<String> r = server.post("/v1/completions", body(200, false));
            assertEquals(504, r.statusCode(), r.body());
            assertEquals("timeout", TestServer.json(r).get("error").get("code").asText());
            HttpResponse<String> s = server.post("/v1/completions", body(200, true));
            assertEquals(200, s.statusCode()); // the stream had started
            List<JsonNode> events = TestServer.events(s.body()).data();
            JsonNode last = events.get(events.size() - 1);
            assertTrue(last.has("error") && last.get("error").get("message").asText().contains("time limit"), last.toString());
            assertEquals(0, server.models.get(0).engine().activeRows());
            assertEquals(200, server.post("/v1/completions", body(3, false)).statusCode());
        }
    }

    @Test
    void waitingForALongWholeAnswerIsNotIdleness() throws Exception {
        // a connection idle for 300 ms is closed, but a request waiting 40 x 20 ms for its answer is not idle
        ServeLimits limits = ServeLimits.defaults().withIdleTimeout(Duration.ofMillis(300));
        try (TestServer server = slowServer(limits, 20, null)) {
            HttpResponse<String> r = server.post("/v1/completions", body(40, false));
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(40, TestServer.json(r).get("usage").get("completion_tokens").asInt());
        }
    }

    @Test
    void anApiKeyIsRequiredWhenSet() throws Exception {
        try (TestServer server = slowServer(ServeLimits.defaults(), 0, "s3cret-key")) {
            assertEquals(401, server.get("/v1/models").statusCode());
            JsonNode err = TestServer.json(server.get("/v1/models")).get("error");
            assertEquals("invalid_api_key", err.get("code").asText());
            var wrong = server.http.send(java.net.http.HttpRequest.newBuilder(server.uri("/v1/models"))
                    .header("Authorization", "Bearer s3cret-kez").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, wrong.statusCode());
            assertTrue(wrong.body().contains("incorrect API key") && !wrong.body().contains("s3cret"), wrong.body());
            var right = server.http.send(java.net.http.HttpRequest.newBuilder(server.uri("/v1/models"))
                    .header("Authorization", "Bearer s3cret-key").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, right.statusCode(), right.body());
        }
    }

    @Test
    void anEncoderDecoderIsServedToo() throws Exception {
        Path t5 = Path.of("..", "models", "src", "test", "resources", "org", "crs4j", "models", "t5", "fixtures", "v1_1");
        try (LanguageModel model = LanguageModels.load(t5);
             TestServer server = new TestServer(ServeLimits.defaults(), null,
                     List.of(new ServedModel("t5", model, ChatFormat.forModel(t5), ServeLimits.defaults())))) {
            String prompt = ChatFormat.bundled("plain").render(List.of(new ChatMessage("user", "translate: hello")));
            HttpResponse<String> r = server.post("/v1/chat/completions", "{\"model\": \"t5\", \"messages\": [{\"role\": \"user\","
                    + " \"content\": \"translate: hello\"}], \"max_tokens\": 8, \"temperature\": 0}");
            assertEquals(200, r.statusCode(), r.body());
            String expected = model.generate(prompt, model.defaults().withMaxNewTokens(8).withTemperature(0), null);
            assertEquals(expected, TestServer.json(r).get("choices").get(0).get("message").get("content").asText());
            assertEquals(model.encodePrompt(prompt).length, TestServer.json(r).get("usage").get("prompt_tokens").asInt());
            // T5 bounds input and output separately
            HttpResponse<String> tooLong = server.post("/v1/completions", "{\"model\": \"t5\", \"prompt\": \"x\", \"max_tokens\": 600}");
            assertEquals(400, tooLong.statusCode(), tooLong.body());
            assertTrue(tooLong.body().contains("maximum output length is 512"), tooLong.body());
        }
    }
}
