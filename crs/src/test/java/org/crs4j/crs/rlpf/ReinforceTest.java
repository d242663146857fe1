package org.crs4j.crs.rlpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.crs4j.autograd.GradMode;
import org.crs4j.crs.controller.TinyT5;
import org.crs4j.crs.llm.LlmRequest;
import org.crs4j.crs.llm.Sampling;
import org.crs4j.models.t5.T5;
import org.crs4j.nn.Parameter;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The REINFORCE estimator of seed 000, Eq. 5, on a tiny T5 in F64: the surrogate's gradient is −(1/B) Σ (R − b) ∇log P(S),
 * log P(S) summed over every sample of an episode, and that gradient is what finite differences of the surrogate give.
 */
class ReinforceTest {

    /** Two episodes of two sampled texts each, from the policy itself. */
    private static List<List<Sample>> play(T5 lm) {
        Policy policy = new Policy(lm, 1.0, 1.0, 5);
        policy.begin(99, 2);
        List<LlmRequest> requests = new ArrayList<>();
        for (String p : new String[] {"abc", "hello", "zz9", "q"}) requests.add(new LlmRequest("s", p, new Sampling(5, 1, 1, 0)));
        policy.completeAll(new int[] {0, 0, 1, 1}, requests);
        List<List<Sample>> out = List.of(policy.samples(0), policy.samples(1));
        assertEquals(2, out.get(0).size());
        assertEquals(2, out.get(1).size());
        return out;
    }

    private static T5 f64Model(long seed) throws Exception {
        T5 lm = TinyT5.inMemory(8, 16, 1, seed);
        for (Parameter p : lm.module().parameters()) p.set(p.data().to(DType.F64).copy());
        lm.module().eval();
        return lm;
    }

    private static Map<String, double[]> grads(T5 lm) {
        Map<String, double[]> g = new LinkedHashMap<>();
        lm.module().namedParameters().forEach((n, p) -> {
            assertNotNull(p.grad(), n + " got no gradient");
            g.put(n, p.grad().toDoubleArray());
        });
        return g;
    }

    @Test
    void gradientIsAdvantageTimesGradientOfEpisodeLogProbability() throws Exception {
        T5 lm = f64Model(3);
        List<List<Sample>> samples = play(lm);
        double[] rewards = {0.9, 0.2};
        double b = 0.35;
        // reference: ∇ log P(S_i) of each episode on its own, each sample scored alone
        List<Map<String, double[]>> perEpisode = new ArrayList<>();
        for (List<Sample> ep : samples) {
            lm.module().zeroGrad();
            for (Sample s : ep) lm.logProbs(new int[][] {s.promptIds()}, new int[][] {s.outputIds()}).sum().backward();
            perEpisode.add(grads(lm));
        }
        List<Reinforce.Episode> episodes = List.of(new Reinforce.Episode(samples.get(0), rewards[0]), new Reinforce.Episode(samples.get(1), rewards[1]));
        for (int micro : new int[] {1, 3, 8}) {
            lm.module().zeroGrad();
            Reinforce.backward(lm, episodes, b, micro);
            Map<String, double[]> g = grads(lm);
            int compared = 0;
            for (String name : g.keySet()) {
                double[] got = g.get(name), g0 = perEpisode.get(0).get(name), g1 = perEpisode.get(1).get(name);
                for (int i = 0; i < got.length; i++) {
                    double want = -((rewards[0] - b) * g0[i] + (rewards[1] - b) * g1[i]) / 2;
                    assertEquals(want, got[i], 1e-12 + 1e-9 * Math.abs(want), name + "[" + i + "], micro-batch " + micro);
                    compared++;
                }
            }
            assertTrue(compared > 1000, "compared " + compared);
        }
    }

    @Test
    void gradientMatchesFiniteDifferencesOfTheSurrogate() throws Exception {
        T5 lm = f64Model(5);
        List<List<Sample>> samples = play(lm);
        List<Reinforce.Episode> episodes = List.of(new Reinforce.Episode(samples.get(0), 1.0), new Reinforce.Episode(samples.get(1), 0.0));
        double b = 0.4;
        lm.module().zeroGrad();
        double value = Reinforce.backward(lm, episodes, b, 8);
        try (var off = GradMode.off()) {
            assertEquals(Reinforce.loss(lm, episodes, b).item(), value, 1e-12, "backward's value is the surrogate's");
        }
        SplittableRandom rng = new SplittableRandom(11);
        double eps = 1e-6;
        int checked = 0;
        for (var e : lm.module().namedParameters().entrySet()) {
            Parameter p = e.getValue();
            Tensor original = p.data();
            double[] g = p.grad().toDoubleArray();
            for (int k = 0; k < 3; k++) {
                int i = rng.nextInt(original.numel());
                double v = original.reshape(-1).get(i);
                double plus = surrogateAt(lm, p, original, i, v + eps, episodes, b);
                double minus = surrogateAt(lm, p, original, i, v - eps, episodes, b);
                p.set(original);
                double numeric = (plus - minus) / (2 * eps);
                assertTrue(Math.abs(g[i] - numeric) <= 1e-7 + 1e-5 * Math.abs(numeric),
                        e.getKey() + "[" + i + "]: backprop " + g[i] + " vs finite difference " + numeric);
                checked++;
            }
        }
        assertTrue(checked >= 3 * 20, "checked " + checked);
    }

    private static double surrogateAt(T5 lm, Parameter p, Tensor original, int i, double value, List<Reinforce.Episode> episodes, double b) {
        Tensor t = original.copy();
        t.reshape(-1).narrow(0, i, 1).fill(value);
        p.set(t);
        try (var off = GradMode.off()) {
            return Reinforce.loss(lm, episodes, b).item();
        }
    }

    @Test
    void rewardsEqualToTheBaselineGiveAZeroGradient() throws Exception {
        T5 lm = f64Model(7);
        List<List<Sample>> samples = play(lm);
        lm.module().zeroGrad();
        double value = Reinforce.backward(lm, List.of(new Reinforce.Episode(samples.get(0), 0.3), new Reinforce.Episode(samples.get(1), 0.3)), 0.3, 8);
        assertEquals(0.0, value);
        lm.module().namedParameters().forEach((n, p) -> {
            for (double x : p.grad().toDoubleArray()) assertEquals(0.0, Math.abs(x), n);
        });
    }
}
