package org.crs4j.crs.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.crs4j.autograd.GradMode;
import org.crs4j.models.LanguageModel;
import org.crs4j.models.LanguageModels;
import org.crs4j.models.generation.Generation;
import org.crs4j.models.generation.GenerationConfig;
import org.junit.jupiter.api.Test;

class LocalLlmTest {
    private static Path stories() {
        Path p = Path.of(System.getProperty("crs4j.shared", "../../shared"), "models/stories260K/hf");
        assumeTrue(Files.isDirectory(p), "../shared/models/stories260K/hf is not present: " + p);
        return p;
    }

    @Test
    void greedyCompletionStreamsTheSameTextAndReturnsTheIdsTheModelGenerated() throws Exception {
        try (LanguageModel lm = LanguageModels.load(stories()); var llm = new LocalLlm(lm, "stories260K", false)) {
            StringBuilder streamed = new StringBuilder();
            LlmResponse r = llm.complete(new LlmRequest("test", "Once upon a time", Sampling.greedy(24), streamed::append));
            assertEquals(streamed.toString(), r.text());
            assertFalse(r.text().isBlank());
            int[] prompt = lm.encodePrompt("Once upon a time");
            assertArrayEquals(prompt, r.promptIds());
            int[][] direct;
            try (var off = GradMode.off()) {
                direct = Generation.generate(lm.decoder(), new int[][] {prompt},
                        lm.defaults().withMaxNewTokens(24).withTemperature(0).withBeams(1, 1), null);
            }
            assertArrayEquals(direct[0], r.outputIds());
            assertEquals(r.outputIds().length, r.outputTokens());
            assertTrue(r.latencyNanos() > 0);
        }
    }

    @Test
    void sampledCompletionsAreReproducibleBySeedAndDifferAcrossSeeds() throws Exception {
        try (LanguageModel lm = LanguageModels.load(stories()); var llm = new LocalLlm(lm, "stories260K", false)) {
            var a = llm.complete(new LlmRequest("t", "Once upon a time", new Sampling(40, 1.0, 0.95, 11)));
            var b = llm.complete(new LlmRequest("t", "Once upon a time", new Sampling(40, 1.0, 0.95, 11)));
            var c = llm.complete(new LlmRequest("t", "Once upon a time", new Sampling(40, 1.0, 0.95, 12)));
            assertArrayEquals(a.outputIds(), b.outputIds());
            assertFalse(java.util.Arrays.equals(a.outputIds(), c.outputIds()));
        }
    }

    @Test
    void unknownSpecIsOneLineNamingTheOption() {
        var e = assertThrows(LlmException.class, () -> Llms.open("no/such/folder/here"));
        assertTrue(e.getMessage().startsWith("--llm no/such/folder/here: "), e.getMessage());
        assertThrows(LlmException.class, () -> Llms.open(" "));
    }

    @Test
    void aPromptPastTheContextIsAnLlmExceptionCarryingTheLimit() throws Exception {
        try (LanguageModel lm = LanguageModels.load(stories()); var llm = new LocalLlm(lm, "stories260K", false)) {
            String longPrompt = "Once upon a time there was a little dog. ".repeat(60);
            var e = assertThrows(LlmException.class, () -> llm.complete(new LlmRequest("test", longPrompt, Sampling.greedy(24), null)));
            assertTrue(e.getMessage().startsWith("stories260K: the prompt's ") && e.getMessage().contains("context of 512 positions"),
                    e.getMessage());
            var limit = (org.crs4j.models.generation.GenerationLimitException) e.getCause();
            assertEquals(org.crs4j.models.generation.GenerationLimitException.Limit.CONTEXT_LENGTH, limit.limit());
            assertEquals(512, limit.allowed());
        }
    }
}
