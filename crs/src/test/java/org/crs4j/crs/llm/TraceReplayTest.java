package org.crs4j.crs.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceReplayTest {
    private static final Sampling GREEDY = Sampling.greedy(32);

    /** A scripted model: answers "<stage>:<n>:<prompt reversed>", fails on prompts starting with "fail". */
    private static final class Scripted implements Llm {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public String endpoint() {
            return "scripted";
        }

        @Override
        public LlmResponse complete(LlmRequest r) {
            int n = calls.incrementAndGet();
            if (r.prompt().startsWith("fail")) throw new LlmException("scripted: HTTP 500: boom");
            String text = r.stage() + ":" + n + ":" + new StringBuilder(r.prompt()).reverse();
            if (r.stream() != null) r.stream().accept(text);
            return new LlmResponse(text, r.prompt().length(), 3, 1_500_000 + n, new int[] {1, n}, new int[] {n, 2});
        }
    }

    @Test
    void everyCallIsAppendedAsOneJsonLineAndReplaysExactly(@TempDir Path dir) throws Exception {
        Path trace = dir.resolve("run.jsonl");
        Files.writeString(trace, "");
        var scripted = new Scripted();
        List<LlmResponse> live;
        try (var traced = new TracingLlm(scripted, trace)) {
            live = List.of(traced.complete(new LlmRequest("rerank", "same\nprompt \"quoted\" ü", GREEDY)),
                    traced.complete(new LlmRequest("rerank", "same\nprompt \"quoted\" ü", GREEDY)),
                    traced.complete(new LlmRequest("response", "other", new Sampling(16, 1.0, 0.9, 7))));
            var e = assertThrows(LlmException.class, () -> traced.complete(new LlmRequest("rerank", "fail now", GREEDY)));
            assertEquals("scripted: HTTP 500: boom", e.getMessage());
            // each call is on disk before complete() returns
            assertEquals(4, Files.readAllLines(trace).size());
        }
        List<String> lines = Files.readAllLines(trace, StandardCharsets.UTF_8);
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertEquals("rerank", first.get("stage").asText());
        assertEquals("scripted", first.get("endpoint").asText());
        assertEquals("same\nprompt \"quoted\" ü", first.get("prompt").asText());
        assertEquals(live.get(0).text(), first.get("output").asText());
        assertEquals(32, first.get("sampling").get("max_new_tokens").asInt());
        assertEquals(1.5, first.get("latency_ms").asDouble(), 0.01);
        assertTrue(new ObjectMapper().readTree(lines.get(3)).has("error"));
        assertFalse(new ObjectMapper().readTree(lines.get(3)).has("output"));

        try (var replay = ReplayLlm.open(trace)) {
            assertEquals("replay:" + trace, replay.endpoint());
            // the two identical calls answer in trace order; the other stage can be asked first
            LlmResponse other = replay.complete(new LlmRequest("response", "other", new Sampling(16, 1.0, 0.9, 7)));
            assertEquals(live.get(2).text(), other.text());
            StringBuilder streamed = new StringBuilder();
            LlmResponse a = replay.complete(new LlmRequest("rerank", "same\nprompt \"quoted\" ü", GREEDY, streamed::append));
            LlmResponse b = replay.complete(new LlmRequest("rerank", "same\nprompt \"quoted\" ü", GREEDY));
            assertEquals(live.get(0).text(), a.text());
            assertEquals(live.get(0).text(), streamed.toString());
            assertEquals(live.get(1).text(), b.text());
            assertArrayEquals(live.get(1).outputIds(), b.outputIds());
            assertArrayEquals(live.get(1).promptIds(), b.promptIds());
            assertEquals(live.get(1).latencyNanos() / 1000, b.latencyNanos() / 1000, "the recorded latency");
            var failed = assertThrows(LlmException.class, () -> replay.complete(new LlmRequest("rerank", "fail now", GREEDY)));
            assertEquals("scripted: HTTP 500: boom (replayed from " + trace + " line 4)", failed.getMessage());
            assertEquals(4, replay.replayed());
            var exhausted = assertThrows(LlmException.class, () -> replay.complete(new LlmRequest("rerank", "same\nprompt \"quoted\" ü", GREEDY)));
            assertTrue(exhausted.getMessage().contains("all recorded rerank calls with this prompt and sampling were used already"), exhausted.getMessage());
        }
        assertEquals(4, scripted.calls.get(), "replay never calls a model");

        // a second run appends: nothing already written is lost
        try (var traced = new TracingLlm(new Scripted(), trace)) {
            traced.complete(new LlmRequest("rerank", "more", GREEDY));
        }
        assertEquals(5, Files.readAllLines(trace).size());
        assertEquals(lines, Files.readAllLines(trace).subList(0, 4));
    }

    @Test
    void aTraceThatDoesNotMatchTheRunNamesFileLineAndDifference(@TempDir Path dir) {
        Path trace = dir.resolve("t.jsonl");
        try (var traced = new TracingLlm(new Scripted(), trace)) {
            traced.complete(new LlmRequest("rerank", "Context: I like Heat (1995).\nCandidates: ...", GREEDY));
            traced.complete(new LlmRequest("rerank", "second", GREEDY));
        }
        try (var replay = ReplayLlm.open(trace)) {
            var prompt = assertThrows(LlmException.class, () -> replay.complete(new LlmRequest("rerank", "Context: I like Alien (1979).\nCandidates: ...", GREEDY)));
            assertEquals("replay:" + trace + ": the trace does not match the run: line 1 (the next unused rerank call) has another prompt, from character 16: "
                    + "trace \"Context: I like Heat (1995).\\nCandidates: ...\", run \"Context: I like Alien (1979).\\nCandidates: ...\"", prompt.getMessage());
            var sampling = assertThrows(LlmException.class, () -> replay.complete(new LlmRequest("rerank", "Context: I like Heat (1995).\nCandidates: ...", new Sampling(32, 1.0, 1.0, 3))));
            assertTrue(sampling.getMessage().contains("line 1 (the next unused rerank call) has the same prompt but sampling (max new tokens 32, temperature 0.0, top-p 1.0, seed 0), "
                    + "the run asks (max new tokens 32, temperature 1.0, top-p 1.0, seed 3)"), sampling.getMessage());
            var stage = assertThrows(LlmException.class, () -> replay.complete(new LlmRequest("detection", "x", GREEDY)));
            assertTrue(stage.getMessage().endsWith("it has no detection calls"), stage.getMessage());
            assertEquals(1, stage.getMessage().lines().count());
        }
    }

    @Test
    void malformedTracesAreOneLineNamingFileAndLine(@TempDir Path dir) throws Exception {
        String good = "{\"stage\":\"rerank\",\"sampling\":{\"max_new_tokens\":8,\"temperature\":0.0,\"top_p\":1.0,\"seed\":0},\"prompt\":\"p\",\"output\":\"o\"}";
        record Case(String content, String expected) {}
        for (Case c : List.of(
                new Case(good + "\n\n{not json\n", "line 3: not valid JSON"),
                new Case(good.replace("\"prompt\":\"p\",", "") + "\n", "line 1: field prompt: missing"),
                new Case(good + "\n" + good.replace("\"output\":\"o\"", "\"output\":5") + "\n", "line 2: field output: expected a string"),
                new Case(good.replace("\"temperature\":0.0", "\"temperature\":-1") + "\n", "line 1: field sampling: temperature must be >= 0, got -1.0"),
                new Case(good.replace("\"max_new_tokens\":8", "\"max_new_tokens\":\"8\"") + "\n", "line 1: field sampling.max_new_tokens: expected an integer"),
                new Case("[1,2]\n", "line 1: expected a JSON object"),
                new Case("\n\n", ": the trace holds no calls"))) {
            Path f = dir.resolve("bad.jsonl");
            Files.writeString(f, c.content());
            var e = assertThrows(LlmException.class, () -> ReplayLlm.open(f));
            assertTrue(e.getMessage().startsWith("replay:" + f + (c.expected().startsWith(":") ? "" : " ") + c.expected()), e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
        }
        Path utf = dir.resolve("utf.jsonl");
        Files.write(utf, (good + "\n").getBytes(StandardCharsets.UTF_8));
        Files.write(utf, new byte[] {'{', (byte) 0xC3, '}', '\n'}, java.nio.file.StandardOpenOption.APPEND);
        assertTrue(assertThrows(LlmException.class, () -> ReplayLlm.open(utf)).getMessage().startsWith("replay:" + utf + " line 2: invalid UTF-8"));
        var missing = assertThrows(LlmException.class, () -> Llms.open("replay:" + dir.resolve("none.jsonl")));
        assertEquals("replay:" + dir.resolve("none.jsonl") + ": no such trace file", missing.getMessage());
        Path ok = dir.resolve("ok.jsonl");
        Files.writeString(ok, good + "\n");
        Path nowhere = dir.resolve("no/such/dir/t.jsonl");
        var folder = assertThrows(LlmException.class, () -> Llms.open("replay:" + ok, new Llms.Options(null, RemoteLlm.Settings.defaults(), nowhere)));
        assertEquals("--trace " + nowhere + ": the folder does not exist", folder.getMessage());
    }
}
