package org.crs4j.models.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.crs4j.autograd.GradMode;
import org.crs4j.autograd.Variable;
import org.crs4j.nn.Parameter;
import org.crs4j.nn.transformer.RotaryEmbedding;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Sequence log-probabilities and the teacher-forced loss: values, batching, and gradients by finite differences. */
class LlamaScoringTest {

    private static LlamaModel model(long seed) {
        LlamaConfig c = new LlamaConfig(20, 8, 12, 2, 2, 1, 4, 1e-5, 10000, null, RotaryEmbedding.Pairing.HALF, 32, false,
                1, new int[] {2}, -1, false, false);
        return new LlamaModel(c, new Generator(seed));
    }

    /** log p of each continuation token from a plain forward pass and a naive log-softmax. */
    private static double naive(LlamaModel m, int[] prompt, int[] cont) {
        long[] ids = new long[prompt.length + cont.length];
        for (int i = 0; i < ids.length; i++) ids[i] = i < prompt.length ? prompt[i] : cont[i - prompt.length];
        double[] logits;
        try (var off = GradMode.off()) {
            logits = m.forward(Tensor.of(ids, 1, ids.length), null, null, null).data().toDoubleArray();
        }
        int v = m.vocabSize();
        double total = 0;
        for (int j = 0; j < cont.length; j++) {
            int row = (prompt.length - 1 + j) * v;
            double max = Double.NEGATIVE_INFINITY, z = 0;
            for (int k = 0; k < v; k++) max = Math.max(max, logits[row + k]);
            for (int k = 0; k < v; k++) z += Math.exp(logits[row + k] - max);
            total += logits[row + cont[j]] - max - Math.log(z);
        }
        return total;
    }

    @Test
    void logProbsMatchANaiveComputationAlsoWhenBatchedWithPadding() {
        LlamaModel m = model(1);
        List<int[]> prompts = List.of(new int[] {1, 5, 6}, new int[] {1}, new int[] {1, 9, 9, 9, 4});
        List<int[]> conts = List.of(new int[] {7, 3}, new int[] {12, 13, 14, 2}, new int[] {0});
        Tensor batched = LlamaScoring.logProbs(m, prompts, conts).data();
        assertEquals(3, batched.size(0));
        for (int i = 0; i < 3; i++) {
            double want = naive(m, prompts.get(i), conts.get(i));
            assertEquals(want, batched.get(i), 1e-5, "pair " + i + " batched");
            assertEquals(want, LlamaScoring.logProb(m, prompts.get(i), conts.get(i)).item(), 1e-5, "pair " + i + " alone");
        }
        assertEquals(0.0, LlamaScoring.logProb(m, new int[] {1, 4}, new int[0]).item(), 0);
        assertThrows(IllegalArgumentException.class, () -> LlamaScoring.logProb(m, new int[0], new int[] {3}));
    }

    @Test
    void teacherForcedLossIsTheMeanNegativeLogProbOfTheLabels() {
        LlamaModel m = model(2);
        int ignore = LlamaScoring.IGNORE;
        Tensor ids = Tensor.of(new long[] {1, 4, 5, 6, 7, 1, 8, 9, 0, 0}, 2, 5);
        Tensor mask = Tensor.of(new long[] {1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, 2, 5);
        // row 0: learn tokens 5, 6, 7 (prompt 1, 4 ignored); row 1: learn 8, 9 (padding ignored)
        Tensor labels = Tensor.of(new long[] {ignore, ignore, 5, 6, 7, ignore, 8, 9, ignore, ignore}, 2, 5);
        double loss = LlamaScoring.loss(m, ids, mask, labels).item();
        double want = -(naive(m, new int[] {1, 4}, new int[] {5, 6, 7}) + naive(m, new int[] {1}, new int[] {8, 9})) / 5;
        assertEquals(want, loss, 1e-5);
        Tensor allIgnored = Tensor.full(ignore, DType.I64, 2, 5);
        assertThrows(IllegalArgumentException.class, () -> LlamaScoring.loss(m, ids, mask, allIgnored));
    }

    @Test
    void logProbBackpropagatesIntoEveryTrainableParameter() {
        LlamaModel m = model(3);
        for (Parameter p : m.parameters()) p.set(p.data().to(DType.F64).copy());
        // freeze the embedding: it must get no gradient, the rest must
        m.embedTokens().setTrainable(false);
        int[] prompt = {1, 4, 5}, cont = {6, 2, 11};
        m.zeroGrad();
        Variable lp = LlamaScoring.logProb(m, prompt, cont);
        lp.backward();
        SplittableRandom rng = new SplittableRandom(4);
        double eps = 1e-6;
        int checked = 0;
        for (var e : m.namedParameters().entrySet()) {
            Parameter p = e.getValue();
            if (!p.trainable()) {
                assertEquals(null, p.grad(), e.getKey() + " is frozen");
                continue;
            }
            assertNotNull(p.grad(), e.getKey() + " got no gradient");
            Tensor original = p.data();
            double[] g = p.grad().toDoubleArray();
            for (int s = 0; s < 3; s++) {
                int i = rng.nextInt(original.numel());
                double v = original.reshape(-1).get(i);
                double plus = perturbed(m, p, original, i, v + eps, prompt, cont);
                double minus = perturbed(m, p, original, i, v - eps, prompt, cont);
                p.set(original);
                double numeric = (plus - minus) / (2 * eps);
                assertTrue(Math.abs(g[i] - numeric) <= 1e-6 + 1e-5 * Math.abs(numeric),
                        e.getKey() + "[" + i + "]: backprop " + g[i] + " vs finite difference " + numeric);
                checked++;
            }
        }
        assertTrue(checked >= 3 * 17, "checked " + checked);
    }

    private static double perturbed(LlamaModel m, Parameter p, Tensor original, int i, double value, int[] prompt, int[] cont) {
        Tensor t = original.copy();
        t.reshape(-1).narrow(0, i, 1).fill(value);
        p.set(t);
        try (var off = GradMode.off()) {
            return LlamaScoring.logProb(m, prompt, cont).item();
        }
    }
}
