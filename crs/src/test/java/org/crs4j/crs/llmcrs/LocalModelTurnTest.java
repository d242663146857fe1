package org.crs4j.crs.llmcrs;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.crs4j.crs.llm.LocalLlm;
import org.crs4j.crs.llm.Sampling;
import org.crs4j.crs.llmcrs.experts.ExpertRegistry;
import org.crs4j.crs.llmcrs.experts.RegistrySource;
import org.crs4j.data.model.Split;
import org.crs4j.models.LanguageModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline on a real local model (stories260K: a story model, no instruction follower, so only the plumbing is
 * shown): every call's exact generated ids and sampling settings are in the trace for RLPF, and what the model
 * writes that parses as nothing takes the counted fallbacks.
 */
class LocalModelTurnTest {
    @TempDir Path data;
    @TempDir Path cache;

    @Test
    void sampledTurnKeepsEveryCallsIdsAndSettings() throws Exception {
        Path model = Path.of(System.getProperty("crs4j.shared", "../../shared"), "models/stories260K/hf");
        assumeTrue(Files.isDirectory(model), "../shared/models/stories260K/hf is not present: " + model);
        Environment env = LlmcrsFixture.environment(data, cache);
        try (var db = env.db(); var lm = LanguageModels.load(model); var llm = new LocalLlm(lm, "stories260K", false)) {
            LlmcrsSettings s = new LlmcrsSettings(2, 1, 12, 100, SubTask.RECOMMENDATION);
            // short templates keep the prompts at a few dozen tokens: the test is about the trace, not the wording
            Files.writeString(data.resolve("detection.txt"), "Tasks: {{subtask_list}}. {{dialogue_context}}");
            Files.writeString(data.resolve("matching.txt"), "{{subtask_goal}} {{experts}}");
            Files.writeString(data.resolve("response.txt"), "{{subtask_name}} {{expert}} {{subtask_output}} {{dialogue_context}}");
            Llmcrs p = new Llmcrs(llm, env, RegistrySource.fixed(ExpertRegistry.shipped(env)), PromptSet.load(data), Demonstrations.none(), s);
            var d = LlmcrsFixture.dialogue(env, Split.TEST, 0);
            var options = TurnOptions.greedy().withAblations(Set.of(Ablation.NO_DEMONSTRATIONS))
                    .withSampling(new Sampling(8, 1.0, 0.9, 11), new Sampling(4, 1.0, 0.9, 12), new Sampling(8, 1.0, 0.9, 13));
            StringBuilder streamed = new StringBuilder();
            TurnResult r = p.turn(new Conversation(d.id(), d.turns().subList(0, 1)), options.withStream(streamed::append));
            var calls = r.trace().calls();
            assertFalse(calls.isEmpty());
            for (LlmCall c : calls) {
                assertFalse(c.failed(), c.error());
                assertNotNull(c.response().outputIds(), "exact generated ids");
                assertEquals(c.response().outputIds().length, c.response().outputTokens());
                assertArrayEquals(lm.encodePrompt(c.request().prompt()), c.response().promptIds());
                assertEquals(1.0, c.request().sampling().temperature());
            }
            assertEquals(11, calls.getFirst().request().sampling().seed());
            var again = llm.complete(calls.getFirst().request());
            assertArrayEquals(calls.getFirst().response().outputIds(), again.outputIds(), "same request and seed, same ids");
            assertTrue(r.trace().fallbacks().stream().allMatch(f -> f.kind() != Fallback.Kind.DETECTION_LLM_FAILED));
            assertEquals(1, p.statistics().turns());
            if (!r.trace().fallbacks().stream().anyMatch(f -> f.kind() == Fallback.Kind.RESPONSE_EMPTY)) assertEquals(r.response(), streamed.toString().strip());
        }
    }
}
