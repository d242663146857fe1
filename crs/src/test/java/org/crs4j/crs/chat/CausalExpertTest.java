package org.crs4j.crs.chat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.crs4j.crs.llmcrs.Conversation;
import org.crs4j.crs.llmcrs.SubTask;
import org.crs4j.crs.llmcrs.SubTaskCall;
import org.crs4j.crs.llmcrs.experts.ExpertRegistry;
import org.crs4j.crs.llmcrs.experts.ExpertRequest;
import org.crs4j.data.model.Role;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The causal recommender as a registered expert: first in the chat's registry, and resolved from a model directory (rec:DIR). */
class CausalExpertTest {
    @TempDir static Path data;
    @TempDir static Path cache;
    @TempDir static Path models;
    @TempDir Path dir;
    static Path model;

    @BeforeAll
    static void prepare() throws Exception {
        model = models.resolve("full");
        ChatFixture.prepare(data, cache, model);
    }

    @Test
    void theChatsRegistryPutsTheCausalRecommenderFirstWithItsDescription() throws Exception {
        try (CrsSystem crs = ChatFixture.assemble(data, cache, model, null).system()) {
            var recs = crs.registry().candidates(SubTask.RECOMMENDATION).stream().map(ExpertRegistry.Registered::id).toList();
            assertEquals(List.of("causal-full", "popularity", "movielens-popularity"), recs);
            String entry = crs.registry().find("causal-full").orElseThrow().spec().promptEntry();
            assertTrue(entry.startsWith("[causal-full, recommends movies from the items, people and genres mentioned in the dialogue") && entry.contains("architecture: ")
                    && entry.contains("domain: ") && entry.contains("licence: "), entry);
            var again = ExpertRegistry.resource(ExpertRegistry.CAUSAL, crs.environment());
            var e = assertThrows(IllegalArgumentException.class, () -> crs.registry().after(again));
            assertTrue(e.getMessage().endsWith(": both register \"causal-full\""), e.getMessage());
        }
    }

    @Test
    void aRegistryEntryCanNameATrainedModelDirectory() throws Exception {
        try (CrsSystem crs = ChatFixture.assemble(data, cache, model, null).system()) {
            var env = crs.environment();
            Path file = dir.resolve("experts.json");
            Files.writeString(file, """
                    {"experts": [{"id": "my-causal", "subtask": "recommendation",
                      "description": {"function": "f", "architecture": "a", "domain": "d", "licence": "l"},
                      "endpoint": "rec:%s"}]}""".formatted(model));
            var mine = ExpertRegistry.load(file, env, false).find("my-causal").orElseThrow().expert();
            var shipped = crs.registry().find("causal-full").orElseThrow().expert();
            var request = new ExpertRequest(SubTaskCall.of(SubTask.RECOMMENDATION), new Conversation(List.of(env.turn(Role.SEEKER, "I loved Ed Wood (1994)"))));
            assertArrayEquals(shipped.execute(request).items(), mine.execute(request).items(), "the same model, loaded twice, ranks alike");
            assertEquals(shipped.execute(request).text(), mine.execute(request).text());

            // without an LLM, a recommendation expert that fails hands the turn to the next one, as LLMCRS does
            int port;
            try (var socket = new java.net.ServerSocket(0)) { port = socket.getLocalPort(); } // closed: nothing listens
            Files.writeString(file, """
                    {"experts": [{"id": "down", "subtask": "recommendation",
                      "description": {"function": "f", "architecture": "a", "domain": "d", "licence": "l"},
                      "endpoint": "http://127.0.0.1:%d/v1/experts/causal-full", "timeout_seconds": 2},
                     {"id": "my-causal", "subtask": "recommendation",
                      "description": {"function": "f", "architecture": "a", "domain": "d", "licence": "l"},
                      "endpoint": "rec:%s"}]}""".formatted(port, model));
            try (CrsSystem twoExperts = CrsSystem.of(env, ExpertRegistry.load(file, env, false), null)) {
                var r = twoExperts.turn(request.context(), null);
                assertEquals("my-causal", r.trace().expertId());
                assertEquals(1, r.trace().fallbacks().size());
                assertEquals("EXPERT_FAILED", r.trace().fallbacks().getFirst().kind().name());
                assertTrue(r.trace().fallbacks().getFirst().detail().startsWith("down: "), r.trace().fallbacks().toString());
                assertArrayEquals(shipped.execute(request).items(), r.items());
            }
        }
    }
}
