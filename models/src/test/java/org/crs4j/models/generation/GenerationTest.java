package org.crs4j.models.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.crs4j.models.llama.LlamaConfig;
import org.crs4j.models.llama.LlamaModel;
import org.crs4j.models.llama.LlamaScoring;
import org.crs4j.nn.transformer.RotaryEmbedding;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class GenerationTest {

    static LlamaModel tinyModel(int vocab, long seed) {
        LlamaConfig c = new LlamaConfig(vocab, 16, 24, 2, 4, 2, 4, 1e-5, 10000, null, RotaryEmbedding.Pairing.HALF, 64,
                false, 1, new int[] {2}, -1, false, false);
        LlamaModel m = new LlamaModel(c, new Generator(seed));
        // sharper distributions than the default init, so that greedy/beam differences show
        m.namedParameters().forEach((n, p) -> {
            if (n.equals("lm_head.weight")) p.set(p.data().mul(8));
        });
        return m;
    }

    /** A scripted decoder: row r's logits at step s are script[r][s] (a one-hot on that token). */
    record Scripted(int vocab, int[][] script, List<int[]> appended) implements TokenDecoder {
        @Override
        public int vocabSize() {
            return vocab;
        }

        @Override
        public DecodingSession start(int[][] prompts, int maxNewTokens) {
            return new DecodingSession() {
                int step;

                @Override
                public int batch() {
                    return prompts.length;
                }

                @Override
                public Tensor logits() {
                    float[] l = new float[prompts.length * vocab];
                    for (int r = 0; r < prompts.length; r++) l[r * vocab + script[r][step]] = 10;
                    return Tensor.of(l, prompts.length, vocab);
                }

                @Override
                public void append(int[] tokens) {
                    appended.add(tokens.clone());
                    step++;
                }

                @Override
                public void reorder(int[] rows) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public int remaining() {
                    return maxNewTokens - step;
                }
            };
        }
    }

    @Test
    void rowsStopOnTheirOwnAndTheStopTokenIsKept() {
        Scripted s = new Scripted(10, new int[][] {{4, 2, 7, 7, 7}, {5, 6, 8, 3, 9}}, new ArrayList<>());
        List<String> streamed = new ArrayList<>();
        int[][] out = Generation.generate(s, new int[][] {{1}, {1, 3}}, GenerationConfig.greedy(5, 2), (r, t) -> streamed.add(r + ":" + t));
        assertArrayEquals(new int[] {4, 2}, out[0]);
        assertArrayEquals(new int[] {5, 6, 8, 3, 9}, out[1]);
        assertEquals(List.of("0:4", "1:5", "0:2", "1:6", "1:8", "1:3", "1:9"), streamed);
        assertEquals(4, s.appended().size(), "no forward pass after the last token");
        int[][] none = Generation.generate(s, new int[][] {{1}}, GenerationConfig.greedy(0), null);
        assertEquals(0, none[0].length);
    }

    @Test
    void samplerFollowsTheDistributionAndItsFilters() {
        float[] logits = {2.0f, 1.0f, 0.5f, -1f, 0.0f};
        double[] p = new double[5];
        double z = 0;
        for (int i = 0; i < 5; i++) z += p[i] = Math.exp(logits[i] / 0.8);
        for (int i = 0; i < 5; i++) p[i] /= z;
        int n = 40000;
        int[] counts = new int[5];
        Sampler s = new Sampler(new GenerationConfig(1, 0.8, 0, 1, 11, null, 1, 1));
        for (int i = 0; i < n; i++) counts[s.next(logits, 0, 5)]++;
        for (int i = 0; i < 5; i++) assertEquals(p[i], counts[i] / (double) n, 0.01, "token " + i);
        // top-k 2: only the two best, renormalised
        int[] k2 = new int[5];
        Sampler sk = new Sampler(new GenerationConfig(1, 0.8, 2, 1, 12, null, 1, 1));
        for (int i = 0; i < n; i++) k2[sk.next(logits, 0, 5)]++;
        assertEquals(0, k2[2] + k2[3] + k2[4]);
        assertEquals(p[0] / (p[0] + p[1]), k2[0] / (double) n, 0.01);
        // top-p: the smallest prefix reaching p (here tokens 0 and 1 hold ~0.83 of the mass)
        int[] tp = new int[5];
        Sampler sp = new Sampler(new GenerationConfig(1, 0.8, 0, 0.8, 13, null, 1, 1));
        for (int i = 0; i < n; i++) tp[sp.next(logits, 0, 5)]++;
        assertTrue(p[0] < 0.8 && p[0] + p[1] >= 0.8, Arrays.toString(p));
        assertEquals(0, tp[2] + tp[3] + tp[4]);
        assertEquals(3, Sampler.argmax(new float[] {1, 2, 0, 5, 5}, 0, 5), "first of equal maxima");
    }

    @Test
    void samplingIsReproducibleBySeedAndTopKOneIsGreedy() {
        LlamaModel m = tinyModel(50, 3);
        int[][] prompts = {{1, 7, 9}, {1, 4}};
        GenerationConfig sample = new GenerationConfig(15, 1.0, 0, 1, 42, null, 1, 1);
        int[][] a = Generation.generate(m, prompts, sample, null), b = Generation.generate(m, prompts, sample, null);
        assertArrayEquals(a[0], b[0]);
        assertArrayEquals(a[1], b[1]);
        int[][] c = Generation.generate(m, prompts, sample.withSeed(43), null);
        assertNotEquals(Arrays.toString(a[0]) + Arrays.toString(a[1]), Arrays.toString(c[0]) + Arrays.toString(c[1]));
        int[][] greedy = Generation.generate(m, prompts, GenerationConfig.greedy(15), null);
        int[][] topk1 = Generation.generate(m, prompts, sample.withTopK(1), null);
        assertArrayEquals(greedy[0], topk1[0]);
        assertArrayEquals(greedy[1], topk1[1]);
    }

    private static double logProb(LlamaModel m, int[] prompt, int[] cont) {
        return LlamaScoring.logProb(m, prompt, cont).item();
    }

    @Test
    void wideBeamSearchFindsTheMostLikelySequenceByExhaustiveSearch() {
        // As many beams as tokens keep every one-token prefix, so two steps search all vocab^2 sequences. (More beams
        // than tokens are refused: the vocabulary bounds how many distinct extensions a step has.)
        int vocab = 12;
        LlamaModel m = tinyModel(vocab, 5);
        int[] prompt = {1, 3};
        double best = Double.NEGATIVE_INFINITY;
        int[] bestSeq = null;
        for (int a = 0; a < vocab; a++) for (int b = 0; b < vocab; b++) {
            int[] seq = {a, b};
            double lp = logProb(m, prompt, seq);
            if (lp > best) {
                best = lp;
                bestSeq = seq;
            }
        }
        int[] beam = Generation.beamSearch(m, prompt, new GenerationConfig(2, 0, 0, 1, 0, null, vocab, 1));
        assertArrayEquals(bestSeq, beam);
        int[] greedy = Generation.generate(m, new int[][] {prompt}, GenerationConfig.greedy(2), null)[0];
        assertTrue(logProb(m, prompt, greedy) <= best + 1e-9);
        // one beam is greedy decoding
        int[] one = Generation.beamSearch(m, prompt, new GenerationConfig(3, 0, 0, 1, 0, null, 1, 1));
        assertArrayEquals(Generation.generate(m, new int[][] {prompt}, GenerationConfig.greedy(3), null)[0], one);
        assertThrows(GenerationLimitException.class, () -> Generation.beamSearch(m, prompt, new GenerationConfig(2, 0, 0, 1, 0, null, vocab + 1, 1)));
    }

    @Test
    void beamSearchWithStopTokensEndsHypothesesAtTheStop() {
        LlamaModel m = tinyModel(8, 9);
        int[] out = Generation.beamSearch(m, new int[] {1}, new GenerationConfig(12, 0, 0, 1, 0, new int[] {2, 5}, 4, 1));
        assertTrue(out.length >= 1 && out.length <= 12);
        for (int i = 0; i < out.length - 1; i++) assertTrue(out[i] != 2 && out[i] != 5, "a stop token inside " + Arrays.toString(out));
        // it scores at least as well (length-normalised) as greedy decoding with the same stops
        int[] greedy = Generation.generate(m, new int[][] {{1}}, GenerationConfig.greedy(12, 2, 5), null)[0];
        double beamScore = logProb(m, new int[] {1}, out) / out.length, greedyScore = logProb(m, new int[] {1}, greedy) / greedy.length;
        assertTrue(beamScore >= greedyScore - 1e-6, beamScore + " < " + greedyScore);
    }

    @Test
    void invalidSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new GenerationConfig(-1, 0, 0, 1, 0, null, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new GenerationConfig(1, -0.5, 0, 1, 0, null, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new GenerationConfig(1, 0, 0, 0, 0, null, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new GenerationConfig(1, 0, 0, 1, 0, null, 0, 1));
        LlamaModel m = tinyModel(10, 1);
        assertThrows(IllegalArgumentException.class, () -> Generation.generate(m, new int[][] {{}}, GenerationConfig.greedy(3), null));
        IllegalArgumentException oov = assertThrows(IllegalArgumentException.class,
                () -> Generation.generate(m, new int[][] {{1, 10}}, GenerationConfig.greedy(3), null));
        assertTrue(oov.getMessage().contains("token 1: id 10 is outside the model's vocabulary [0, 10)"), oov.getMessage());
    }
}
