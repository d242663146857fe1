package org.crs4j.models.t5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.crs4j.autograd.GradMode;
import org.crs4j.autograd.Variable;
import org.crs4j.models.generation.DecodingSession;
import org.crs4j.models.generation.Generation;
import org.crs4j.models.generation.GenerationConfig;
import org.crs4j.models.generation.TokenDecoder;
import org.crs4j.nn.Parameter;
import org.crs4j.nn.transformer.FeedForward;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * T5's cached, batched decoding against full recomputation (greedy, sampling, beam search, reordering), and the
 * scores' gradients against finite differences, on small random models.
 */
class T5ModelTest {

    static T5Config config(FeedForward.Kind ff, boolean tied) {
        return new T5Config(24, 8, 3, 12, 2, 3, 2, 8, 16, ff, tied, 1e-6, 0, new int[] {1}, 0, 0.0);
    }

    static T5Model model(FeedForward.Kind ff, boolean tied, long seed) {
        T5Model m = new T5Model(config(ff, tied), new Generator(seed));
        // sharper distributions than the default initialisation, so that decoding choices differ between rows
        Parameter head = m.namedParameters().get(tied ? "shared.weight" : "lm_head.weight");
        head.set(head.data().mul(6));
        return m;
    }

    /** The same model driven without any cache: every step re-encodes the prompt and re-runs the whole decoder. */
    record Recomputing(T5Model m) implements TokenDecoder {
        @Override
        public int vocabSize() {
            return m.vocabSize();
        }

        @Override
        public DecodingSession start(int[][] prompts, int maxNewTokens) {
            List<int[]> rows = new ArrayList<>(List.of(prompts));
            List<List<Integer>> out = new ArrayList<>();
            for (int i = 0; i < prompts.length; i++) out.add(new ArrayList<>(List.of(m.config().decoderStartTokenId())));
            return new DecodingSession() {
                @Override
                public int batch() {
                    return rows.size();
                }

                @Override
                public Tensor logits() {
                    List<Tensor> l = new ArrayList<>();
                    for (int r = 0; r < rows.size(); r++) l.add(lastLogits(m, rows.get(r), out.get(r).stream().mapToInt(i -> i).toArray()));
                    return Tensor.stack(l, 0);
                }

                @Override
                public void append(int[] tokens) {
                    for (int r = 0; r < tokens.length; r++) out.get(r).add(tokens[r]);
                }

                @Override
                public void reorder(int[] order) {
                    List<int[]> p = new ArrayList<>();
                    List<List<Integer>> o = new ArrayList<>();
                    for (int r : order) {
                        p.add(rows.get(r));
                        o.add(new ArrayList<>(out.get(r)));
                    }
                    rows.clear();
                    rows.addAll(p);
                    out.clear();
                    out.addAll(o);
                }

                @Override
                public int remaining() {
                    return maxNewTokens - (out.get(0).size() - 1);
                }
            };
        }
    }

    static Tensor ids(int... ids) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) l[i] = ids[i];
        return Tensor.of(l, 1, ids.length);
    }

    /** Logits [vocab] after decoder inputs {@code dec} (start token first), computed from scratch. */
    static Tensor lastLogits(T5Model m, int[] prompt, int[] dec) {
        try (var off = GradMode.off()) {
            Tensor all = m.forward(ids(prompt), null, ids(dec)).data();
            return all.select(0, 0).select(0, dec.length - 1).contiguous();
        }
    }

    static final int[][] PROMPTS = {{5, 9, 3, 1}, {7, 1}, {5, 9, 3, 1}, {11, 12, 13, 14, 15, 16, 17, 1}};

    @Test
    void greedySamplingAndBeamSearchEqualFullRecomputation() {
        for (FeedForward.Kind ff : List.of(FeedForward.Kind.GATED_GELU, FeedForward.Kind.RELU)) {
            T5Model m = model(ff, ff == FeedForward.Kind.RELU, 3);
            Recomputing slow = new Recomputing(m);
            GenerationConfig greedy = GenerationConfig.greedy(7);
            int[][] fast = Generation.generate(m, PROMPTS, greedy, null);
            assertArrayEquals(Generation.generate(slow, PROMPTS, greedy, null), fast, ff + " greedy, batched with padding");
            assertArrayEquals(fast[0], fast[2], "identical prompts, identical outputs");
            assertNotEquals(List.of(fast[0]), List.of(fast[1]), "different prompts should lead elsewhere in this model");
            for (int i = 0; i < PROMPTS.length; i++) {
                assertArrayEquals(fast[i], Generation.generate(m, new int[][] {PROMPTS[i]}, greedy, null)[0], "row " + i + " alone");
            }
            GenerationConfig sample = GenerationConfig.greedy(7).withTemperature(1.0).withTopP(0.95).withSeed(11);
            assertArrayEquals(Generation.generate(slow, PROMPTS, sample, null), Generation.generate(m, PROMPTS, sample, null), ff + " sampling");
            GenerationConfig beams = GenerationConfig.greedy(6, 1).withBeams(3, 1.0);
            for (int[] p : PROMPTS) {
                assertArrayEquals(Generation.beamSearch(slow, p, beams), Generation.beamSearch(m, p, beams), ff + " beam search");
            }
            assertArrayEquals(fast[1], Generation.beamSearch(m, PROMPTS[1], GenerationConfig.greedy(7).withBeams(1, 1.0)),
                    "one beam is greedy");
        }
    }

    @Test
    void reorderingMovesBothCachesWithTheirRows() {
        T5Model m = model(FeedForward.Kind.GATED_GELU, false, 5);
        DecodingSession s = m.start(new int[][] {PROMPTS[0], PROMPTS[3]}, 4);
        assertEquals(4, s.remaining());
        s.append(new int[] {6, 8});
        s.reorder(new int[] {1, 1}); // row 0 now continues prompt 3's sequence: cross-attention must follow
        s.append(new int[] {9, 10});
        float[] got = s.logits().toFloatArray();
        for (int r = 0; r < 2; r++) {
            float[] want = lastLogits(m, PROMPTS[3], new int[] {0, 8, r == 0 ? 9 : 10}).toFloatArray();
            for (int v = 0; v < want.length; v++) assertEquals(want[v], got[r * want.length + v], 1e-5, "row " + r + " token " + v);
        }
        assertEquals(2, s.remaining());
        s.append(new int[] {2, 2});
        s.append(new int[] {3, 3});
        assertEquals(0, s.remaining());
        assertThrows(IllegalStateException.class, () -> s.append(new int[] {4, 4}));
        assertThrows(IllegalArgumentException.class, () -> m.start(new int[][] {{}}, 3));
        assertThrows(IllegalArgumentException.class, () -> m.start(new int[][] {{99}}, 3), "id outside the vocabulary");
    }

    @Test
    void paddedBatchesScoreAsEachPairAlone() {
        T5Model m = model(FeedForward.Kind.RELU, true, 7);
        List<int[]> inputs = List.of(PROMPTS[0], PROMPTS[1], PROMPTS[3]);
        List<int[]> targets = List.of(new int[] {4, 5, 1}, new int[] {6, 1}, new int[] {7, 8, 9, 10, 1});
        Tensor batched = T5Scoring.logProbs(m, inputs, targets).data();
        for (int i = 0; i < 3; i++) {
            int[] t = targets.get(i);
            double naive = 0;
            for (int j = 0; j < t.length; j++) {
                int[] dec = new int[j + 1];
                for (int k = 1; k <= j; k++) dec[k] = t[k - 1];
                Tensor logits = lastLogits(m, inputs.get(i), dec).to(DType.F64);
                naive += logits.get(t[j]) - logits.logsumexp(0, false).item();
            }
            assertEquals(naive, batched.get(i), 1e-4, "pair " + i);
            assertEquals(naive, T5Scoring.logProb(m, inputs.get(i), t).item(), 1e-4, "pair " + i + " alone");
        }
        Tensor labels = Tensor.full(T5Scoring.IGNORE, DType.I64, 1, 3);
        assertThrows(IllegalArgumentException.class, () -> T5Scoring.loss(m, ids(PROMPTS[0]), null, labels));
        assertThrows(IllegalArgumentException.class, () -> T5Scoring.logProb(m, PROMPTS[0], new int[0]));
        assertThrows(IllegalArgumentException.class, () -> T5Scoring.loss(m, ids(PROMPTS[0]), null, ids(3, 30)), "label outside vocab");
        assertArrayEquals(new long[] {0, 4, 0, 0, 6, 7}, T5Scoring.shiftRight(Tensor.of(new long[] {4, -100, -100, 6, 7, -100}, 2, 3), 0, 0).toLongArray());
    }

    @Test
    void logProbBackpropagatesIntoEveryTrainableParameter() {
        for (boolean tied : new boolean[] {false, true}) {
            T5Model m = model(tied ? FeedForward.Kind.RELU : FeedForward.Kind.GATED_GELU, tied, 9);
            for (Parameter p : m.parameters()) p.set(p.data().to(DType.F64).copy());
            m.decoderBlocks().get(1).feedForward().setTrainable(false); // frozen: must get no gradient
            int[] input = {5, 9, 3, 14, 1}, target = {6, 2, 11, 1};
            m.zeroGrad();
            T5Scoring.logProb(m, input, target).backward();
            SplittableRandom rng = new SplittableRandom(4);
            double eps = 1e-6;
            int checked = 0;
            for (var e : m.namedParameters().entrySet()) {
                Parameter p = e.getValue();
                if (!p.trainable()) {
                    assertNull(p.grad(), e.getKey() + " is frozen");
                    continue;
                }
                assertNotNull(p.grad(), e.getKey() + " got no gradient");
                Tensor original = p.data();
                double[] g = p.grad().toDoubleArray();
                for (int s = 0; s < 2; s++) {
                    int i = rng.nextInt(original.numel());
                    double v = original.reshape(-1).get(i);
                    double plus = perturbed(m, p, original, i, v + eps, input, target);
                    double minus = perturbed(m, p, original, i, v - eps, input, target);
                    p.set(original);
                    double numeric = (plus - minus) / (2 * eps);
                    assertTrue(Math.abs(g[i] - numeric) <= 1e-6 + 1e-5 * Math.abs(numeric),
                            e.getKey() + "[" + i + "]: backprop " + g[i] + " vs finite difference " + numeric);
                    checked++;
                }
            }
            assertTrue(checked >= 2 * 40, "checked " + checked);
        }
    }

    private static double perturbed(T5Model m, Parameter p, Tensor original, int i, double value, int[] input, int[] target) {
        Tensor t = original.copy();
        t.reshape(-1).narrow(0, i, 1).fill(value);
        p.set(t);
        try (var off = GradMode.off()) {
            return T5Scoring.logProb(m, input, target).item();
        }
    }

    @Test
    void dropoutActsOnlyInTrainingModeOfRandomlyInitialisedModels() {
        T5Config c = new T5Config(24, 8, 3, 12, 1, 1, 2, 8, 16, FeedForward.Kind.GATED_GELU, false, 1e-6, 0, new int[] {1}, 0, 0.5);
        T5Model m = new T5Model(c, new Generator(1));
        Variable a = T5Scoring.logProb(m, PROMPTS[0], new int[] {4, 1}), b = T5Scoring.logProb(m, PROMPTS[0], new int[] {4, 1});
        assertNotEquals(a.item(), b.item(), "training mode: dropout draws differ");
        m.eval();
        assertEquals(T5Scoring.logProb(m, PROMPTS[0], new int[] {4, 1}).item(), T5Scoring.logProb(m, PROMPTS[0], new int[] {4, 1}).item());
    }
}
