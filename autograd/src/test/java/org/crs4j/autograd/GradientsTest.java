package org.crs4j.autograd;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.testing.RandomTensors;
import org.junit.jupiter.api.Test;

/** Every differentiable op passes the F64 finite-difference check on random inputs and random layouts. */
class GradientsTest {
    private final RandomTensors random = new RandomTensors(2024);

    private Tensor u(double lo, double hi, int... shape) {
        return random.uniform(shape, DType.F64, lo, hi);
    }

    private Tensor x(int... shape) {
        return u(-2, 2, shape);
    }

    @Test
    void unaryOps() {
        GradCheck.check("neg", v -> v.get(0).neg(), x(3, 4));
        GradCheck.check("abs", v -> v.get(0).abs(), x(3, 4));
        GradCheck.check("exp", v -> v.get(0).exp(), x(3, 4));
        GradCheck.check("log", v -> v.get(0).log(), u(0.2, 3, 3, 4));
        GradCheck.check("sqrt", v -> v.get(0).sqrt(), u(0.2, 3, 3, 4));
        GradCheck.check("rsqrt", v -> v.get(0).rsqrt(), u(0.2, 3, 3, 4));
        GradCheck.check("reciprocal", v -> v.get(0).reciprocal(), u(0.3, 3, 3, 4));
        GradCheck.check("square", v -> v.get(0).square(), x(3, 4));
        GradCheck.check("tanh", v -> v.get(0).tanh(), x(3, 4));
        GradCheck.check("sigmoid", v -> v.get(0).sigmoid(), x(3, 4));
        GradCheck.check("relu", v -> v.get(0).relu(), x(3, 4));
        GradCheck.check("gelu", v -> v.get(0).gelu(), u(-4, 4, 3, 4));
        GradCheck.check("gelu_tanh", v -> v.get(0).geluTanh(), u(-4, 4, 3, 4));
        GradCheck.check("silu", v -> v.get(0).silu(), u(-4, 4, 3, 4));
        GradCheck.check("sin", v -> v.get(0).sin(), x(3, 4));
        GradCheck.check("cos", v -> v.get(0).cos(), x(3, 4));
        GradCheck.check("erf", v -> v.get(0).erf(), x(3, 4));
        GradCheck.check("pow const", v -> v.get(0).pow(2.5), u(0.2, 3, 3, 4));
        GradCheck.check("clamp", v -> v.get(0).clamp(-1, 1), x(3, 4));
    }

    @Test
    void binaryOpsWithBroadcasting() {
        GradCheck.check("add", v -> v.get(0).add(v.get(1)), x(2, 3, 4), x(3, 1));
        GradCheck.check("sub", v -> v.get(0).sub(v.get(1)), x(4), x(2, 3, 4));
        GradCheck.check("mul", v -> v.get(0).mul(v.get(1)), x(2, 1, 4), x(3, 1));
        GradCheck.check("div", v -> v.get(0).div(v.get(1)), x(2, 3), u(0.5, 2, 3));
        GradCheck.check("maximum", v -> v.get(0).maximum(v.get(1)), x(3, 4), x(3, 4));
        GradCheck.check("minimum", v -> v.get(0).minimum(v.get(1)), x(3, 4), x(4));
        GradCheck.check("pow", v -> v.get(0).pow(v.get(1)), u(0.3, 2, 3, 4), u(-1.5, 1.5, 3, 4));
        GradCheck.check("scalar ops", v -> v.get(0).mul(3).add(1).div(2).sub(0.5), x(3));
    }

    @Test
    void whereAndMaskedFill() {
        Tensor mask = random.mask(new int[] {3, 4}, 0.5);
        GradCheck.check("where", v -> Variable.where(v.get(2).data(), v.get(0), v.get(1)), x(3, 4), x(4), mask);
        GradCheck.check("masked_fill", v -> v.get(0).maskedFill(v.get(1).data(), -5), x(3, 4), mask);
    }

    @Test
    void reductions() {
        GradCheck.check("sum all", v -> v.get(0).sum(), x(3, 4));
        GradCheck.check("sum dims", v -> v.get(0).sum(new int[] {0, 2}, false), x(2, 3, 4));
        GradCheck.check("sum keepdim", v -> v.get(0).sum(1, true), x(2, 3, 4));
        GradCheck.check("mean", v -> v.get(0).mean(new int[] {-1}, false), x(2, 3, 4));
        GradCheck.check("max", v -> v.get(0).max(1, false), x(2, 5, 3));
        GradCheck.check("min keepdim", v -> v.get(0).min(new int[] {0, 2}, true), x(2, 5, 3));
        GradCheck.check("var", v -> v.get(0).var(new int[] {1}, 1, false), x(2, 5, 3));
        GradCheck.check("var biased all", v -> v.get(0).var(new int[0], 0, true), x(2, 5));
        GradCheck.check("logsumexp", v -> v.get(0).logsumexp(new int[] {1, 2}, false), u(-20, 20, 2, 3, 4));
    }

    @Test
    void maxSharesTheGradientOfTies() {
        Variable p = Variable.parameter(Tensor.of(new double[] {1, 3, 3, 2}, 4));
        p.max(0, false).backward();
        assertArrayEquals(new double[] {0, 0.5, 0.5, 0}, p.grad().toDoubleArray());
    }

    @Test
    void softmaxAndNorms() {
        GradCheck.check("softmax", v -> v.get(0).softmax(1), u(-3, 3, 2, 5, 3));
        GradCheck.check("log_softmax", v -> v.get(0).logSoftmax(-1), u(-3, 3, 2, 3, 5));
        GradCheck.check("layer_norm", v -> v.get(0).layerNorm(v.get(1), v.get(2), 1e-5), x(2, 3, 6), x(6), x(6));
        GradCheck.check("layer_norm no affine", v -> v.get(0).layerNorm(null, null, 1e-5), x(4, 6));
        GradCheck.check("layer_norm bias only", v -> v.get(0).layerNorm(null, v.get(1), 1e-5), x(4, 6), x(6));
        GradCheck.check("rms_norm", v -> v.get(0).rmsNorm(v.get(1), 1e-6), x(2, 3, 6), x(6));
        GradCheck.check("rms_norm no weight", v -> v.get(0).rmsNorm(null, 1e-6), x(3, 5));
    }

    @Test
    void matmulShapes() {
        GradCheck.check("matmul 2d", v -> v.get(0).matmul(v.get(1)), x(3, 4), x(4, 5));
        GradCheck.check("matmul batched", v -> v.get(0).matmul(v.get(1)), x(2, 3, 4), x(2, 4, 5));
        GradCheck.check("matmul linear", v -> v.get(0).matmul(v.get(1).mT()), x(2, 3, 4), x(5, 4));
        GradCheck.check("matmul broadcast batch", v -> v.get(0).matmul(v.get(1)), x(1, 3, 4), x(2, 4, 2));
        GradCheck.check("matmul vector", v -> v.get(0).matmul(v.get(1)), x(4), x(2, 4, 3));
        GradCheck.check("matmul matrix-vector", v -> v.get(0).matmul(v.get(1)), x(3, 4), x(4));
        // transposed operands: their gradients are computed as transposed products (see Variable.matmul)
        GradCheck.check("matmul a^T b^T", v -> v.get(0).mT().matmul(v.get(1).mT()), x(4, 3), x(5, 4));
        GradCheck.check("matmul batched a^T, shared b^T", v -> v.get(0).mT().matmul(v.get(1).mT()), x(2, 4, 3), x(5, 4));
        GradCheck.check("matmul broadcast a^T", v -> v.get(0).mT().matmul(v.get(1)), x(1, 4, 3), x(2, 4, 2));
        GradCheck.check("matmul scores h h^T", v -> v.get(0).matmul(v.get(1).mT()), x(3, 4), x(6, 4));
    }

    @Test
    void views() {
        GradCheck.check("reshape", v -> v.get(0).reshape(4, 3).mul(v.get(1)), x(2, 6), x(3));
        GradCheck.check("view", v -> v.get(0).view(-1), x(2, 6));
        GradCheck.check("permute", v -> v.get(0).permute(2, 0, 1).mul(v.get(1)), x(2, 3, 4), x(3));
        GradCheck.check("transpose", v -> v.get(0).transpose(0, 2), x(2, 3, 4));
        GradCheck.check("narrow", v -> v.get(0).narrow(1, 1, 2), x(2, 4));
        GradCheck.check("slice", v -> v.get(0).slice(1, 0, 5, 2), x(2, 5));
        GradCheck.check("select", v -> v.get(0).select(0, 1), x(3, 4));
        GradCheck.check("expand", v -> v.get(0).expand(3, 2, 4).mul(v.get(1)), x(2, 1), x(3, 2, 4));
        GradCheck.check("squeeze/unsqueeze", v -> v.get(0).unsqueeze(1).squeeze(2), x(3, 1));
        GradCheck.check("flatten", v -> v.get(0).flatten(0, 1), x(2, 3, 2));
        GradCheck.check("contiguous", v -> v.get(0).mT().contiguous(), x(3, 4));
        GradCheck.check("concat", v -> Variable.concat(List.of(v.get(0), v.get(1)), 1), x(2, 3), x(2, 2));
        GradCheck.check("stack", v -> Variable.stack(List.of(v.get(0), v.get(1)), 0), x(2, 3), x(2, 3));
        GradCheck.check("split", v -> v.get(0).split(2, 1).get(1).mul(2), x(2, 5));
        GradCheck.check("to F32 and back", v -> v.get(0).to(DType.F32).to(DType.F64), 1e-3, 1e-4, 1e-3, x(3));
    }

    @Test
    void indexOps() {
        Tensor idx = Tensor.of(new long[] {2, 0, 2, 1}, 4);
        GradCheck.check("index_select", v -> v.get(0).indexSelect(0, idx), x(3, 2));
        GradCheck.check("index_select dim 1", v -> v.get(0).indexSelect(1, idx), x(2, 3));
        GradCheck.check("embedding", v -> v.get(0).embedding(idx.view(2, 2)), x(3, 4));
        Tensor gidx = Tensor.of(new long[] {0, 2, 1, 1, 0, 0}, 2, 3);
        GradCheck.check("gather", v -> v.get(0).gather(1, gidx), x(2, 4));
        GradCheck.check("scatter_add", v -> v.get(0).scatterAdd(1, gidx, v.get(1)), x(2, 4), x(2, 3));
        GradCheck.check("scatter_add larger src", v -> v.get(0).scatterAdd(1, gidx, v.get(1)), x(2, 4), x(3, 5));
        GradCheck.check("index_add", v -> v.get(0).indexAdd(0, idx, v.get(1)), x(3, 2), x(4, 2));
        GradCheck.check("cumsum", v -> v.get(0).cumsum(1), x(2, 5));
    }

    @Test
    void sparseTimesDense() {
        // rows: {0: cols 1, 1 (repeated)}, {1: empty}, {2: cols 0, 2}, values given and unit
        int[] ptr = {0, 2, 2, 4}, col = {1, 1, 0, 2};
        org.crs4j.tensor.CsrMatrix unit = new org.crs4j.tensor.CsrMatrix(3, 3, ptr, col, null);
        org.crs4j.tensor.CsrMatrix weighted = unit.withValues(new float[] {0.5f, -2f, 1.5f, 0.25f});
        GradCheck.check("spmm", v -> Variable.spmm(unit, v.get(0)), x(3, 4));
        GradCheck.check("spmm weighted", v -> Variable.spmm(weighted, v.get(0).mT()), x(4, 3));
        GradCheck.check("spmm vector", v -> Variable.spmm(weighted, v.get(0)), x(3));
    }

    @Test
    void scalarOperandsKeepF64Precision() {
        Variable v = Variable.constant(Tensor.of(new double[] {3}, 1));
        assertEquals(3 * 0.1 + 0.7 - 0.3, v.mul(0.1).add(0.7).sub(0.3).item(), 0.0);
        assertEquals(3 / 0.9, v.div(0.9).item(), 0.0);
        assertEquals(DType.F32, Variable.constant(Tensor.ones(1)).mul(0.1).dtype());
    }

    @Test
    void segmentMatmulIncludingEmptyGroupsAndTransposedInputs() {
        int[] offsets = {0, 2, 2, 5, 6};  // group 1 is empty
        GradCheck.check("segment_matmul", v -> v.get(0).segmentMatmul(offsets, v.get(1)), x(6, 3), x(4, 3, 2));
        GradCheck.check("segment_matmul transposed x", v -> v.get(0).mT().segmentMatmul(offsets, v.get(1)), x(3, 6), x(4, 3, 2));
        // forward against a per-row double reference
        Tensor a = x(6, 3), w = x(4, 3, 2);
        Tensor y = a.to(DType.F32).segmentMatmul(offsets, w.to(DType.F32));
        for (int g = 0; g < 4; g++) {
            for (int i = offsets[g]; i < offsets[g + 1]; i++) {
                for (int j = 0; j < 2; j++) {
                    double ref = 0;
                    for (int k = 0; k < 3; k++) ref += a.get(i, k) * w.get(g, k, j);
                    assertEquals(ref, y.get(i, j), 1e-5);
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> a.segmentMatmul(new int[] {0, 2, 6}, w));
        assertThrows(IllegalArgumentException.class, () -> a.segmentMatmul(new int[] {0, 3, 2, 5, 6}, w));
        assertThrows(IllegalArgumentException.class, () -> a.segmentMatmul(new int[] {0, 2, 2, 5, 7}, w));
    }

    @Test
    void compositeFunctionsChainCorrectly() {
        // a tiny attention: softmax(q k^T / sqrt(d)) v with a causal mask
        Tensor causal = Tensor.trilMask(3, 3, 0).not();
        GradCheck.check("attention", v -> {
            Variable q = v.get(0), k = v.get(1), val = v.get(2);
            Variable scores = q.matmul(k.mT()).div(Math.sqrt(4)).maskedFill(causal, Double.NEGATIVE_INFINITY);
            return scores.softmax(-1).matmul(val);
        }, x(2, 3, 4), x(2, 3, 4), x(2, 3, 4));
        // reused inputs accumulate gradients from every use
        GradCheck.check("reuse", v -> v.get(0).mul(v.get(0)).add(v.get(0).exp()), x(3));
    }
}
