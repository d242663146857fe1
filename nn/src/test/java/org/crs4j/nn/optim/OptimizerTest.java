package org.crs4j.nn.optim;

import static org.junit.jupiter.api.Assertions.*;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.crs4j.autograd.Variable;
import org.crs4j.nn.Linear;
import org.crs4j.nn.Parameter;
import org.crs4j.nn.loss.Losses;
import org.crs4j.nn.loss.Reduction;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The update rules against naive double-precision implementations written from torch's source (SGD, Adam, AdamW
 * single-tensor paths), over several steps with random gradients; clipping, accumulation and schedules.
 */
class OptimizerTest {
    private final SplittableRandom rng = new SplittableRandom(11);

    private double[] randomArray(int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = rng.nextDouble(-1, 1);
        return a;
    }

    private static Parameter param(double[] v) {
        return new Parameter(Tensor.of(v.clone(), v.length), true);
    }

    private static void setGrad(Parameter p, double[] g) {
        p.get().setGrad(Tensor.of(g.clone(), g.length));
    }

    private static void assertClose(double[] expected, Tensor actual, double tol) {
        double[] a = actual.toDoubleArray();
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], a[i], tol * Math.max(1, Math.abs(expected[i])), "element " + i);
        }
    }

    @Test
    void sgdWithMomentumDampeningNesterovAndWeightDecay() {
        for (boolean nesterov : new boolean[] {false, true}) {
            double lr = 0.1, mu = 0.9, tau = nesterov ? 0 : 0.3, wd = 0.01;
            double[] p = randomArray(6);
            Parameter par = param(p);
            SGD opt = new SGD(List.of(new Optimizer.ParamGroup(Map.of("w", par), lr, wd)), mu, tau, nesterov);
            double[] buf = null;
            for (int step = 0; step < 5; step++) {
                double[] g = randomArray(6);
                setGrad(par, g);
                opt.step();
                double[] d = new double[6];
                for (int i = 0; i < 6; i++) d[i] = g[i] + wd * p[i];
                if (buf == null) buf = d.clone();
                else for (int i = 0; i < 6; i++) buf[i] = mu * buf[i] + (1 - tau) * d[i];
                for (int i = 0; i < 6; i++) p[i] -= lr * (nesterov ? d[i] + mu * buf[i] : buf[i]);
                assertClose(p, par.data(), 1e-12);
            }
            assertNotNull(par.grad(), "step keeps the gradient, as torch");
        }
    }

    @Test
    void adamAndAdamWFollowTorchsRule() {
        for (boolean decoupled : new boolean[] {false, true}) {
            double lr = 0.01, b1 = 0.8, b2 = 0.95, eps = 1e-6, wd = 0.1;
            double[] p = randomArray(5);
            Parameter par = param(p);
            List<Optimizer.ParamGroup> groups = List.of(new Optimizer.ParamGroup(Map.of("w", par), lr, wd));
            Optimizer opt = decoupled ? new AdamW(groups, b1, b2, eps) : new Adam(groups, b1, b2, eps);
            double[] m = new double[5], v = new double[5];
            for (int t = 1; t <= 6; t++) {
                double[] g = randomArray(5);
                setGrad(par, g);
                opt.step();
                for (int i = 0; i < 5; i++) {
                    double gi = g[i];
                    if (decoupled) p[i] *= 1 - lr * wd;
                    else gi += wd * p[i];
                    m[i] = b1 * m[i] + (1 - b1) * gi;
                    v[i] = b2 * v[i] + (1 - b2) * gi * gi;
                    double denom = Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(b2, t)) + eps;
                    p[i] -= lr / (1 - Math.pow(b1, t)) * m[i] / denom;
                }
                assertClose(p, par.data(), 1e-12);
                assertEquals(t, opt.stepCounts().get("w"));
            }
        }
    }

    @Test
    void f32ParametersAreUpdatedInF32AndFrozenOrGradlessOnesAreSkipped() {
        Parameter a = new Parameter(Tensor.ones(3), true), frozen = new Parameter(Tensor.ones(3), false),
                noGrad = new Parameter(Tensor.ones(3), true);
        Map<String, Parameter> ps = new LinkedHashMap<>();
        ps.put("a", a);
        ps.put("frozen", frozen);
        ps.put("noGrad", noGrad);
        AdamW opt = new AdamW(ps, 0.1);
        a.get().setGrad(Tensor.of(new float[] {1, -1, 0}, 3));
        opt.step();
        assertEquals(DType.F32, a.data().dtype());
        assertEquals(1 - 0.1 * 0.01 - 0.1, a.data().get(0), 1e-6);   // first Adam step moves by lr * sign(g)
        assertEquals(1 - 0.1 * 0.01 + 0.1, a.data().get(1), 1e-6);
        assertArrayEquals(new float[] {1, 1, 1}, frozen.data().toFloatArray());
        assertArrayEquals(new float[] {1, 1, 1}, noGrad.data().toFloatArray());
        assertEquals(Map.of("a", 1L), opt.stepCounts());
        opt.zeroGrad();
        assertNull(a.grad());
        assertThrows(IllegalArgumentException.class, () -> new AdamW(Map.of("x", a, "y", a), 0.1));
        Parameter bf16 = new Parameter(Tensor.ones(2).to(DType.BF16), true);
        var e = assertThrows(IllegalArgumentException.class, () -> new Adam(Map.of("emb", bf16), 0.1));
        assertTrue(e.getMessage().contains("emb") && e.getMessage().contains("BF16"), e.getMessage());
    }

    @Test
    void parameterGroupsHaveTheirOwnLearningRateAndDecay() {
        Parameter w = param(new double[] {1, 1}), b = param(new double[] {1, 1});
        SGD opt = new SGD(List.of(new Optimizer.ParamGroup(Map.of("w", w), 0.1, 0.5),
                new Optimizer.ParamGroup(Map.of("b", b), 0.2, 0)), 0, 0, false);
        setGrad(w, new double[] {1, 2});
        setGrad(b, new double[] {1, 2});
        opt.step();
        assertClose(new double[] {1 - 0.1 * 1.5, 1 - 0.1 * 2.5}, w.data(), 1e-12);
        assertClose(new double[] {1 - 0.2, 1 - 0.4}, b.data(), 1e-12);
        var e = assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(new Optimizer.ParamGroup(Map.of("w", w), 0.1, 0),
                new Optimizer.ParamGroup(Map.of("w", w), 0.1, 0)), 0, 0, false));
        assertTrue(e.getMessage().contains("'w'"));
    }

    @Test
    void clipGradNormScalesByTheGlobalNormAndReturnsIt() {
        double[] g1 = randomArray(4), g2 = randomArray(3);
        Parameter a = param(new double[4]), b = param(new double[3]), none = param(new double[2]);
        setGrad(a, g1);
        setGrad(b, g2);
        double sq = 0;
        for (double g : g1) sq += g * g;
        for (double g : g2) sq += g * g;
        double norm = Math.sqrt(sq);
        double returned = GradClip.clipGradNorm(List.of(a, b, none), 0.5);
        assertEquals(norm, returned, 1e-12);
        double coef = Math.min(1, 0.5 / (norm + 1e-6));
        for (int i = 0; i < 4; i++) assertEquals(g1[i] * coef, a.grad().get(i), 1e-12);
        assertNull(none.grad());
        // below the threshold: unchanged (coefficient 1)
        setGrad(a, g1);
        GradClip.clipGradNorm(List.of(a), 100);
        assertClose(g1, a.grad(), 0);
        // infinity norm
        setGrad(a, new double[] {0.5, -3, 1, 2});
        assertEquals(3, GradClip.clipGradNorm(List.of(a), 1.5, Double.POSITIVE_INFINITY), 0);
        assertEquals(-1.5 * 3 / (3 + 1e-6), a.grad().get(1), 1e-12);
        assertEquals(0, GradClip.clipGradNorm(List.of(none), 1));
    }

    @Test
    void accumulatingKMicroBatchesEqualsOneBatchKTimesLarger() {
        Generator g = new Generator(3);
        Tensor x = Tensor.randn(g, 8, 5), y = Tensor.randn(g, 8, 2);
        Linear one = new Linear(5, 2, true, new Generator(1)), acc = new Linear(5, 2, true, new Generator(1));
        AdamW optOne = new AdamW(one.namedParameters(), 0.05), optAcc = new AdamW(acc.namedParameters(), 0.05);
        GradientAccumulation accumulation = new GradientAccumulation(4);
        for (int step = 0; step < 3; step++) {
            Losses.mse(one.forward(Variable.constant(x)), Variable.constant(y), Reduction.MEAN).backward();
            optOne.step();
            optOne.zeroGrad();
            for (int micro = 0; micro < 4; micro++) {
                Variable xb = Variable.constant(x.narrow(0, 2 * micro, 2)), yb = Variable.constant(y.narrow(0, 2 * micro, 2));
                accumulation.scale(Losses.mse(acc.forward(xb), yb, Reduction.MEAN)).backward();
                boolean done = accumulation.microStepDone();
                assertEquals(micro == 3, done);
                if (done) {
                    optAcc.step();
                    optAcc.zeroGrad();
                }
            }
        }
        float[] a = one.weight().data().toFloatArray(), b = acc.weight().data().toFloatArray();
        for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-5);
        assertThrows(IllegalArgumentException.class, () -> new GradientAccumulation(0));
    }

    @Test
    void schedulesFollowHuggingFaceFormulas() {
        LrSchedule lin = LrSchedule.linearWithWarmup(10, 110);
        assertEquals(0, lin.factor(0));
        assertEquals(0.5, lin.factor(5));
        assertEquals(1, lin.factor(10));
        assertEquals(0.5, lin.factor(60));
        assertEquals(0, lin.factor(200));
        LrSchedule cos = LrSchedule.cosineWithWarmup(10, 110);
        assertEquals(0.3, cos.factor(3), 1e-15);
        assertEquals(1, cos.factor(10), 1e-15);
        assertEquals(0.5, cos.factor(60), 1e-15);
        assertEquals(0, cos.factor(110), 1e-15);
        LrSchedule poly = LrSchedule.polynomialWithWarmup(1000, 5000, 5e-3, 1e-7, 2.0);
        assertEquals(0.25, poly.factor(250));
        double remaining = 1 - 1000.0 / 4000;
        assertEquals(((5e-3 - 1e-7) * remaining * remaining + 1e-7) / 5e-3, poly.factor(2000), 1e-15);
        assertEquals(1e-7 / 5e-3, poly.factor(6000), 1e-18);
        assertEquals(1e-7 / 5e-3, poly.factor(5000), 1e-15);
        assertEquals(0.7, LrSchedule.constantWithWarmup(10).factor(7), 1e-15);
        assertEquals(1, LrSchedule.constantWithWarmup(10).factor(70));
        assertEquals(1, LrSchedule.constant().factor(12345));
        assertEquals(1, LrSchedule.constantWithWarmup(0).factor(0), "no warm-up: full lr from step 0");
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.polynomialWithWarmup(0, 10, 1e-7, 1e-3, 1));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.linearWithWarmup(10, 5));

        Parameter w = param(new double[] {0});
        SGD opt = new SGD(List.of(new Optimizer.ParamGroup(Map.of("w", w), 0.2, 0), new Optimizer.ParamGroup(Map.of("v", param(new double[1])), 0.4, 0)), 0, 0, false);
        LrScheduler sched = new LrScheduler(opt, lin);
        assertEquals(0, opt.lr(0));
        for (int i = 0; i < 5; i++) sched.step();
        assertEquals(0.1, opt.lr(0), 1e-15);
        assertEquals(0.2, opt.lr(1), 1e-15);
        sched.setSteps(60);
        assertEquals(0.1, opt.lr(0), 1e-15);
        assertEquals(60, sched.steps());
    }
}
