package org.crs4j.nn.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.crs4j.autograd.GradCheck;
import org.crs4j.autograd.GradMode;
import org.crs4j.autograd.Variable;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.testing.RandomTensors;
import org.junit.jupiter.api.Test;

/** Attention against the naive double reference: GQA/MQA with RoPE and masks, T5 bias, cross-attention, caches. */
class MultiHeadAttentionTest {
    private final RandomTensors random = new RandomTensors(5);

    private Tensor input(int b, int t, int dim) {
        return random.uniform(new int[] {b, t, dim}, -1, 1);
    }

    /** Left padding: row r has pads[r] padding positions in front. Returns [B, T] BOOL. */
    private static Tensor leftPaddingMask(int b, int t, int[] pads) {
        boolean[] m = new boolean[b * t];
        for (int r = 0; r < b; r++) for (int j = pads[r]; j < t; j++) m[r * t + j] = true;
        return Tensor.ofBool(m, b, t);
    }

    /** Right padding (T5): row r ends with pads[r] padding positions. */
    private static Tensor rightPaddingMask(int b, int t, int[] pads) {
        boolean[] m = new boolean[b * t];
        for (int r = 0; r < b; r++) for (int j = 0; j < t - pads[r]; j++) m[r * t + j] = true;
        return Tensor.ofBool(m, b, t);
    }

    /** Positions as Hugging Face derives them from a left-padded mask: cumsum - 1, pads at 0. */
    private static Tensor positions(Tensor mask) {
        Tensor c = mask.to(DType.I64).cumsum(1).sub(1);
        return c.maximum(0);
    }

    private static boolean[][] allowed(Tensor keyMask, int b, int tq, int tk, int offset, boolean causal) {
        boolean[][] a = new boolean[tq][tk];
        for (int i = 0; i < tq; i++) {
            for (int j = 0; j < tk; j++) {
                a[i][j] = (!causal || j <= offset + i) && (keyMask == null || keyMask.get(b, j) != 0);
            }
        }
        return a;
    }

    private void checkLlamaStyle(int heads, int kvHeads, RotaryEmbedding.Pairing pairing) {
        int dim = 12, d = 4, b = 3, t = 6;
        Generator rng = new Generator(heads * 31L + kvHeads);
        MultiHeadAttention attn = new MultiHeadAttention(dim, heads, kvHeads, d, kvHeads == 2, 1 / Math.sqrt(d),
                MultiHeadAttention.Naming.LLAMA, null, rng);
        RotaryEmbedding rope = new RotaryEmbedding(d, 10000, null, pairing);
        Tensor x = input(b, t, dim);
        Tensor mask = leftPaddingMask(b, t, new int[] {0, 2, 5});
        Tensor pos = positions(mask);
        Variable bias = Variable.constant(AttentionMasks.additive(AttentionMasks.causalWithPadding(mask, t, 0)));
        Tensor y = attn.forward(Variable.constant(x), bias, rope.angles(pos), null).data();
        assertArrayEquals(new int[] {b, t, dim}, y.shape());
        Map<String, Tensor> s = attn.stateDict();
        for (int r = 0; r < b; r++) {
            double[][] xs = Naive.sequence(x, r);
            long[] p = pos.select(0, r).toLongArray();
            double[] inv = Naive.invFreq(d, 10000);
            boolean il = pairing == RotaryEmbedding.Pairing.INTERLEAVED;
            double[][] q = Naive.rope(Naive.linear(xs, s, "q_proj"), heads, d, p, inv, il);
            double[][] k = Naive.rope(Naive.linear(xs, s, "k_proj"), kvHeads, d, p, inv, il);
            double[][] v = Naive.linear(xs, s, "v_proj");
            double[][] a = Naive.attention(q, k, v, heads, kvHeads, d, 1 / Math.sqrt(d), null, allowed(mask, r, t, t, 0, true));
            double[][] expected = Naive.linear(a, s, "o_proj");
            double err = Naive.maxAbsDiff(expected, y, r);
            assertTrue(err < 2e-5, "heads " + heads + "/" + kvHeads + " " + pairing + " row " + r + ": max error " + err);
        }
    }

    @Test
    void groupedQueryMultiQueryAndMultiHeadSelfAttentionMatchTheReference() {
        checkLlamaStyle(4, 2, RotaryEmbedding.Pairing.HALF);       // GQA, with biases
        checkLlamaStyle(4, 1, RotaryEmbedding.Pairing.HALF);       // MQA
        checkLlamaStyle(3, 3, RotaryEmbedding.Pairing.INTERLEAVED); // MHA, llama2.c pairing
        checkLlamaStyle(6, 2, RotaryEmbedding.Pairing.INTERLEAVED);
    }

    @Test
    void t5StyleUnscaledAttentionWithRelativeBiasAndPadding() {
        int dim = 8, heads = 2, d = 5, b = 2, t = 7;
        for (boolean bidirectional : new boolean[] {true, false}) {
            Generator rng = new Generator(3);
            RelativePositionBias rpb = new RelativePositionBias(8, 20, heads, bidirectional, rng);
            MultiHeadAttention attn = new MultiHeadAttention(dim, heads, heads, d, false, 1.0, MultiHeadAttention.Naming.T5, rpb, rng);
            Tensor x = input(b, t, dim);
            Tensor mask = rightPaddingMask(b, t, new int[] {0, 3});
            Tensor allowedT = bidirectional ? AttentionMasks.keyPadding(mask) : AttentionMasks.causalWithPadding(mask, t, 0);
            Variable bias = rpb.forward(t, t, 0).add(Variable.constant(AttentionMasks.additive(allowedT)));
            Tensor y = attn.forward(Variable.constant(x), bias, null, null).data();
            Map<String, Tensor> s = attn.stateDict();
            double[][] table = Naive.matrix(s.get("relative_attention_bias.weight"));
            double[][][] rb = new double[heads][t][t];
            for (int h = 0; h < heads; h++) for (int i = 0; i < t; i++) for (int j = 0; j < t; j++) {
                rb[h][i][j] = table[Naive.bucket(j - i, bidirectional, 8, 20)][h];
            }
            for (int r = 0; r < b; r++) {
                double[][] xs = Naive.sequence(x, r);
                double[][] a = Naive.attention(Naive.linear(xs, s, "q"), Naive.linear(xs, s, "k"), Naive.linear(xs, s, "v"),
                        heads, heads, d, 1.0, rb, allowed(mask, r, t, t, 0, !bidirectional));
                double err = Naive.maxAbsDiff(Naive.linear(a, s, "o"), y, r);
                assertTrue(err < 2e-5, "bidirectional " + bidirectional + " row " + r + ": max error " + err);
            }
        }
    }

    @Test
    void crossAttentionOverPaddedMemoryAndItsCacheIsComputedOnce() {
        int dim = 8, memDim = 8, heads = 2, d = 3, b = 2, t = 4, s = 6;
        MultiHeadAttention attn = new MultiHeadAttention(dim, heads, heads, d, false, 1.0, MultiHeadAttention.Naming.T5, null, new Generator(4));
        Tensor x = input(b, t, dim), mem = input(b, s, memDim);
        Tensor memMask = rightPaddingMask(b, s, new int[] {0, 2});
        Variable bias = Variable.constant(AttentionMasks.additive(AttentionMasks.keyPadding(memMask)));
        Tensor y = attn.forwardCross(Variable.constant(x), Variable.constant(mem), bias, null).data();
        Map<String, Tensor> st = attn.stateDict();
        for (int r = 0; r < b; r++) {
            double[][] xs = Naive.sequence(x, r), ms = Naive.sequence(mem, r);
            double[][] a = Naive.attention(Naive.linear(xs, st, "q"), Naive.linear(ms, st, "k"), Naive.linear(ms, st, "v"),
                    heads, heads, d, 1.0, null, allowed(memMask, r, t, s, 0, false));
            double err = Naive.maxAbsDiff(Naive.linear(a, st, "o"), y, r);
            assertTrue(err < 2e-5, "row " + r + ": max error " + err);
        }
        // With a cache: the first call fills it from memory, later calls (memory = null) reuse it, one query at a time.
        try (var off = GradMode.off()) {
            KVCache cache = new KVCache(1, b, heads, s, d);
            for (int i = 0; i < t; i++) {
                Variable xi = Variable.constant(x.narrow(1, i, 1));
                Tensor yi = attn.forwardCross(xi, i == 0 ? Variable.constant(mem) : null, bias, cache.layer(0)).data();
                assertEquals(s, cache.layer(0).length());
                double[] got = yi.toDoubleArray(), want = y.narrow(1, i, 1).toDoubleArray();
                for (int j = 0; j < got.length; j++) assertEquals(want[j], got[j], 1e-6, "step " + i);
            }
        }
    }

    @Test
    void incrementalDecodingWithTheCacheEqualsFullRecomputation() {
        int dim = 12, heads = 4, kvHeads = 2, d = 6, b = 2, t = 9, prefill = 4;
        MultiHeadAttention attn = new MultiHeadAttention(dim, heads, kvHeads, d, false, 1 / Math.sqrt(d),
                MultiHeadAttention.Naming.LLAMA, null, new Generator(8));
        RotaryEmbedding rope = new RotaryEmbedding(d, 500, new RotaryEmbedding.Scaling.Linear(2), RotaryEmbedding.Pairing.HALF);
        Tensor x = input(b, t, dim);
        Tensor mask = leftPaddingMask(b, t, new int[] {0, 3});
        Tensor pos = positions(mask);
        try (var off = GradMode.off()) {
            Tensor full = attn.forward(Variable.constant(x),
                    Variable.constant(AttentionMasks.additive(AttentionMasks.causalWithPadding(mask, t, 0))),
                    rope.angles(pos), null).data();
            KVCache cache = new KVCache(1, b, kvHeads, t, d);
            int done = 0;
            while (done < t) {
                int n = done == 0 ? prefill : 1;
                Tensor keyMask = mask.narrow(1, 0, done + n);
                Variable bias = Variable.constant(AttentionMasks.additive(AttentionMasks.causalWithPadding(keyMask, n, done)));
                Tensor step = attn.forward(Variable.constant(x.narrow(1, done, n)), bias,
                        rope.angles(pos.narrow(1, done, n).contiguous()), cache.layer(0)).data();
                // padding queries attend to nothing real and their outputs are discarded: compare real positions
                for (int r = 0; r < b; r++) {
                    for (int i = 0; i < n; i++) {
                        if (mask.get(r, done + i) == 0) continue;
                        double[] got = step.select(0, r).select(0, i).toDoubleArray();
                        double[] want = full.select(0, r).select(0, done + i).toDoubleArray();
                        for (int j = 0; j < got.length; j++) assertEquals(want[j], got[j], 2e-6, "row " + r + " position " + (done + i));
                    }
                }
                done += n;
                assertEquals(done, cache.length());
            }
            IllegalStateException fullCache = assertThrows(IllegalStateException.class, () -> attn.forward(
                    Variable.constant(x.narrow(1, 0, 1)), null, rope.angles(pos.narrow(1, 0, 1).contiguous()), cache.layer(0)));
            assertTrue(fullCache.getMessage().contains("capacity"), fullCache.getMessage());
        }
    }

    @Test
    void cacheRefusesToRecordGradients() {
        MultiHeadAttention attn = new MultiHeadAttention(4, 2, 2, 2, false, 1, MultiHeadAttention.Naming.LLAMA, null, new Generator(1));
        KVCache cache = new KVCache(1, 1, 2, 4, 2);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> attn.forward(Variable.constant(Tensor.zeros(1, 1, 4)), null, null, cache.layer(0)));
        assertTrue(e.getMessage().contains("GradMode.off"), e.getMessage());
    }

    @Test
    void attendGradientsWithGroupedHeadsBiasAndScale() {
        Tensor q = random.uniform(new int[] {2, 4, 3, 5}, DType.F64, -1, 1);
        Tensor k = random.uniform(new int[] {2, 2, 4, 5}, DType.F64, -1, 1);
        Tensor v = random.uniform(new int[] {2, 2, 4, 3}, DType.F64, -1, 1);
        Tensor bias = random.uniform(new int[] {1, 4, 3, 4}, DType.F64, -1, 1);
        GradCheck.check("attend GQA", vs -> MultiHeadAttention.attend(vs.get(0), vs.get(1), vs.get(2), vs.get(3), 0.7), q, k, v, bias);
        Tensor masked = AttentionMasks.additive(AttentionMasks.causal(3, 4, 1)).to(DType.F64);
        GradCheck.check("attend masked", vs -> MultiHeadAttention.attend(vs.get(0), vs.get(1), vs.get(2),
                Variable.constant(masked), 1.0), q, k, v);
    }

    @Test
    void parameterGradientsOfSelfAttentionWithRopeAndRelativeBias() {
        Generator rng = new Generator(12);
        MultiHeadAttention gqa = new MultiHeadAttention(6, 4, 2, 2, true, 0.5, MultiHeadAttention.Naming.LLAMA, null, rng);
        ModuleGradients.toF64(gqa);
        RotaryEmbedding rope = new RotaryEmbedding(2, 100, null, RotaryEmbedding.Pairing.HALF);
        Tensor x = random.uniform(new int[] {2, 3, 6}, DType.F64, -1, 1);
        Variable causal = Variable.constant(AttentionMasks.additive(AttentionMasks.causal(3, 3, 0)));
        ModuleGradients.check("GQA attention", gqa, () -> gqa.forward(Variable.constant(x), causal, rope.angles(2, 0, 3), null), 6);

        RelativePositionBias rpb = new RelativePositionBias(6, 10, 2, true, rng);
        MultiHeadAttention t5 = new MultiHeadAttention(6, 2, 2, 3, false, 1, MultiHeadAttention.Naming.T5, rpb, rng);
        ModuleGradients.toF64(t5);
        ModuleGradients.check("T5 attention", t5, () -> t5.forward(Variable.constant(x), rpb.forward(3, 3, 0), null, null), 6);
    }

    @Test
    void namesFollowHuggingFace() {
        MultiHeadAttention llama = new MultiHeadAttention(8, 4, 2, 2, false, 1, MultiHeadAttention.Naming.LLAMA, null, null);
        assertEquals(List.of("q_proj.weight", "k_proj.weight", "v_proj.weight", "o_proj.weight"), List.copyOf(llama.namedParameters().keySet()));
        assertArrayEquals(new int[] {4, 8}, llama.stateDict().get("k_proj.weight").shape());
        MultiHeadAttention t5 = new MultiHeadAttention(8, 2, 2, 3, false, 1, MultiHeadAttention.Naming.T5,
                new RelativePositionBias(32, 128, 2, true, null), null);
        assertEquals(List.of("q.weight", "k.weight", "v.weight", "o.weight", "relative_attention_bias.weight"),
                List.copyOf(t5.namedParameters().keySet()));
        assertThrows(IllegalArgumentException.class,
                () -> new MultiHeadAttention(8, 3, 2, 2, false, 1, MultiHeadAttention.Naming.LLAMA, null, null));
    }
}
