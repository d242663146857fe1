package org.crs4j.models.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import org.crs4j.autograd.GradMode;
import org.crs4j.models.LanguageModel;
import org.crs4j.models.LanguageModels;
import org.crs4j.models.llama.LlamaScoring;
import org.crs4j.models.t5.T5Scoring;
import org.junit.jupiter.api.Test;

/**
 * Every path that generates or scores refuses, before any work, what exceeds the model's context (with the numbers),
 * the vocabulary (beams) or the heap, and truncates a prompt only when asked.
 */
class GenerationLimitsTest {
    static Path fixture(String name) throws Exception {
        return Path.of(GenerationLimitsTest.class.getResource("/org/crs4j/models/" + name + "/config.json").toURI()).getParent();
    }

    static int[] prompt(int length) {
        int[] p = new int[length];
        p[0] = 1; // BOS
        for (int i = 1; i < length; i++) p[i] = 3 + i % 90;
        return p;
    }

    @Test
    void aPromptPastTheContextIsRefusedWithTheNumbersBeforeAnyWork() throws Exception {
        try (LanguageModel lm = LanguageModels.load(fixture("llama/fixtures/untied-gqa")); var off = GradMode.off()) {
            assertEquals(64, lm.context().length());
            GenerationConfig cfg = lm.defaults().withMaxNewTokens(10);
            var e = assertThrows(GenerationLimitException.class,
                    () -> Generation.generate(lm.decoder(), new int[][] {prompt(60)}, cfg, (r, t) -> { throw new AssertionError("work began"); }));
            assertEquals(GenerationLimitException.Limit.CONTEXT_LENGTH, e.limit());
            assertEquals(70, e.requested());
            assertEquals(64, e.allowed());
            assertEquals("the prompt's 60 tokens + 10 new tokens = 70 positions exceed the model's context of 64 positions"
                    + " (max_position_embeddings of config.json); shorten the prompt, ask for fewer new tokens, or truncate the"
                    + " prompt (its last 54 tokens would be kept)", e.getMessage());
            // exactly at the limit works, and generation stops there
            int[][] out = Generation.generate(lm.decoder(), new int[][] {prompt(54)}, cfg.withStopTokens(), null);
            assertEquals(10, out[0].length);
            // beam search and a session started directly are held to the same limit
            assertThrows(GenerationLimitException.class, () -> Generation.beamSearch(lm.decoder(), prompt(60), cfg.withBeams(2, 1)));
            assertThrows(GenerationLimitException.class, () -> lm.decoder().start(new int[][] {prompt(60)}, 10));
            // new tokens alone past the context: refused whatever the prompt
            var alone = assertThrows(GenerationLimitException.class,
                    () -> Generation.generate(lm.decoder(), new int[][] {prompt(2)}, cfg.withMaxNewTokens(64).withPromptTruncation(true), null));
            assertTrue(alone.getMessage().startsWith("64 new tokens leave no room for a prompt"), alone.getMessage());
        }
    }

    @Test
    void truncationKeepsBosAndTheLastTokens() throws Exception {
        try (LanguageModel lm = LanguageModels.load(fixture("llama/fixtures/untied-gqa")); var off = GradMode.off()) {
            int[] longPrompt = prompt(100);
            GenerationConfig cfg = lm.defaults().withMaxNewTokens(4).withStopTokens().withPromptTruncation(true);
            int[] fitted = GenerationLimits.check(lm.decoder(), new int[][] {longPrompt}, cfg)[0];
            assertEquals(60, fitted.length);
            assertEquals(1, fitted[0], "BOS kept");
            assertArrayEquals(Arrays.copyOfRange(longPrompt, 41, 100), Arrays.copyOfRange(fitted, 1, 60));
            int[][] viaTruncation = Generation.generate(lm.decoder(), new int[][] {longPrompt}, cfg, null);
            int[][] direct = Generation.generate(lm.decoder(), new int[][] {fitted}, cfg.withPromptTruncation(false), null);
            assertArrayEquals(direct[0], viaTruncation[0], "generating from the truncated prompt");
        }
    }

    @Test
    void scoringPastTheContextIsRefused() throws Exception {
        try (LanguageModel lm = LanguageModels.load(fixture("llama/fixtures/untied-gqa"))) {
            var e = assertThrows(GenerationLimitException.class, () -> lm.logProbs(new int[][] {prompt(40)}, new int[][] {prompt(30)}));
            assertTrue(e.getMessage().startsWith("pair 0: prompt of 40 tokens + target of 30 tokens = 70 positions exceeds the"
                    + " model's context of 64"), e.getMessage());
            var ids = org.crs4j.tensor.Tensor.of(new long[65], 1, 65);
            assertThrows(GenerationLimitException.class, () -> LlamaScoring.loss((org.crs4j.models.llama.LlamaModel) lm.decoder(), ids, null, ids));
            var outside = assertThrows(IllegalArgumentException.class, () -> lm.logProbs(new int[][] {{1, 500}}, new int[][] {{2}}));
            assertTrue(outside.getMessage().contains("id 500 is outside the model's vocabulary [0, 96)"), outside.getMessage());
            lm.logProbs(new int[][] {prompt(34)}, new int[][] {prompt(30)}); // 64 positions fit
        }
    }

    @Test
    void beamsPastTheVocabularyAndRequestsPastTheHeapAreRefused() throws Exception {
        try (LanguageModel lm = LanguageModels.load(fixture("t5/fixtures/v1_1")); var off = GradMode.off()) {
            assertTrue(!lm.context().limited(), "T5 has no trained position limit");
            var beams = assertThrows(GenerationLimitException.class,
                    () -> Generation.generate(lm.decoder(), new int[][] {{5, 1}}, lm.defaults().withBeams(65, 1), null));
            assertEquals(GenerationLimitException.Limit.BEAMS, beams.limit());
            assertEquals("65 beams are more than the 64 tokens of the vocabulary: beam search keeps distinct extensions, so"
                    + " at most 64 beams can differ", beams.getMessage());
            var memory = assertThrows(GenerationLimitException.class,
                    () -> Generation.generate(lm.decoder(), new int[][] {{5, 1}}, lm.defaults().withMaxNewTokens(Integer.MAX_VALUE - 1), null));
            assertEquals(GenerationLimitException.Limit.MEMORY, memory.limit());
            assertTrue(memory.getMessage().contains("more than the JVM's maximum heap"), memory.getMessage());
            var score = assertThrows(IllegalArgumentException.class,
                    () -> T5Scoring.logProbs((org.crs4j.models.t5.T5Model) lm.decoder(), java.util.List.of(new int[] {64}), java.util.List.of(new int[] {1})));
            assertTrue(score.getMessage().contains("id 64 is outside"), score.getMessage());
        }
    }

    @Test
    void contextWindowArithmetic() {
        ContextWindow w = new ContextWindow(8, false, 1, "test");
        assertArrayEquals(new int[] {1, 7, 8, 9}, w.fit(new int[][] {{1, 2, 3, 4, 5, 6, 7, 8, 9}}, 4, true)[0]);
        assertArrayEquals(new int[] {6, 7, 8, 9}, w.fit(new int[][] {{2, 3, 4, 5, 6, 7, 8, 9}}, 4, true)[0], "no BOS to keep");
        int[][] fine = {{1, 2}};
        assertTrue(w.fit(fine, 6, false) == fine, "prompts that fit are not copied");
        ContextWindow t5 = new ContextWindow(8, true, -1, "test");
        assertEquals(8, t5.fit(new int[][] {new int[8]}, 7, false)[0].length, "an encoder-decoder's prompt is apart from its output");
        assertThrows(GenerationLimitException.class, () -> t5.fit(new int[][] {new int[9]}, 1, false));
        assertThrows(GenerationLimitException.class, () -> t5.fit(new int[][] {new int[2]}, 8, false), "start token + 8 > 8");
    }
}
