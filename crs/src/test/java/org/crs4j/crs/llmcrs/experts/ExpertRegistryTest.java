package org.crs4j.crs.llmcrs.experts;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.crs4j.crs.llmcrs.Conversation;
import org.crs4j.crs.llmcrs.Environment;
import org.crs4j.crs.llmcrs.ExpertChoice;
import org.crs4j.crs.llmcrs.LlmcrsFixture;
import org.crs4j.crs.llmcrs.SubTask;
import org.crs4j.crs.llmcrs.SubTaskCall;
import org.crs4j.data.model.Split;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExpertRegistryTest {
    @TempDir static Path data;
    @TempDir static Path cache;
    @TempDir Path dir;
    static Environment env;

    @BeforeAll
    static void prepare() { env = LlmcrsFixture.environment(data, cache); }

    @AfterAll
    static void close() { env.db().close(); }

    private static String entry(String id, String subtask, String endpoint) {
        return "{\"id\": \"" + id + "\", \"subtask\": \"" + subtask + "\", \"description\": {\"function\": \"f\", \"architecture\": \"a\", "
                + "\"domain\": \"d\", \"licence\": \"l\"}, \"endpoint\": \"" + endpoint + "\"}";
    }

    private String load(String... entries) {
        try {
            Path f = dir.resolve("experts.json");
            Files.writeString(f, "{\"experts\": [" + String.join(",", entries) + "]}");
            ExpertRegistry.load(f, env, true);
            return null;
        } catch (Exception e) {
            return e.getMessage();
        }
    }

    @Test
    void theShippedRegistryCoversEverySubTask() {
        ExpertRegistry r = ExpertRegistry.shipped(env);
        for (SubTask t : SubTask.values()) assertFalse(r.candidates(t).isEmpty(), t.id());
        assertEquals(List.of("popularity", "movielens-popularity"), r.candidates(SubTask.RECOMMENDATION).stream().map(ExpertRegistry.Registered::id).toList());
        assertTrue(r.find("item-database").orElseThrow().spec().promptEntry().startsWith("[item-database, answers questions about a movie's year"));
    }

    @Test
    void eachBadEntryIsOneLineNamingFileEntryAndField() throws Exception {
        String f = dir.resolve("experts.json").toString();
        assertNull(load(entry("a", "recommendation", "local:popularity")));
        assertEquals(f + ": experts[1] (a): duplicate id \"a\"", load(entry("a", "recommendation", "local:popularity"), entry("a", "explanation", "local:kg-explanation")));
        assertTrue(load(entry("a", "chit_chat", "local:popularity")).startsWith(f + ": experts[0] (a): unknown sub-task \"chit_chat\" (known: preference_elicitation, "));
        assertEquals(f + ": experts[0] (a): description: missing licence", load(entry("a", "recommendation", "local:popularity").replace(", \"licence\": \"l\"", "")));
        assertEquals(f + ": experts[0] (a): missing description (an object with function, architecture, domain, licence)",
                load("{\"id\": \"a\", \"subtask\": \"recommendation\", \"endpoint\": \"local:popularity\"}"));
        assertEquals(f + ": experts[0]: missing id", load("{\"subtask\": \"recommendation\"}"));
        assertTrue(load(entry("a", "recommendation", "local:causal-full")).startsWith(f + ": experts[0] (a): endpoint local:causal-full: unknown local expert \"causal-full\" (known: popularity, movielens-popularity, "));
        assertEquals(f + ": experts[0] (a): endpoint local:kg-explanation: local expert \"kg-explanation\" serves explanation, not recommendation",
                load(entry("a", "recommendation", "local:kg-explanation")));
        assertEquals(f + ": experts[0] (a): endpoint \"ftp://x\" must be local:NAME, rec:MODEL_DIR or an http(s):// URL", load(entry("a", "recommendation", "ftp://x")));
        Path noModel = dir.resolve("no-model");
        assertEquals(f + ": experts[0] (a): endpoint rec:" + noModel + ": " + noModel + ": no such model directory", load(entry("a", "recommendation", "rec:" + noModel)));
        assertEquals(f + ": experts[0] (a): endpoint rec:" + noModel + ": a trained recommender serves recommendation, not explanation",
                load(entry("a", "explanation", "rec:" + noModel)));
        int port;
        try (ServerSocket s = new ServerSocket(0)) { port = s.getLocalPort(); } // closed: nothing listens there
        String down = load(entry("a", "recommendation", "http://127.0.0.1:" + port + "/expert"));
        assertTrue(down.startsWith(f + ": experts[0] (a): endpoint http://127.0.0.1:" + port + "/expert unreachable ("), down);
        Files.writeString(dir.resolve("broken.json"), "{\"experts\": [");
        var e = assertThrows(IllegalArgumentException.class, () -> ExpertRegistry.load(dir.resolve("broken.json"), env, false));
        assertTrue(e.getMessage().startsWith(dir.resolve("broken.json") + ": not valid JSON: "), e.getMessage());
        var missing = assertThrows(IllegalArgumentException.class, () -> ExpertRegistry.load(dir.resolve("absent.json"), env, false));
        assertTrue(missing.getMessage().startsWith(dir.resolve("absent.json") + ": cannot read the expert registry"), missing.getMessage());
    }

    @Test
    void matchingReadsWholeRegisteredIdsOnly() {
        ExpertRegistry r = ExpertRegistry.shipped(env);
        var c = r.candidates(SubTask.RECOMMENDATION);
        assertEquals("movielens-popularity", ExpertChoice.parse("The best is movielens-popularity.", c).id());
        assertEquals("popularity", ExpertChoice.parse("popularity, then movielens-popularity", c).id());
        assertEquals("popularity", ExpertChoice.parse("[Popularity]", c).id());
        assertNull(ExpertChoice.parse("unpopularity rules", c));
        assertNull(ExpertChoice.parse("", c));
    }

    @Test
    void anHttpExpertOverLoopbackAnswersAsTheLocalOneAndItsFailuresAreOneLine() throws Exception {
        Expert local = LocalExperts.create("kg-explanation", SubTask.EXPLANATION, env);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/explain", new ExpertHttpHandler("kg-explanation", local, env));
        server.createContext("/broken", x -> { x.sendResponseHeaders(500, -1); x.close(); });
        server.createContext("/garbage", x -> { byte[] b = "not json".getBytes(); x.sendResponseHeaders(200, b.length); x.getResponseBody().write(b); x.close(); });
        server.createContext("/huge", x -> {
            x.sendResponseHeaders(200, 0);
            byte[] chunk = new byte[1 << 16];
            java.util.Arrays.fill(chunk, (byte) ' ');
            try (var out = x.getResponseBody()) { for (int i = 0; i < 40; i++) out.write(chunk); } catch (java.io.IOException ignored) { }
        });
        server.createContext("/slow", x -> {
            try { Thread.sleep(3000); } catch (InterruptedException ignored) { }
            x.sendResponseHeaders(200, -1);
            x.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            var d = LlmcrsFixture.dialogue(env, Split.TEST, 0);
            var request = new ExpertRequest(SubTaskCall.of(SubTask.EXPLANATION, SubTask.Args.ITEM_NAME, "Sleepy Hollow"), new Conversation(d.turns().subList(0, 3)));
            ExpertOutput direct = local.execute(request);
            Path f = dir.resolve("experts.json");
            Files.writeString(f, "{\"experts\": [" + entry("remote", "explanation", base + "/explain") + "]}");
            ExpertRegistry r = ExpertRegistry.load(f, env, true);
            ExpertOutput remote = r.find("remote").orElseThrow().expert().execute(request);
            assertEquals(direct.text(), remote.text());
            assertArrayEquals(direct.items(), remote.items());
            assertTrue(direct.text().contains("Johnny Depp"), direct.text());

            for (var c : Map.of("/broken", "HTTP 500", "/garbage", "response is not valid JSON", "/huge", "over the limit", "/slow", "no answer within 500 ms").entrySet()) {
                var e = assertThrows(ExpertException.class, () -> new HttpExpert(java.net.URI.create(base + c.getKey()), Duration.ofMillis(500), env).execute(request));
                assertTrue(e.getMessage().startsWith(base + c.getKey() + ": ") && e.getMessage().contains(c.getValue()), e.getMessage());
                assertFalse(e.getMessage().contains("\n"));
            }
            // a malformed request gets a 400 with a one-line reason
            var client = java.net.http.HttpClient.newHttpClient();
            var resp = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/explain"))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"subtask\": \"dance\"}")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(400, resp.statusCode());
            assertEquals("{\"error\":\"subtask: unknown sub-task \\\"dance\\\"\"}", resp.body());
        } finally {
            server.stop(0);
        }
        var gone = assertThrows(ExpertException.class, () -> new HttpExpert(java.net.URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/explain"),
                Duration.ofSeconds(2), env).execute(new ExpertRequest(SubTaskCall.of(SubTask.EXPLANATION), new Conversation(List.of()))));
        assertTrue(gone.getMessage().contains("unreachable"), gone.getMessage());
    }

    @Test
    void theProtocolCarriesItemsByKeyOrTitle() {
        var out = ExpertProtocol.parseResponse(("{\"output\": \"x\", \"items\": [{\"key\": \"" + LlmcrsFixture.A.replace("\"", "\\\"")
                + "\"}, {\"title\": \"Ed Wood (1994)\"}, {\"title\": \"Nope (2022)\"}]}").getBytes(StandardCharsets.UTF_8), env);
        assertArrayEquals(new int[] {LlmcrsFixture.item(env, LlmcrsFixture.A), LlmcrsFixture.item(env, LlmcrsFixture.E)}, out.items());
        assertEquals(List.of("1 item(s) not in the catalogue were dropped"), out.notes());
        assertThrows(IllegalArgumentException.class, () -> ExpertProtocol.parseResponse("{\"items\": []}".getBytes(), env));
    }
}
