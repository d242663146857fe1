package org.crs4j.crs.rec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.crs4j.autograd.GradCheck;
import org.crs4j.autograd.Variable;
import org.crs4j.nn.Parameter;
import org.crs4j.nn.graph.RelationalGraph;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.io.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seed 003's loss (Eq. 2-8) against PyTorch (the whole model: RGCN, pooling, intervention, the three terms, and the
 * gradient of every parameter; {@code scripts/make-rec-fixtures.py}), and each term and each pooling against
 * finite differences on random inputs.
 */
class RecLossTest {
    private static final double TOL = 1e-5;

    static void assertMatches(String what, Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        double sq = 0;
        for (double v : e) sq += v * v;
        double rms = Math.sqrt(sq / Math.max(1, e.length));
        for (int i = 0; i < e.length; i++) {
            double bound = TOL * (Math.abs(e[i]) + rms);
            if (!(Math.abs(a[i] - e[i]) <= bound)) fail(what + "[" + i + "]: torch " + e[i] + ", crs4j " + a[i] + " (bound " + bound + ")");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"full", "learned", "kbrd"})
    void wholeLossAndEveryGradientMatchPyTorch(String name) throws Exception {
        Path path = Path.of(getClass().getResource("/fixtures/rec_loss_" + name + ".safetensors").toURI());
        try (SafetensorsFile f = SafetensorsFile.open(path)) {
            Map<String, String> m = f.metadata();
            int n = Integer.parseInt(m.get("nodes")), r = Integer.parseInt(m.get("relations")), dim = Integer.parseInt(m.get("dim"));
            boolean causal = Boolean.parseBoolean(m.get("causal").toLowerCase());
            RecSettings s = new RecSettings(name, dim, Integer.parseInt(m.get("bases")), Boolean.parseBoolean(m.get("relu").toLowerCase()),
                    m.get("pooling"), Boolean.parseBoolean(m.get("outputBias").toLowerCase()), Double.parseDouble(m.get("lambda")), Integer.parseInt(m.get("maxContext")), causal,
                    m.get("intervention"), Double.parseDouble(m.get("alpha")), Double.parseDouble(m.get("beta")), 5e-3, 32, 4, 0, 1, 1, 1);
            CausalRecModel model = new CausalRecModel(s, n, r, new Generator(0));
            Map<String, Tensor> state = new LinkedHashMap<>();
            for (var t : f.tensors()) if (t.name().startsWith("param.")) state.put(t.name().substring(6), f.tensor(t.name()).copy());
            model.loadStateDict(state, true);

            RelationalGraph g = RelationalGraph.fromEdges(n, r, f.tensor("src").toIntArray(), f.tensor("dst").toIntArray(), f.tensor("rel").toIntArray());
            int[] items = f.tensor("items").toIntArray();
            Int2IntOpenHashMap pos = new Int2IntOpenHashMap();
            for (int i = 0; i < items.length; i++) pos.put(items[i], i);
            RecGraph rg = new RecGraph(g, n, r, items, f.tensor("items").copy(), pos, "fixture");
            Tensor ctx = f.tensor("contexts");
            List<int[]> contexts = new ArrayList<>();
            for (int i = 0; i < ctx.size(0); i++) {
                contexts.add(java.util.Arrays.stream(ctx.select(0, i).toIntArray()).filter(x -> x >= 0).toArray());
            }
            RecLoss loss = RecTrainer.lossOf(model, rg, Contexts.of(contexts, s.maxContext(), s.lambda()), f.tensor("targets").copy());
            assertMatches(name + " ce", f.tensor("loss.ce"), loss.ce().data().reshape(1));
            assertMatches(name + " total", f.tensor("loss.total"), loss.total().data().reshape(1));
            if (causal) {
                assertMatches(name + " causal", f.tensor("loss.causal"), loss.causal().data().reshape(1));
                assertMatches(name + " kl", f.tensor("loss.kl"), loss.kl().data().reshape(1));
            } else {
                assertNull(loss.causal());
            }
            loss.total().backward();
            for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
                assertMatches(name + " grad " + e.getKey(), f.tensor("grad." + e.getKey()), e.getValue().grad());
            }
            assertEquals(state.keySet(), model.namedParameters().keySet());
        }
    }

    private static Tensor randn(long seed, double scale, int... shape) {
        return Tensor.randn(new Generator(seed), 0, scale, DType.F64, shape);
    }

    /** Each term of Eq. 8 on its own, and the sum, against central differences (F64, random logits). */
    @Test
    void everyLossTermPassesFiniteDifferences() {
        Tensor logits = randn(1, 2.0, 5, 7), bar = randn(2, 2.0, 5, 7);
        Tensor targets = Tensor.of(new long[] {0, 3, 6, 2, 3}, 5);
        GradCheck.check("cross-entropy", v -> RecLoss.of(v.get(0), null, targets, 2, 0.5).ce(), logits);
        GradCheck.check("causal term", v -> RecLoss.of(v.get(0), v.get(1), targets, 2, 0.5).causal(), logits, bar);
        GradCheck.check("KL(p-bar || p)", v -> RecLoss.of(v.get(0), v.get(1), targets, 2, 0.5).kl(), logits, bar);
        GradCheck.check("total", v -> RecLoss.of(v.get(0), v.get(1), targets, 2, 0.5).total(), logits, bar);
    }

    /**
     * The whole model and loss (RGCN, pooling, intervention with both masks, KBRD's attention) in F64 against central
     * differences of every parameter element, on a small random graph.
     */
    @ParameterizedTest
    @ValueSource(strings = {"full", "learned", "no-causal", "kbrd"})
    void everyParameterGradientPassesFiniteDifferences(String variant) {
        RecSettings d = RecSettings.forVariant(variant.equals("learned") ? "full" : variant);
        RecSettings s = new RecSettings(variant, 3, d.bases() > 0 ? 2 : 0, d.relu(), d.pooling(), d.outputBias(), 1.5, 3, d.causal(),
                variant.equals("learned") ? "learned" : "zero", 2.0, 0.5, 1e-3, 4, 1, 0, 1, 1, 1);
        int n = 7, r = 2;
        RelationalGraph g = RelationalGraph.fromEdges(n, r, new int[] {0, 1, 2, 3, 4, 5, 6, 2, 5}, new int[] {1, 2, 3, 4, 5, 6, 0, 6, 1},
                new int[] {0, 1, 0, 1, 0, 1, 0, 1, 1});
        int[] items = {1, 3, 4, 6};
        Int2IntOpenHashMap pos = new Int2IntOpenHashMap();
        for (int i = 0; i < items.length; i++) pos.put(items[i], i);
        RecGraph rg = new RecGraph(g, n, r, items, Tensor.of(new long[] {1, 3, 4, 6}, 4), pos, "test");
        CausalRecModel model = new CausalRecModel(s, n, r, new Generator(11));
        long seed = 100;
        for (Parameter p : model.parameters()) p.set(randn(seed++, 0.8, p.shape()));   // F64, and away from ReLU's kink
        Contexts c = Contexts.of(List.of(new int[] {2, 5}, new int[] {0}, new int[] {6, 1, 4, 3}, new int[] {5, 2, 0}), 3, 1.5);
        Tensor targets = Tensor.of(new long[] {0, 2, 3, 1}, 4);

        RecLoss loss = RecTrainer.lossOf(model, rg, c, targets);
        loss.total().backward();
        Map<String, double[]> analytic = new LinkedHashMap<>();
        model.namedParameters().forEach((k, p) -> analytic.put(k, p.grad().toDoubleArray()));
        double eps = 1e-6;
        for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
            Parameter p = e.getValue();
            double[] values = p.data().toDoubleArray();
            for (int j = 0; j < values.length; j++) {
                double saved = values[j];
                values[j] = saved + eps;
                p.set(Tensor.of(values.clone(), p.shape()));
                double plus = RecTrainer.lossOf(model, rg, c, targets).total().item();
                values[j] = saved - eps;
                p.set(Tensor.of(values.clone(), p.shape()));
                double minus = RecTrainer.lossOf(model, rg, c, targets).total().item();
                values[j] = saved;
                p.set(Tensor.of(values.clone(), p.shape()));
                double numeric = (plus - minus) / (2 * eps), a = analytic.get(e.getKey())[j];
                if (!(Math.abs(a - numeric) <= 1e-6 + 1e-5 * Math.abs(numeric))) {
                    fail(variant + ": d loss / d " + e.getKey() + "[" + j + "]: backprop " + a + ", finite difference " + numeric);
                }
            }
        }
    }
}
