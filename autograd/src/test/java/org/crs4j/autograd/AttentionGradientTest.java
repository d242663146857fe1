package org.crs4j.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.testing.RandomTensors;
import org.junit.jupiter.api.Test;

/**
 * The attention op's backward (probabilities recomputed, grouped heads stacked as rows) against finite differences,
 * for queries, keys, values and a broadcast bias (T5's trainable relative position bias), and against the gradients
 * of the same computation composed from matmul, softmax and friends in F32.
 */
class AttentionGradientTest {
    private final RandomTensors random = new RandomTensors(77);

    @Test
    void gradientsOfQueriesKeysValuesAndBias() {
        int[][] shapes = {{2, 4, 2, 3, 5, 4, 3}, {1, 3, 3, 1, 6, 5, 5}, {2, 2, 1, 2, 4, 3, 2}}; // b, h, hkv, tq, tk, d, dv
        for (int[] s : shapes) {
            Tensor q = random.uniform(new int[] {s[0], s[1], s[3], s[5]}, DType.F64, -1, 1);
            Tensor k = random.uniform(new int[] {s[0], s[2], s[4], s[5]}, DType.F64, -1, 1);
            Tensor v = random.uniform(new int[] {s[0], s[2], s[4], s[6]}, DType.F64, -1, 1);
            Tensor bias = random.uniform(new int[] {1, s[1], s[3], s[4]}, DType.F64, -1, 1);
            GradCheck.check("attention " + java.util.Arrays.toString(s),
                    x -> Variable.attention(x.get(0), x.get(1), x.get(2), x.get(3), 0.7), q, k, v, bias);
            GradCheck.check("attention without bias " + java.util.Arrays.toString(s),
                    x -> Variable.attention(x.get(0), x.get(1), x.get(2), null, 1), q, k, v);
        }
    }

    @Test
    void sameGradientsAsTheComposedOpsInF32() {
        int b = 2, h = 4, hkv = 2, tq = 3, tk = 7, d = 5, dv = 6, group = h / hkv;
        Tensor q = random.uniform(new int[] {b, h, tq, d}, -1, 1), k = random.uniform(new int[] {b, hkv, tk, d}, -1, 1);
        Tensor v = random.uniform(new int[] {b, hkv, tk, dv}, -1, 1), bias = random.uniform(new int[] {1, h, tq, tk}, -1, 1);
        Tensor g = random.uniform(new int[] {b, h, tq, dv}, -1, 1);
        Variable[] fused = {Variable.parameter(q), Variable.parameter(k), Variable.parameter(v), Variable.parameter(bias)};
        Variable.attention(fused[0], fused[1], fused[2], fused[3], 0.5).backward(g);
        Variable[] comp = {Variable.parameter(q), Variable.parameter(k), Variable.parameter(v), Variable.parameter(bias)};
        Variable scores = comp[0].reshape(b, hkv, group * tq, d).matmul(comp[1].mT()).mul(0.5).view(b, h, tq, tk).add(comp[3]);
        scores.softmax(-1).view(b, hkv, group * tq, tk).matmul(comp[2]).view(b, h, tq, dv).backward(g);
        for (int i = 0; i < 4; i++) {
            float[] want = comp[i].grad().toFloatArray(), got = fused[i].grad().toFloatArray();
            for (int j = 0; j < want.length; j++) {
                if (Math.abs(want[j] - got[j]) > 1e-5 * (1 + Math.abs(want[j]))) {
                    assertArrayEquals(want, got, 1e-5f, "gradient of input " + i);
                }
            }
        }
    }
}
