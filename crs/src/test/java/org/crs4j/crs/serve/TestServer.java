package org.crs4j.crs.serve;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import org.crs4j.models.generation.DecodingSession;
import org.crs4j.models.generation.TokenDecoder;
import org.crs4j.tensor.Tensor;

/** An ApiServer with the OpenAI endpoints on a free loopback port, and a small HTTP client for it. */
final class TestServer implements AutoCloseable {
    final ApiServer server;
    final List<ServedModel> models;
    final List<String> log = Collections.synchronizedList(new ArrayList<>());
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newVirtualThreadPerTaskExecutor()).connectTimeout(Duration.ofSeconds(10)).build();

    TestServer(ServeLimits limits, String apiKey, List<ServedModel> models) throws Exception {
        this.models = models;
        server = new OpenAiApi(models, limits).install(new ApiServer("127.0.0.1", 0, limits, apiKey, log::add));
        server.start();
    }

    /** stories260K's Hugging Face folder under ../shared, or the test is skipped with the reason. */
    static Path stories() {
        String root = System.getProperty("crs4j.shared");
        Path p = root == null ? null : Path.of(root, "models", "stories260K", "hf");
        assumeTrue(p != null && Files.isRegularFile(p.resolve("config.json")), "stories260K not found under crs4j.shared=" + root);
        return p;
    }

    int port() {
        return server.address().getPort();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> postBytes(String path, byte[] body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> r) throws IOException {
        return OpenAiRequests.JSON.readTree(r.body());
    }

    /** The JSON of every {@code data:} event of an SSE body, and whether it ended with {@code data: [DONE]}. */
    record Events(List<JsonNode> data, boolean done) {}

    static Events events(String body) throws IOException {
        List<JsonNode> data = new ArrayList<>();
        boolean done = false;
        for (String block : body.split("\n\n")) {
            if (block.isBlank()) continue;
            if (!block.startsWith("data: ")) throw new AssertionError("not an SSE data event: " + block);
            String payload = block.substring(6);
            if (payload.equals("[DONE]")) {
                done = true;
                continue;
            }
            if (done) throw new AssertionError("event after [DONE]: " + payload);
            data.add(OpenAiRequests.JSON.readTree(payload));
        }
        return new Events(data, done);
    }

    /** A decoder that sleeps before every step, so tests can hold a batch open for a known time. */
    static TokenDecoder slow(TokenDecoder d, long millisPerStep) {
        return new TokenDecoder() {
            @Override
            public int vocabSize() {
                return d.vocabSize();
            }

            @Override
            public org.crs4j.models.generation.ContextWindow context() {
                return d.context();
            }

            @Override
            public long sessionBytes(int rows, int promptLength, int maxNewTokens) {
                return d.sessionBytes(rows, promptLength, maxNewTokens);
            }

            @Override
            public DecodingSession start(int[][] prompts, int maxNewTokens) {
                DecodingSession s = d.start(prompts, maxNewTokens);
                return new DecodingSession() {
                    public int batch() {
                        return s.batch();
                    }

                    public Tensor logits() {
                        return s.logits();
                    }

                    public void append(int[] tokens) {
                        try {
                            Thread.sleep(millisPerStep);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        s.append(tokens);
                    }

                    public void reorder(int[] rows) {
                        s.reorder(rows);
                    }

                    public int remaining() {
                        return s.remaining();
                    }
                };
            }
        };
    }

    @Override
    public void close() {
        server.close();
        models.forEach(m -> m.engine().close());
    }
}
