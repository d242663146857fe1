package org.crs4j.crs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.crs4j.crs.llm.FakeChatServer;
import org.crs4j.crs.llm.rerank.RerankFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code crs4j eval crs} end to end on {@link RerankFixture}: through a scripted OpenAI-compatible server on loopback,
 * through the trace it left, and through the committed trace {@code fixture-trace.jsonl}. The figures asserted are
 * worked out by hand in the comments.
 *
 * <p>The committed trace is the one {@link #liveEndpointThenReplayGiveTheSameReport} writes to
 * {@code crs/target/rerank-fixture-trace.jsonl}; after a deliberate change of the prompt or the fixture, copy that file
 * over {@code crs/src/test/resources/org/crs4j/crs/llm/rerank/fixture-trace.jsonl}.
 */
class EvalCrsCommandTest {
    @TempDir Path dir;
    Path data, cache, settings;

    @BeforeEach
    void fixture() throws IOException {
        data = RerankFixture.write(dir.resolve("data"));
        cache = Files.createDirectories(dir.resolve("cache"));
        settings = dir.resolve("small.properties");
        Files.writeString(settings, "candidates = 5\nlist_length = 3\ntemperature = 0\n");
    }

    private static FakeChatServer scripted() throws IOException {
        ObjectMapper json = new ObjectMapper();
        return new FakeChatServer(body -> {
            try {
                String prompt = json.readTree(body).get("messages").get(0).get("content").asText();
                return FakeChatServer.Reply.content(RerankFixture.answer(prompt));
            } catch (IOException e) {
                return FakeChatServer.Reply.json(400, "{\"error\":{\"message\":\"bad request\"}}");
            }
        });
    }

    private MainTokenizeTest.Result eval(String llm, String... more) {
        List<String> args = new ArrayList<>(List.of("eval", "crs", "--dataset", "redial", "--recommender", "popularity", "--llm", llm,
                "--settings", settings.toString(), "--data-dir", data.toString(), "--cache-dir", cache.toString()));
        for (int i = 0; i < more.length; i++) {
            int at = args.indexOf(more[i]);
            if (at > 0 && more[i].startsWith("--") && i + 1 < more.length) args.set(at + 1, more[++i]); // replaces a default
            else args.add(more[i]);
        }
        return MainTokenizeTest.main("", args.toArray(String[]::new));
    }

    private static String line(String out, String start) {
        return out.lines().filter(l -> l.startsWith(start)).findFirst().orElseThrow(() -> new AssertionError("no line " + start + " in\n" + out));
    }

    /**
     * Candidates for all six samples: [Inception, Heat, The Conjuring, Toy Story, Alien]. Targets and ranks (shown / I^llm):
     * Conjuring 2 0/0 (the LLM names it, not a candidate); Halloween 0/0; Inception 1/2 (I^llm = [Conjuring, Inception]);
     * Sweeney Todd 0/0 and Edward Scissorhands 0/0 (I^llm = [Heat]; Edward named though not a candidate); Toy Story 4/4
     * (unparsable answer, fallback). Recall shown 1/6, 1/6, 2/6, 2/6; I^llm 0, 1/6, 2/6, 2/6. At @1 one sample
     * differs by -1: mean -1/6, sd sqrt(1/6), t = -1 with 5 degrees of freedom, p = 0.3632.
     */
    private static void assertFixtureFigures(String out) {
        assertTrue(out.startsWith("eval crs: test, 6 of 6 recommendation samples; oracle none\n"), out);
        assertEquals("LLM calls: 5 (one per distinct prompt; the samples of one turn share it)", line(out, "LLM calls:"));
        assertTrue(line(out, "  @1 ").matches("  @1 +16\\.7 \\[ *3\\.0, +56\\.4\\] +0\\.0 \\[ *0\\.0, +39\\.0\\] +-16\\.7 \\[-59\\.5, \\+26\\.2\\], p = 0\\.3632"), line(out, "  @1 "));
        assertTrue(line(out, "  @3 ").endsWith("+0.0 [ +0.0,  +0.0], p = 1 (no sample differs)"), line(out, "  @3 "));
        assertTrue(line(out, "  @5 ").matches("  @5 +33\\.3 \\[ *9\\.7, +70\\.0\\] +33\\.3 \\[ *9\\.7, +70\\.0\\] .*"), line(out, "  @5 "));
        assertEquals("answers: 4 parsed, 1 unparsable, 0 failed calls (unparsable and failed fall back to the candidates' order)", line(out, "answers:"));
        assertEquals("I^llm: 1.5 items on average in parsed answers; 0 parsed answers name no candidate; 0 missing the explanation, 0 the response",
                line(out, "I^llm:"));
        assertEquals("invented items (dropped): 6 (4 in the catalogue but not candidates, 2 unknown); in 2 samples the LLM named the target "
                + "although it was not a candidate; 2 duplicates", line(out, "invented items"));
        assertTrue(line(out, "responses R vs the reference turn (5 answers, 0 without tokens): BLEU-2 ").contains("Dist-4"));
        assertTrue(line(out, "latency per answered call: mean ").contains("median"));
    }

    @Test
    void liveEndpointThenReplayGiveTheSameReport() throws Exception {
        Path trace = dir.resolve("trace.jsonl"), output = dir.resolve("samples.jsonl");
        String live;
        try (var server = scripted()) {
            var r = eval(server.base() + "#scripted", "--trace", trace.toString(), "--output", output.toString());
            assertEquals(0, r.exit(), r.err());
            live = r.out();
            assertEquals(5, server.requests.size());
            assertTrue(line(live, "recommender popularity; LLM " + server.base() + "/chat/completions#scripted; prompt rerank-prompt.txt (shipped); "
                    + "5 candidates, 3 asked for; max 512 new tokens, temperature 0.0, top-p 1.0, seed 0").length() > 0);
        }
        assertFixtureFigures(live);
        assertEquals(5, Files.readAllLines(trace).size());
        Files.copy(trace, Path.of("target", "rerank-fixture-trace.jsonl"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        List<String> samples = Files.readAllLines(output);
        assertEquals(6, samples.size());
        JsonNode inception = new ObjectMapper().readTree(samples.stream().filter(s -> s.contains("\"target\":\"Inception (2010)\"")).findFirst().orElseThrow());
        assertEquals(1, inception.get("rank_shown").asInt());
        assertEquals(2, inception.get("rank_llm").asInt());
        assertEquals("[\"The Conjuring (2013)\",\"Inception (2010)\"]", inception.get("llm_list").toString());
        assertEquals("[\"The Conjuring 2 (2016)\"]", inception.get("invented").toString());
        assertEquals("or Halloween (1978) and Inception (2010)", inception.get("reference").asText());
        assertEquals("Since you loved The Conjuring, try its sequel!", inception.get("response").asText());

        var replay = eval("replay:" + trace);
        assertEquals(0, replay.exit(), replay.err());
        assertEquals(live.lines().filter(l -> !l.startsWith("recommender ")).toList(), replay.out().lines().filter(l -> !l.startsWith("recommender ")).toList(),
                "a replay reports what the live run reported (latencies included)");
    }

    @Test
    void theCommittedTraceReplaysWithoutAnyModel() throws Exception {
        Path committed = Path.of(EvalCrsCommandTest.class.getResource("/org/crs4j/crs/llm/rerank/fixture-trace.jsonl").toURI());
        var r = eval("replay:" + committed);
        assertEquals(0, r.exit(), r.err());
        assertFixtureFigures(r.out());
    }

    /**
     * With the oracle, every target is among the candidates (Recall@5 shown = 100 %). Truth: I^llm ranks Conjuring 2
     * first (now a candidate), Inception second, Edward second (now a candidate), Toy Story fourth (fallback):
     * Recall@3 of I^llm = 3/6.
     */
    @Test
    void oracleSettingsPutTheTargetAmongTheCandidates() throws Exception {
        try (var server = scripted()) {
            var truth = eval(server.base() + "#scripted", "--oracle", "truth");
            assertEquals(0, truth.exit(), truth.err());
            assertTrue(line(truth.out(), "  @5 ").matches("  @5 +100\\.0 .*"), truth.out());
            assertTrue(line(truth.out(), "  @3 ").matches("  @3 +\\S+ \\[.*\\] +50\\.0 .*"), truth.out());
            assertTrue(truth.out().contains("recommender's own list before the oracle: @1 16.7 @3 16.7 @5 33.3 @10 33.3"), truth.out());
            var mentioned = eval(server.base() + "#scripted", "--oracle", "mentioned", "--limit", "4");
            assertEquals(0, mentioned.exit(), mentioned.err());
            assertTrue(mentioned.out().startsWith("eval crs: test, 4 of 6 recommendation samples (drawn at random, seed 0); oracle mentioned"), mentioned.out());
            assertTrue(line(mentioned.out(), "  @5 ").matches("  @5 +100\\.0 .*"), mentioned.out());
        }
    }

    @Test
    void badInputIsOneLineBeforeAnyOutput() throws Exception {
        Path trace = dir.resolve("t.jsonl");
        try (var server = scripted()) {
            assertEquals(0, eval(server.base() + "#scripted", "--trace", trace.toString()).exit());
        }
        Files.writeString(settings, "candidates = 4\nlist_length = 3\ntemperature = 0\n");
        var mismatch = eval("replay:" + trace);
        assertEquals(1, mismatch.exit());
        assertTrue(mismatch.err().startsWith("crs4j eval crs: replay:" + trace + ": the trace does not match the run: line 1 (the next unused rerank call) "
                + "has another prompt, from character "), mismatch.err());
        assertEquals(1, mismatch.err().strip().lines().count(), mismatch.err());
        assertEquals("", mismatch.out());

        int port;
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path downTrace = dir.resolve("down.jsonl");
        var down = eval("http://127.0.0.1:" + port + "/v1#m", "--llm-retries", "0", "--trace", downTrace.toString());
        assertEquals(1, down.exit());
        assertTrue(down.err().strip().lines().reduce((a, b) -> b).orElseThrow().matches(
                "crs4j eval crs: http://127\\.0\\.0\\.1:" + port + "/v1/chat/completions#m: cannot connect to .* \\(3 calls in a row failed; stopping\\)"), down.err());
        assertEquals("", down.out());
        assertEquals(3, Files.readAllLines(downTrace).size(), "the failed calls are in the trace");

        record Case(String[] args, String expected) {}
        Path folder = Files.createDirectories(dir.resolve("model"));
        Path badSettings = dir.resolve("bad.properties");
        Files.writeString(badSettings, "candidate = 3\n");
        for (Case c : List.of(
                new Case(new String[] {"--oracle", "always"}, "crs4j eval crs: --oracle: must be none, truth or mentioned, not always"),
                new Case(new String[] {"--split", "train"}, "crs4j eval crs: --split: must be test or valid, not train"),
                new Case(new String[] {"--recommender", folder.toString()}, "crs4j eval crs: --recommender " + folder
                        + ": loading a trained causal recommender needs the rec branch's model loader, which is not on this branch yet; use popularity"),
                new Case(new String[] {"--recommender", "nothing"}, "crs4j eval crs: --recommender nothing: not popularity, movielens-popularity or a model folder"),
                new Case(new String[] {"--settings", badSettings.toString()}, "crs4j eval crs: --settings " + badSettings
                        + ": unknown key candidate (known: candidates, context_turns, list_length, max_new_tokens, seed, temperature, top_p)"),
                new Case(new String[] {"--llm-key-env", "CRS4J_TEST_UNSET_KEY"}, "crs4j eval crs: --llm-key-env CRS4J_TEST_UNSET_KEY: the environment variable is not set or empty"),
                new Case(new String[] {"--output", dir.resolve("no/such/out.jsonl").toString()}, "crs4j eval crs: --output " + dir.resolve("no/such/out.jsonl")
                        + ": the folder does not exist"))) {
            List<String> args = new ArrayList<>(List.of(c.args()));
            String llm = "http://127.0.0.1:" + port + "/v1#m";
            var r = eval(llm, args.toArray(String[]::new));
            assertEquals(1, r.exit(), r.err());
            assertEquals(c.expected(), r.err().strip());
            assertEquals("", r.out());
            assertFalse(r.err().contains("\tat "));
        }
    }
}
