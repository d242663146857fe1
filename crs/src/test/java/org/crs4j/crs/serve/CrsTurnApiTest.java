package org.crs4j.crs.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.crs4j.crs.chat.ChatFixture;
import org.crs4j.crs.chat.CrsSystem;
import org.crs4j.crs.llm.FakeChatServer;
import org.crs4j.crs.llm.FakeChatServer.Reply;
import org.crs4j.crs.llmcrs.Conversation;
import org.crs4j.crs.llmcrs.experts.ExpertRegistry;
import org.crs4j.data.model.Role;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /v1/crs/turn} and the experts over HTTP, over loopback: whole and streamed answers, every kind of bad
 * request, the bounds (body size, busy, timeout), and an LLMCRS registry whose recommendation expert is this server.
 */
class CrsTurnApiTest {
    @TempDir static Path data;
    @TempDir static Path cache;
    @TempDir static Path models;
    @TempDir Path dir;
    static Path model;
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void prepare() throws Exception {
        model = models.resolve("full");
        ChatFixture.prepare(data, cache, model);
    }

    /** A running server over a CRS system; closes both. */
    record Running(ApiServer server, CrsSystem crs, List<String> log) implements AutoCloseable {
        String url(String path) {
            return "http://127.0.0.1:" + server.address().getPort() + path;
        }

        @Override
        public void close() {
            server.close();
            crs.close();
        }
    }

    static Running start(String llm, ServeLimits limits) throws Exception {
        CrsSystem crs = ChatFixture.assemble(data, cache, model, llm).system();
        List<String> log = new CopyOnWriteArrayList<>();
        ApiServer s = new ApiServer("127.0.0.1", 0, limits, null, log::add);
        ExpertRoutes.install(ChatPage.install(new CrsTurnApi(crs, limits).install(s)), crs.registry(), crs.environment());
        s.start();
        return new Running(s, crs, log);
    }

    static HttpResponse<String> post(String url, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static final String TWO_TURNS = """
            {"messages": [{"role": "user", "content": "I loved Pirates of the Caribbean (2003)"},
                          {"role": "assistant", "content": "Have you seen Ed Wood?"},
                          {"role": "user", "content": "Yes! Something scary now, not Moonfall (2022)"}]%s}""";

    @Test
    void aTurnWholeAndStreamed() throws Exception {
        try (var llm = ChatFixture.llm(20); var run = start(llm.base() + "#fake", ServeLimits.defaults())) {
            var r = post(run.url("/v1/crs/turn"), TWO_TURNS.formatted(", \"max_items\": 1"));
            assertEquals(200, r.statusCode(), r.body());
            JsonNode turn = JSON.readTree(r.body());
            assertEquals(ChatFixture.ANSWER, turn.get("response").asText());
            assertEquals("llmcrs", turn.get("mode").asText());
            assertFalse(turn.get("expert_output_as_answer").asBoolean());
            assertEquals(1, turn.get("items").size(), "max_items");
            assertEquals(2, turn.get("cards").size(), "the catalogue's two horror films");
            assertEquals("Alien (1979)", turn.get("items").get(0).get("title").asText(), "the item the answer names comes first");
            assertTrue(turn.get("items").get(0).get("named").asBoolean());
            JsonNode card = turn.get("cards").get(0);
            assertEquals("Alien (1979)", card.get("title").asText());
            assertEquals(1979, card.get("year").asInt());
            assertEquals("[\"horror\",\"science fiction\"]", card.get("genres").toString());
            assertTrue(card.get("why").asText().startsWith("Why Alien (1979):"), card.toString());
            assertEquals("[\"Moonfall (2022)\"]", turn.get("unknown_titles").toString());
            JsonNode trace = turn.get("trace");
            assertEquals("Recommendation(category=horror) -> Item", trace.get("subtask").get("schema_form").asText());
            assertEquals("causal-full", trace.get("expert").get("id").asText());
            assertEquals(List.of("detection", "matching", "response"), trace.get("calls").findValuesAsText("stage"));

            // streamed: the answer's pieces as events, then the whole turn, then [DONE]
            var s = post(run.url("/v1/crs/turn"), TWO_TURNS.formatted(", \"stream\": true"));
            assertEquals(200, s.statusCode(), s.body());
            assertTrue(s.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
            List<String> events = s.body().lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
            assertEquals("[DONE]", events.getLast());
            StringBuilder text = new StringBuilder();
            List<JsonNode> deltas = new ArrayList<>();
            for (String e : events.subList(0, events.size() - 2)) deltas.add(JSON.readTree(e));
            for (JsonNode d : deltas) text.append(d.get("delta").asText());
            assertEquals(ChatFixture.ANSWER_PIECES.length, deltas.size(), s.body());
            assertEquals(ChatFixture.ANSWER, text.toString());
            assertEquals(ChatFixture.ANSWER, JSON.readTree(events.get(events.size() - 2)).get("turn").get("response").asText());

            var link = post(run.url("/v1/crs/link"), "{\"text\": \"I loved \\\"Alien\\\" and Ed Wood (1994), not Moonfall (2022)\"}");
            assertEquals(200, link.statusCode(), link.body());
            assertEquals("{\"linked\":[\"Alien (1979)\",\"Ed Wood (1994)\"],\"unknown_titles\":[\"Moonfall (2022)\"]}", link.body());
            assertEquals(400, post(run.url("/v1/crs/link"), "{\"text\": 3}").statusCode());
            assertEquals(400, post(run.url("/v1/crs/link"), "{\"text\": \"x\", \"lang\": \"en\"}").statusCode());
            var info = JSON.readTree(get(run.url("/v1/crs/info")).body());
            assertEquals("inspired", info.get("dataset").asText());
            assertEquals("causal-full", info.get("recommender").asText());
            assertEquals(llm.base() + "/chat/completions#fake", info.get("llm").asText());
            var page = get(run.url("/"));
            assertEquals(200, page.statusCode());
            assertTrue(page.headers().firstValue("content-type").orElse("").startsWith("text/html"));
            assertTrue(page.body().contains("<script src=\"/chat.js\">") && !page.body().contains("http"), "no resource from the internet");
        }
    }

    @Test
    void withoutAnLlmTheAnswerIsTheExpertsOutputAndSaysSo() throws Exception {
        try (var run = start(null, ServeLimits.defaults())) {
            var r = post(run.url("/v1/crs/turn"), "{\"messages\": [{\"role\": \"user\", \"content\": \"Any horror movie?\"}]}");
            JsonNode turn = JSON.readTree(r.body());
            assertEquals("w/o-llm", turn.get("mode").asText());
            assertTrue(turn.get("expert_output_as_answer").asBoolean());
            assertTrue(turn.get("response").asText().startsWith("Recommended horror movies: "), r.body());
            assertEquals(0, turn.get("trace").get("calls").size());
            assertTrue(JSON.readTree(get(run.url("/v1/crs/info")).body()).get("llm").isNull());
        }
    }

    @Test
    void badRequestsAreOpenAiErrorsNamingTheField() throws Exception {
        try (var run = start(null, ServeLimits.defaults().withMaxBody(4096))) {
            String url = run.url("/v1/crs/turn");
            String[][] cases = {
                    {"{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"temperature\": 1}", "temperature", "Unrecognized request argument supplied: temperature"},
                    {"{\"messages\": []}", "messages", "messages: empty; the last message must be the user's"},
                    {"{\"messages\": \"hi\"}", "messages", "messages: expected an array of {role, content}, got a string"},
                    {"{}", "messages", "messages: expected an array of {role, content}, got nothing"},
                    {"{\"messages\": [{\"role\": \"system\", \"content\": \"x\"}]}", "messages[0].role", "messages[0].role: \"system\" is not a role here (user or assistant)"},
                    {"{\"messages\": [{\"role\": \"user\", \"content\": 3}]}", "messages[0].content", "messages[0].content: expected a string"},
                    {"{\"messages\": [{\"role\": \"user\", \"content\": \"x\", \"name\": \"bob\"}]}", "messages[0].name", "Unrecognized request argument supplied: messages[0].name"},
                    {"{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}, {\"role\": \"assistant\", \"content\": \"y\"}]}", "messages", "messages: the last message must be the user's"},
                    {"{\"messages\": [{\"role\": \"user\", \"content\": \"  \"}]}", "messages[0].content", "the user's message is empty"},
                    {"{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"max_items\": 0}", "max_items", "max_items: expected an integer in 1..50"},
                    {"{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"stream\": \"yes\"}", "stream", "stream: expected a boolean, got a string"},
                    {"{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}", null, "request body is not valid JSON at line 1"},
            };
            for (String[] c : cases) {
                var r = post(url, c[0]);
                assertEquals(400, r.statusCode(), c[0] + " -> " + r.body());
                JsonNode err = JSON.readTree(r.body()).get("error");
                assertEquals("invalid_request_error", err.get("type").asText());
                assertEquals(c[1], err.get("param").isNull() ? null : err.get("param").asText(), r.body());
                assertTrue(err.get("message").asText().startsWith(c[2]), c[0] + " -> " + r.body());
            }
            var big = post(url, "{\"messages\": [{\"role\": \"user\", \"content\": \"" + "x".repeat(5000) + "\"}]}");
            assertEquals(413, big.statusCode(), big.body());
            var get = get(url);
            assertEquals(405, get.statusCode());
            // the server keeps serving
            assertEquals(200, post(url, "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}").statusCode());
        }
    }

    @Test
    void busyAndSlowTurnsAreBounded() throws Exception {
        // an LLM that takes 1.5 s per call; one turn at a time and no queue
        try (var llm = new FakeChatServer(Reply.content("Recommendation() -> Item").delayed(1500));
             var run = start(llm.base() + "#slow", ServeLimits.defaults().withBatch(1, 0).withTimeout(Duration.ofSeconds(2)))) {
            String url = run.url("/v1/crs/turn"), body = "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}";
            var first = HTTP.sendAsync(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            Thread.sleep(300);
            var busy = post(url, body);
            assertEquals(429, busy.statusCode(), busy.body());
            assertEquals("5", busy.headers().firstValue("retry-after").orElse(""));
            // detection, matching (four recommendation experts) and response: 4.5 s, past the 2 s timeout
            var timedOut = first.get(30, TimeUnit.SECONDS);
            assertEquals(504, timedOut.statusCode(), timedOut.body());
            assertTrue(timedOut.body().contains("the turn took longer than 2 s"), timedOut.body());
        }
    }

    @Test
    void anLlmcrsRegistryCanNameThisServersExperts() throws Exception {
        try (var run = start(null, ServeLimits.defaults())) {
            var env = run.crs().environment();
            String endpoint = run.url("/v1/experts/causal-full");
            assertEquals("{\"expert\":\"causal-full\"}", get(endpoint).body());
            var bad = post(endpoint, "{\"subtask\": \"flying\", \"arguments\": {}, \"context\": []}");
            assertEquals(400, bad.statusCode());
            assertTrue(JSON.readTree(bad.body()).get("error").isTextual(), bad.body());
            Path file = dir.resolve("experts.json");
            Files.writeString(file, """
                    {"experts": [{"id": "remote-causal", "subtask": "recommendation",
                      "description": {"function": "the causal recommender on another crs4j", "architecture": "R-GCN",
                                      "domain": "movies", "licence": "Apache-2.0"},
                      "endpoint": "%s", "timeout_seconds": 10}]}""".formatted(endpoint));
            ExpertRegistry remote = ExpertRegistry.load(file, env, true);
            try (CrsSystem client = CrsSystem.of(env, remote, null)) {
                var dialogue = new Conversation(List.of(env.turn(Role.SEEKER, "I loved Pirates of the Caribbean (2003), any horror?")));
                var r = client.turn(dialogue, null);
                assertEquals("remote-causal", r.trace().expertId());
                var local = run.crs().turn(dialogue, null);
                assertEquals("causal-full", local.trace().expertId());
                assertEquals(local.response(), r.response(), "the remote expert answers what the local one does");
                assertEquals(java.util.Arrays.toString(local.items()), java.util.Arrays.toString(r.items()));
                // the server logs a request after its response has gone out: wait for the line
                long until = System.nanoTime() + 5_000_000_000L;
                while (run.log().stream().noneMatch(l -> l.startsWith("POST /v1/experts/causal-full 200")) && System.nanoTime() < until) Thread.sleep(10);
                assertTrue(run.log().stream().anyMatch(l -> l.startsWith("POST /v1/experts/causal-full 200")), run.log().toString());
            }
        }
    }
}
