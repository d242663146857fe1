package org.crs4j.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import org.crs4j.autograd.Variable;
import org.crs4j.models.generation.DecodingSession;
import org.crs4j.models.generation.GenerationConfig;
import org.crs4j.models.generation.Sampler;
import org.crs4j.models.llama.LlamaScoring;
import org.crs4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The architecture-independent interface on both families: what generation produces, scoring scores (RLPF needs the
 * log-probability of exactly the sampled sequence), and the loss is the mean over target tokens.
 */
class LanguageModelTest {

    static Path folder(String resource) throws Exception {
        return Path.of(LanguageModelTest.class.getResource(resource + "/config.json").toURI()).getParent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/org/crs4j/models/t5/fixtures/v1_1", "/org/crs4j/models/t5/fixtures/original",
            "/org/crs4j/models/llama/fixtures/untied-gqa", "/org/crs4j/models/llama/fixtures/linear-tied"})
    void scoringAgreesWithGenerationAndTheLossIsTheTokenMean(String resource) throws Exception {
        try (LanguageModel lm = LanguageModels.load(folder(resource))) {
            int[][] prompts = {{1, 5, 9, 3, 1}, {1, 7}};
            if (lm.isEncoderDecoder()) prompts = new int[][] {{5, 9, 3, 1}, {7, 1}};
            // sample a sequence step by step, adding up the log-probabilities the session itself gave
            GenerationConfig cfg = GenerationConfig.greedy(8).withTemperature(1.0).withSeed(3);
            Sampler sampler = new Sampler(cfg);
            DecodingSession s = lm.decoder().start(prompts, cfg.maxNewTokens());
            int vocab = lm.decoder().vocabSize();
            int[][] out = new int[prompts.length][cfg.maxNewTokens()];
            double[] sum = new double[prompts.length];
            for (int step = 0; step < cfg.maxNewTokens(); step++) {
                Tensor logp = s.logits().logSoftmax(-1);
                float[] logits = s.logits().toFloatArray(), lp = logp.toFloatArray();
                int[] next = new int[prompts.length];
                for (int r = 0; r < prompts.length; r++) {
                    next[r] = sampler.next(logits, r * vocab, vocab);
                    out[r][step] = next[r];
                    sum[r] += lp[r * vocab + next[r]];
                }
                if (step < cfg.maxNewTokens() - 1) s.append(next);
            }
            Variable scored = lm.logProbs(prompts, out);
            for (int r = 0; r < prompts.length; r++) {
                assertEquals(sum[r], scored.data().get(r), 1e-3 * Math.max(1, Math.abs(sum[r])),
                        resource + ": row " + r + " scored " + scored.data().get(r) + ", sampled with " + sum[r]);
            }
            int tokens = 2 * cfg.maxNewTokens();
            assertEquals(-(sum[0] + sum[1]) / tokens, lm.loss(prompts, out).item(), 1e-3, resource + ": loss = mean over target tokens");
            if (!lm.isEncoderDecoder()) {
                // the same loss as LlamaScoring's HF-style loss with the prompt labelled -100
                int t = prompts[0].length + out[0].length, ignore = LlamaScoring.IGNORE;
                long[] ids = new long[2 * t], labels = new long[2 * t], mask = new long[2 * t];
                Arrays.fill(labels, ignore);
                for (int r = 0; r < 2; r++) {
                    int[] all = concat(prompts[r], out[r]);
                    for (int j = 0; j < all.length; j++) {
                        ids[r * t + j] = all[j];
                        mask[r * t + j] = 1;
                        if (j >= prompts[r].length) labels[r * t + j] = all[j];
                    }
                }
                double hf = LlamaScoring.loss(((org.crs4j.models.llama.Llama) lm).model(), Tensor.of(ids, 2, t),
                        Tensor.of(mask, 2, t), Tensor.of(labels, 2, t)).item();
                assertEquals(hf, lm.loss(prompts, out).item(), 1e-5);
            }
            // gradients flow from the interface into the parameters
            lm.module().zeroGrad();
            lm.logProbs(prompts, out).sum().backward();
            assertTrue(lm.module().parameters().stream().allMatch(p -> p.grad() != null), resource + ": every parameter gets a gradient");
        }
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
