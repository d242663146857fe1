package org.crs4j.nn.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.crs4j.autograd.Variable;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.testing.RandomTensors;
import org.junit.jupiter.api.Test;

class FeedForwardTest {
    private final RandomTensors random = new RandomTensors(9);

    private static double[][] apply(double[][] h, java.util.function.DoubleUnaryOperator f) {
        double[][] y = new double[h.length][];
        for (int t = 0; t < h.length; t++) {
            y[t] = new double[h[t].length];
            for (int i = 0; i < h[t].length; i++) y[t][i] = f.applyAsDouble(h[t][i]);
        }
        return y;
    }

    private static double[][] mul(double[][] a, double[][] b) {
        double[][] y = new double[a.length][];
        for (int t = 0; t < a.length; t++) {
            y[t] = new double[a[t].length];
            for (int i = 0; i < a[t].length; i++) y[t][i] = a[t][i] * b[t][i];
        }
        return y;
    }

    @Test
    void everyVariantMatchesItsFormula() {
        for (FeedForward.Kind kind : FeedForward.Kind.values()) {
            for (boolean bias : new boolean[] {false, true}) {
                FeedForward ff = new FeedForward(kind, 6, 11, bias, 0, new Generator(kind.ordinal()));
                Tensor x = random.uniform(new int[] {2, 5, 6}, -2, 2);
                Tensor y = ff.forward(Variable.constant(x)).data();
                Map<String, Tensor> s = ff.stateDict();
                for (int b = 0; b < 2; b++) {
                    double[][] xs = Naive.sequence(x, b);
                    double[][] expected = switch (kind) {
                        case RELU -> Naive.linear(apply(Naive.linear(xs, s, "wi"), v -> Math.max(v, 0)), s, "wo");
                        case GATED_GELU -> Naive.linear(mul(apply(Naive.linear(xs, s, "wi_0"), Naive::geluTanh),
                                Naive.linear(xs, s, "wi_1")), s, "wo");
                        case SWIGLU -> Naive.linear(mul(apply(Naive.linear(xs, s, "gate_proj"), Naive::silu),
                                Naive.linear(xs, s, "up_proj")), s, "down_proj");
                    };
                    double err = Naive.maxAbsDiff(expected, y, b);
                    assertTrue(err < 1e-5, kind + " bias " + bias + ": max error " + err);
                }
            }
        }
    }

    @Test
    void parameterGradients() {
        for (FeedForward.Kind kind : FeedForward.Kind.values()) {
            FeedForward ff = new FeedForward(kind, 4, 7, true, 0, new Generator(3));
            ModuleGradients.toF64(ff);
            Tensor x = random.uniform(new int[] {2, 3, 4}, DType.F64, -2, 2);
            ModuleGradients.check(kind.name(), ff, () -> ff.forward(Variable.constant(x)), 8);
        }
    }

    @Test
    void huggingFaceNamesAndDropoutOnlyInTraining() {
        assertEquals(List.of("wi.weight", "wo.weight"),
                List.copyOf(new FeedForward(FeedForward.Kind.RELU, 4, 8, false, 0, null).namedParameters().keySet()));
        assertEquals(List.of("wi_0.weight", "wi_1.weight", "wo.weight"),
                List.copyOf(new FeedForward(FeedForward.Kind.GATED_GELU, 4, 8, false, 0, null).namedParameters().keySet()));
        assertEquals(List.of("gate_proj.weight", "up_proj.weight", "down_proj.weight"),
                List.copyOf(new FeedForward(FeedForward.Kind.SWIGLU, 4, 8, false, 0, null).namedParameters().keySet()));
        FeedForward ff = new FeedForward(FeedForward.Kind.GATED_GELU, 4, 8, false, 0.5, new Generator(1));
        Tensor x = random.uniform(new int[] {1, 64, 4}, -1, 1);
        ff.eval();
        Tensor a = ff.forward(Variable.constant(x)).data(), b = ff.forward(Variable.constant(x)).data();
        assertEquals(0, a.sub(b).abs().max().item());
        ff.train();
        Tensor c = ff.forward(Variable.constant(x)).data();
        assertTrue(a.sub(c).abs().max().item() > 1e-3, "dropout changed nothing in training mode");
    }
}
