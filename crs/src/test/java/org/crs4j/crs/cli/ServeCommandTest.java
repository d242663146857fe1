package org.crs4j.crs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** `crs4j serve` as a user starts it: option errors as one line, and a real process that serves and stops on SIGTERM. */
class ServeCommandTest {

    private static Path stories() {
        String root = System.getProperty("crs4j.shared");
        Path p = root == null ? null : Path.of(root, "models", "stories260K", "hf");
        assumeTrue(p != null && Files.isRegularFile(p.resolve("config.json")), "stories260K not found under crs4j.shared=" + root);
        return p;
    }

    private static void oneLine(MainTokenizeTest.Result r, String... fragments) {
        assertNotEquals(0, r.exit(), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        for (String f : fragments) assertTrue(r.err().contains(f), r.err());
    }

    @Test
    void badOptionsAreOneLineNamingTheOption() throws Exception {
        oneLine(MainTokenizeTest.main("", "serve"), "--model");
        MainTokenizeTest.Result none = MainTokenizeTest.main("", "serve", "--model", "no/such/folder/here");
        oneLine(none, "crs4j serve: ", "no/such/folder/here", "no such folder or file");
        assertEquals(1, none.err().strip().lines().count(), none.err());
        String model = stories().toString();
        oneLine(MainTokenizeTest.main("", "serve", "--model", model, "--batch", "0"), "--batch: must be in 1..256");
        oneLine(MainTokenizeTest.main("", "serve", "--model", model, "--queue", "-1"), "--queue: must be >= 0");
        oneLine(MainTokenizeTest.main("", "serve", "--model", model, "--port", "http"), "--port");
        oneLine(MainTokenizeTest.main("", "serve", "--model", model, "--chat-format", "jinja2"), "--chat-format jinja2", "chatml");
        oneLine(MainTokenizeTest.main("", "serve", "--model", model, "--model", model), "two models", "--name");
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            oneLine(MainTokenizeTest.main("", "serve", "--model", model, "--port", Integer.toString(taken.getLocalPort())),
                    "--port " + taken.getLocalPort() + ": cannot listen");
        }
    }

    @Test
    void aRealProcessServesAndStopsOnSigterm() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                "org.crs4j.crs.cli.Main", "serve", "--model", stories().toString(), "--name", "stories", "--port", "0").start();
        List<String> lines = new ArrayList<>();
        try {
            BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
            Matcher m = null;
            for (String line; (line = err.readLine()) != null; ) {
                lines.add(line);
                Matcher x = Pattern.compile("listening on (http://127\\.0\\.0\\.1:\\d+/v1)").matcher(line);
                if (x.find()) {
                    m = x;
                    break;
                }
            }
            assertTrue(m != null, "no 'listening on' line: " + lines);
            assertTrue(String.join("\n", lines).contains("stories = "), lines.toString());
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(m.group(1) + "/models")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains("\"id\":\"stories\""), r.body());
            String line = err.readLine(); // the request's log line
            assertTrue(line != null && line.startsWith("GET /v1/models 200"), line);
        } finally {
            p.destroy();
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the server stops on SIGTERM");
        }
    }
}
