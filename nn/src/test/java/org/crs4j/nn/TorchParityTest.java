package org.crs4j.nn;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.crs4j.autograd.Variable;
import org.crs4j.nn.graph.RGCN;
import org.crs4j.nn.graph.RelationalGraph;
import org.crs4j.nn.loss.Losses;
import org.crs4j.nn.loss.Reduction;
import org.crs4j.nn.optim.Adam;
import org.crs4j.nn.optim.AdamW;
import org.crs4j.nn.optim.GradClip;
import org.crs4j.nn.optim.LrSchedule;
import org.crs4j.nn.optim.LrScheduler;
import org.crs4j.nn.optim.Optimizer;
import org.crs4j.nn.optim.SGD;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.io.SafetensorsFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * crs4j against PyTorch 1.13.1 on the fixtures of {@code scripts/make-nn-fixtures.py}: inputs stored as F32, the
 * reference outputs and gradients computed by torch in float64. crs4j computes in F32 and must satisfy, for every
 * element i of every compared tensor E,
 * <pre>
 *   |actual_i - expected_i| <= 1e-5 * (|expected_i| + rms(E))
 * </pre>
 * i.e. 1e-5 relative to the element, plus 1e-5 relative to the tensor's root-mean-square so that elements that are
 * near zero by cancellation (common in gradients) are judged on the tensor's scale rather than their own.
 */
class TorchParityTest {
    private static final double TOL = 1e-5;
    private SafetensorsFile file;

    private SafetensorsFile open(String name) throws IOException, URISyntaxException {
        file = SafetensorsFile.open(Path.of(getClass().getResource("/fixtures/" + name + ".safetensors").toURI()));
        return file;
    }

    @AfterEach
    void close() {
        if (file != null) file.close();
    }

    private Tensor t(String name) {
        return file.tensor(name).copy();
    }

    private Variable param(String name) {
        return Variable.parameter(t(name));
    }

    static void assertMatches(String what, Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        double sq = 0;
        for (double v : e) sq += v * v;
        double rms = e.length == 0 ? 0 : Math.sqrt(sq / e.length);
        for (int i = 0; i < e.length; i++) {
            double bound = TOL * (Math.abs(e[i]) + rms);
            if (!(Math.abs(a[i] - e[i]) <= bound)) {
                fail(what + "[" + i + "]: torch " + e[i] + ", crs4j " + a[i] + ", |diff| " + Math.abs(a[i] - e[i])
                        + " > " + bound);
            }
        }
    }

    private void assertMatches(String name, Tensor actual) {
        assertMatches(name, t(name), actual);
    }

    @Test
    void maskedMultiHeadAttention() throws Exception {
        open("attention");
        int heads = Integer.parseInt(file.metadata().get("heads"));
        Variable x = param("x");
        Map<String, Variable> w = new LinkedHashMap<>();
        for (String n : List.of("wq", "bq", "wk", "bk", "wv", "bv", "wo", "bo")) w.put(n, param(n));
        int b = x.size(0), tl = x.size(1), d = x.size(2), hd = d / heads;
        Tensor lengths = t("lengths");
        Tensor keep = Tensor.arange(tl).unsqueeze(0).lt(lengths.unsqueeze(1));                   // [B, T]
        Tensor mask = keep.view(b, 1, 1, tl).and(Tensor.trilMask(tl, tl, 0).view(1, 1, tl, tl));  // [B, 1, T, T]
        java.util.function.BiFunction<String, String, Variable> proj = (wn, bn) ->
                x.matmul(w.get(wn).mT()).add(w.get(bn)).view(b, tl, heads, hd).transpose(1, 2);
        Variable q = proj.apply("wq", "bq"), k = proj.apply("wk", "bk"), v = proj.apply("wv", "bv");
        Variable probs = q.matmul(k.mT()).div(Math.sqrt(hd)).maskedFill(mask.not(), Double.NEGATIVE_INFINITY).softmax(-1);
        Variable y = probs.matmul(v).transpose(1, 2).reshape(b, tl, d).matmul(w.get("wo").mT()).add(w.get("bo"));
        assertMatches("y", y.data());
        y.mul(Variable.constant(t("r"))).sum().backward();
        assertMatches("grad_x", x.grad());
        for (var e : w.entrySet()) {
            if (e.getKey().equals("bk")) continue;
            assertMatches("grad_" + e.getKey(), e.getValue().grad());
        }
        // The key bias adds q.bk to every score of a row, which softmax ignores: its gradient is exactly 0 (torch:
        // ~1e-16 of float64 rounding), so it is judged on the scale of its sibling, the query bias gradient.
        double scale = TOL * t("grad_bq").abs().max().item();
        assertTrue(w.get("bk").grad().abs().max().item() <= scale, "grad_bk is not ~0: " + w.get("bk").grad());
    }

    @Test
    void layerNormAndRmsNormModules() throws Exception {
        open("layer_norm");
        LayerNorm ln = new LayerNorm(16, Double.parseDouble(file.metadata().get("eps")), true);
        ln.loadStateDict(Map.of("weight", t("weight"), "bias", t("bias")), true);
        Variable x = param("x");
        Variable y = ln.forward(x);
        assertMatches("y", y.data());
        y.mul(Variable.constant(t("r"))).sum().backward();
        assertMatches("grad_x", x.grad());
        assertMatches("grad_weight", ln.namedParameters().get("weight").grad());
        assertMatches("grad_bias", ln.namedParameters().get("bias").grad());
        file.close();

        open("rms_norm");
        RMSNorm rms = new RMSNorm(16, Double.parseDouble(file.metadata().get("eps")));
        rms.loadStateDict(Map.of("weight", t("weight")), true);
        Variable xr = param("x");
        Variable yr = rms.forward(xr);
        assertMatches("y", yr.data());
        yr.mul(Variable.constant(t("r"))).sum().backward();
        assertMatches("grad_x", xr.grad());
        assertMatches("grad_weight", rms.weight().grad());
    }

    @Test
    void crossEntropyWithIgnoreIndexAndLabelSmoothing() throws Exception {
        open("cross_entropy");
        int ignore = Integer.parseInt(file.metadata().get("ignore_index"));
        Tensor target = t("target");
        Object[][] cases = {{"mean", 0.0, Reduction.MEAN}, {"smooth", 0.1, Reduction.MEAN}, {"sum_smooth", 0.25, Reduction.SUM}};
        for (Object[] c : cases) {
            Variable logits = param("logits");
            Variable loss = Losses.crossEntropy(logits, target, ignore, (double) c[1], (Reduction) c[2]);
            assertMatches("loss_" + c[0], loss.data());
            loss.backward();
            assertMatches("grad_" + c[0], logits.grad());
        }
        Variable seq = param("seq_logits");
        Variable loss = Losses.crossEntropy(seq, t("seq_target"), ignore, 0.1, Reduction.MEAN);
        assertMatches("loss_seq", loss.data());
        loss.backward();
        assertMatches("grad_seq", seq.grad());
    }

    @Test
    void klDivergenceAndCosineSimilarity() throws Exception {
        open("kl_div");
        Variable a = param("a"), b = param("b");
        Variable loss = Losses.klDiv(a.logSoftmax(-1), b.softmax(-1), Reduction.BATCHMEAN, false);
        assertMatches("loss", loss.data());
        loss.backward();
        assertMatches("grad_a", a.grad());
        assertMatches("grad_b", b.grad());
        Variable a2 = param("a"), b2 = param("b");
        Variable lt = Losses.klDiv(a2.logSoftmax(-1), b2.logSoftmax(-1), Reduction.SUM, true);
        assertMatches("loss_log_target", lt.data());
        lt.backward();
        assertMatches("grad_a_log_target", a2.grad());
        assertMatches("grad_b_log_target", b2.grad());
        file.close();

        open("cosine_similarity");
        Variable x1 = param("x1"), x2 = param("x2");
        Variable y = Losses.cosineSimilarity(x1, x2, 1, Double.parseDouble(file.metadata().get("eps")));
        assertMatches("y", y.data());
        y.mul(Variable.constant(t("r"))).sum().backward();
        assertMatches("grad_x1", x1.grad());
        assertMatches("grad_x2", x2.grad());
    }

    @Test
    void rgcnLayer() throws Exception {
        for (String name : List.of("rgcn_bases", "rgcn_full")) {
            open(name);
            Map<String, String> meta = file.metadata();
            int nodes = Integer.parseInt(meta.get("nodes")), relations = Integer.parseInt(meta.get("relations"));
            int bases = Integer.parseInt(meta.get("bases"));
            Tensor x0 = t("x");
            RGCN layer = RGCN.builder(x0.size(1), t("root").size(1), relations).bases(bases)
                    .normalization(meta.get("normalization").equals("in_degree") ? RGCN.Normalization.IN_DEGREE : RGCN.Normalization.NONE)
                    .build(new Generator(0));
            Map<String, Tensor> state = new LinkedHashMap<>();
            for (String p : layer.namedParameters().keySet()) state.put(p, t(p));
            layer.loadStateDict(state, true);
            RelationalGraph g = RelationalGraph.fromEdges(nodes, relations, t("src"), t("dst"), t("rel"));
            Variable x = Variable.parameter(x0);
            Variable y = layer.forward(x, g);
            assertMatches(name + " y", t("y"), y.data());
            y.mul(Variable.constant(t("r"))).sum().backward();
            assertMatches(name + " grad_x", t("grad_x"), x.grad());
            for (var p : layer.namedParameters().entrySet()) {
                assertMatches(name + " grad_" + p.getKey(), t("grad_" + p.getKey()), p.getValue().grad());
            }
            file.close();
        }
    }

    @Test
    void optimizerStepsWithClippingAndSchedules() throws Exception {
        open("optimizers");
        int steps = Integer.parseInt(file.metadata().get("steps"));
        double maxNorm = Double.parseDouble(file.metadata().get("max_norm"));
        Variable x = Variable.constant(t("x")), c = Variable.constant(t("c"));
        for (String name : List.of("adamw", "adam", "sgd")) {
            Parameter w = new Parameter(t("w0"), true), b = new Parameter(t("b0"), true);
            Map<String, Parameter> params = new LinkedHashMap<>();
            params.put("w", w);
            params.put("b", b);
            Optimizer opt;
            LrSchedule schedule;
            switch (name) {
                case "adamw" -> {
                    opt = new AdamW(List.of(new Optimizer.ParamGroup(params, 0.1, 0.05)), 0.9, 0.98, 1e-6);
                    schedule = LrSchedule.linearWithWarmup(2, 8);
                }
                case "adam" -> {
                    opt = new Adam(List.of(new Optimizer.ParamGroup(params, 0.05, 0.01)), 0.9, 0.999, 1e-8);
                    schedule = LrSchedule.polynomialWithWarmup(2, 5, 0.05, 1e-4, 2.0);
                }
                default -> {
                    opt = new SGD(List.of(new Optimizer.ParamGroup(params, 0.02, 0.01)), 0.9, 0, true);
                    schedule = LrSchedule.cosineWithWarmup(1, 6);
                }
            }
            LrScheduler sched = new LrScheduler(opt, schedule);
            double[] norms = t(name + "_norms").toDoubleArray(), lrs = t(name + "_lrs").toDoubleArray();
            for (int s = 0; s < steps; s++) {
                opt.zeroGrad();
                c.mul(x.matmul(w.get()).add(b.get()).square()).sum().backward();
                double norm = GradClip.clipGradNorm(params.values(), maxNorm);
                assertEquals(norms[s], norm, TOL * norms[s], name + " norm at step " + s);
                assertEquals(lrs[s], opt.lr(), 1e-12 * Math.max(lrs[s], 1e-300), name + " lr at step " + s);
                opt.step();
                sched.step();
                assertMatches(name + "_w_" + s, w.data());
                assertMatches(name + "_b_" + s, b.data());
            }
            assertTrue(norms[0] > maxNorm, "the fixture exercises clipping");
        }
    }
}
