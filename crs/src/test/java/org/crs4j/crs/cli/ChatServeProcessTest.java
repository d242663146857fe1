package org.crs4j.crs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.crs4j.crs.chat.ChatFixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code crs4j chat --web} and {@code crs4j serve --crs} as real processes: they start, serve the page and turns, and stop. */
class ChatServeProcessTest {
    @TempDir static Path data;
    @TempDir static Path cache;
    @TempDir static Path models;
    static Path model;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void prepare() throws Exception {
        model = models.resolve("full");
        ChatFixture.prepare(data, cache, model);
    }

    private static Process start(String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                "org.crs4j.crs.cli.Main"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--data-dir", data.toString(), "--cache-dir", cache.toString()));
        return new ProcessBuilder(cmd).start();
    }

    /** Reads lines until one matches; the base URL it names. */
    private static String await(InputStream stream, String regex, List<String> lines) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8));
        Pattern p = Pattern.compile(regex);
        for (String line; (line = r.readLine()) != null; ) {
            lines.add(line);
            Matcher m = p.matcher(line);
            if (m.find()) return m.group(1);
        }
        throw new AssertionError("no line matching " + regex + " in: " + lines);
    }

    private static HttpResponse<String> post(String url, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void chatWebServesThePageAndTurns() throws Exception {
        Process p = start("chat", "--web", "--port", "0", "--no-llm", "--model", model.toString());
        List<String> lines = new ArrayList<>();
        try {
            String base = await(p.getInputStream(), "open (http://127\\.0\\.0\\.1:\\d+)/ in a browser", lines);
            var page = get(base + "/");
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("<title>crs4j chat</title>"), page.body());
            assertEquals(200, get(base + "/chat.js").statusCode());
            var turn = post(base + "/v1/crs/turn", "{\"messages\": [{\"role\": \"user\", \"content\": \"I loved Alien (1979)\"}]}");
            assertEquals(200, turn.statusCode(), turn.body());
            assertTrue(turn.body().contains("\"mode\":\"w/o-llm\"") && turn.body().contains("\"title\":\"Alien (1979)\""), turn.body());
        } finally {
            p.destroy();
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "stops on SIGTERM");
        }
    }

    @Test
    void serveCrsAddsTheTurnThePageAndTheExperts() throws Exception {
        try (var llm = ChatFixture.llm(0)) {
            Process p = start("serve", "--crs", "--rec-model", model.toString(), "--crs-llm", llm.base() + "#fake", "--port", "0");
            List<String> lines = new ArrayList<>();
            try {
                String base = await(p.getErrorStream(), "listening on (http://127\\.0\\.0\\.1:\\d+)/v1 \\(the CRS: POST /v1/crs/turn, the chat page at /\\)", lines);
                assertTrue(lines.stream().anyMatch(l -> l.startsWith("crs4j serve: CRS inspired with causal-full (" + model + "), LLM " + llm.base())), lines.toString());
                var turn = post(base + "/v1/crs/turn", "{\"messages\": [{\"role\": \"user\", \"content\": \"Something scary?\"}]}");
                assertEquals(200, turn.statusCode(), turn.body());
                assertTrue(turn.body().contains("\"response\":\"" + ChatFixture.ANSWER + "\""), turn.body());
                assertEquals(200, get(base + "/").statusCode());
                assertEquals("{\"expert\":\"causal-full\"}", get(base + "/v1/experts/causal-full").body());
                assertEquals("{\"expert\":\"kg-explanation\"}", get(base + "/v1/experts/kg-explanation").body());
                assertEquals("{\"object\":\"list\",\"data\":[]}", get(base + "/v1/models").body());
            } finally {
                p.destroy();
                assertTrue(p.waitFor(20, TimeUnit.SECONDS), "stops on SIGTERM");
            }
        }
        var bad = MainTokenizeTest.main("", "serve", "--rec-model", model.toString(), "--model", "x");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().startsWith("crs4j serve: --rec-model: only with --crs"), bad.err());
    }
}
