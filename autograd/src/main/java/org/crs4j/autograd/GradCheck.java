package org.crs4j.autograd;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;

/**
 * Checks backpropagated gradients against central finite differences, in F64.
 *
 * <p>The function's output y (any shape) is reduced to L = sum(y * r) with a fixed random r, so one backward pass
 * gives dL/dx for every input element, and each element is perturbed by +-eps to estimate the same derivative.
 * Floating-point inputs are checked; integer and BOOL inputs (indices, masks) are passed through as constants.
 */
public final class GradCheck {
    private GradCheck() {}

    /** Thrown when an analytical and a numerical derivative disagree; the message says where and by how much. */
    public static final class Mismatch extends AssertionError {
        Mismatch(String message) {
            super(message);
        }
    }

    public static void check(String what, Function<List<Variable>, Variable> f, Tensor... inputs) {
        check(what, f, 1e-6, 1e-5, 1e-4, inputs);
    }

    public static void check(String what, Function<List<Variable>, Variable> f, double eps, double atol, double rtol,
                             Tensor... inputs) {
        int n = inputs.length;
        double[][] values = new double[n][];
        boolean[] differentiable = new boolean[n];
        for (int i = 0; i < n; i++) {
            differentiable[i] = inputs[i].dtype().isFloating();
            if (differentiable[i]) values[i] = inputs[i].toDoubleArray();
        }
        List<Variable> vars = variables(inputs, values, differentiable, true);
        Variable y = f.apply(vars);
        Tensor r = Tensor.randn(new Generator(1234), 0, 1, DType.F64, y.shape());
        Variable loss = y.to(DType.F64).mul(Variable.constant(r)).sum();
        if (!loss.requiresGrad()) throw new Mismatch(what + ": the output does not depend on any differentiable input");
        loss.backward();
        for (int i = 0; i < n; i++) {
            if (!differentiable[i]) continue;
            Tensor analytic = vars.get(i).grad();
            double[] a = analytic == null ? new double[values[i].length] : analytic.toDoubleArray();
            for (int j = 0; j < values[i].length; j++) {
                double saved = values[i][j];
                values[i][j] = saved + eps;
                double plus = evaluate(f, inputs, values, differentiable, r);
                values[i][j] = saved - eps;
                double minus = evaluate(f, inputs, values, differentiable, r);
                values[i][j] = saved;
                double numeric = (plus - minus) / (2 * eps);
                if (!(Math.abs(a[j] - numeric) <= atol + rtol * Math.abs(numeric))) {
                    throw new Mismatch(what + ": d/d input " + i + " element " + j + " (shape "
                            + Arrays.toString(inputs[i].shape()) + "): backprop " + a[j] + ", finite difference " + numeric);
                }
            }
        }
    }

    private static double evaluate(Function<List<Variable>, Variable> f, Tensor[] inputs, double[][] values,
                                   boolean[] differentiable, Tensor r) {
        try (var off = GradMode.off()) {
            Variable y = f.apply(variables(inputs, values, differentiable, false));
            return y.data().to(DType.F64).mul(r).sum().item();
        }
    }

    private static List<Variable> variables(Tensor[] inputs, double[][] values, boolean[] differentiable, boolean params) {
        List<Variable> vars = new ArrayList<>(inputs.length);
        for (int i = 0; i < inputs.length; i++) {
            if (!differentiable[i]) {
                vars.add(Variable.constant(inputs[i]));
                continue;
            }
            Tensor t = Tensor.of(values[i].clone(), inputs[i].shape());
            vars.add(params ? Variable.parameter(t) : Variable.constant(t));
        }
        return vars;
    }
}
