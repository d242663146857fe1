package org.crs4j.nn.transformer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.crs4j.autograd.GradMode;
import org.crs4j.autograd.Variable;
import org.crs4j.nn.Module;
import org.crs4j.nn.Parameter;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;

/**
 * Finite-difference check of a module's parameter gradients, in F64: the parameters are converted to F64, the output
 * is reduced to sum(y * r) for a fixed random r, and sampled elements of every parameter are perturbed by +-eps.
 */
final class ModuleGradients {
    private ModuleGradients() {}

    static void toF64(Module m) {
        for (Parameter p : m.parameters()) p.set(p.data().to(DType.F64).copy());
    }

    static void check(String what, Module m, Supplier<Variable> forward, int samplesPerParameter) {
        Variable y0;
        y0 = forward.get();
        Tensor r = Tensor.randn(new Generator(7), 0, 1, DType.F64, y0.shape());
        m.zeroGrad();
        Variable loss = forward.get().mul(Variable.constant(r)).sum();
        loss.backward();
        Map<String, Tensor> analytic = new LinkedHashMap<>();
        m.namedParameters().forEach((n, p) -> analytic.put(n, p.grad()));
        SplittableRandom rng = new SplittableRandom(11);
        double eps = 1e-6;
        int checked = 0;
        for (Map.Entry<String, Parameter> e : m.namedParameters().entrySet()) {
            Parameter p = e.getValue();
            Tensor original = p.data();
            Tensor g = analytic.get(e.getKey());
            double[] ga = g == null ? new double[original.numel()] : g.toDoubleArray();
            for (int s = 0; s < samplesPerParameter; s++) {
                int i = rng.nextInt(original.numel());
                double v = original.reshape(-1).get(i);
                double plus = evaluate(p, original, i, v + eps, forward, r);
                double minus = evaluate(p, original, i, v - eps, forward, r);
                p.set(original);
                double numeric = (plus - minus) / (2 * eps);
                assertTrue(Math.abs(ga[i] - numeric) <= 1e-6 + 1e-5 * Math.abs(numeric),
                        what + ": d/d " + e.getKey() + "[" + i + "] backprop " + ga[i] + " vs finite difference " + numeric);
                checked++;
            }
        }
        assertTrue(checked > 0, what + ": no parameters checked");
    }

    private static double evaluate(Parameter p, Tensor original, int i, double value, Supplier<Variable> forward, Tensor r) {
        Tensor t = original.copy();
        t.reshape(-1).narrow(0, i, 1).fill(value);
        p.set(t);
        try (var off = GradMode.off()) {
            return forward.get().data().mul(r).sum().item();
        }
    }
}
